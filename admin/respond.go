package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/store"
)

// apiError is an error answer.
type apiError struct {
	Status  int
	Message string
	// Field names the input field at fault, as a JSON path.
	Field string
	// UsedBy lists what still refers to an object whose delete was refused.
	UsedBy []string
	// RetryAfter is sent as Retry-After when positive.
	RetryAfter time.Duration
}

func (e *apiError) Error() string { return e.Message }

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Message string   `json:"message"`
	Field   string   `json:"field,omitempty"`
	UsedBy  []string `json:"used_by,omitempty"`
}

// badField is a 400 about one input field.
func badField(field, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Field: field, Message: field + ": " + msg}
}

// conflict is a 409.
func conflict(msg string) *apiError { return &apiError{Status: http.StatusConflict, Message: msg} }

// notFound is a 404.
func notFound(msg string) *apiError { return &apiError{Status: http.StatusNotFound, Message: msg} }

// toAPIError maps store and decoding errors to answers. Anything unknown
// is a 500 whose details go to the log, not to the client.
func toAPIError(err error) (*apiError, bool) {
	var (
		ae *apiError
		ve *store.ValidationError
		ce *store.ConflictError
		mb *http.MaxBytesError
	)
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.As(err, &ve):
		return &apiError{Status: http.StatusBadRequest, Field: ve.Field, Message: ve.Error()}, true
	case errors.As(err, &ce):
		return &apiError{Status: http.StatusConflict, Message: ce.Reason, UsedBy: ce.UsedBy}, true
	case errors.Is(err, store.ErrNotFound):
		return notFound(err.Error()), true
	case errors.As(err, &mb):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Message: "the request body is larger than " + strconv.FormatInt(mb.Limit, 10) + " bytes"}, true
	case errors.Is(err, context.Canceled):
		return &apiError{Status: 499, Message: "the request was cancelled"}, true
	}
	return &apiError{Status: http.StatusInternalServerError, Message: "internal error; see the server log"}, false
}

// writeError answers c with err.
func writeError(h *Handler, c *call, err error) {
	ae, known := toAPIError(err)
	if !known {
		h.log.Error("admin API request failed", zap.String("method", c.r.Method), zap.String("path", c.r.URL.Path), zap.Error(err))
	}
	if ae.RetryAfter > 0 {
		secs := int64((ae.RetryAfter + time.Second - 1) / time.Second)
		c.w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	writeJSON(c.w, ae.Status, errorBody{Error: errorDetail{Message: ae.Message, Field: ae.Field, UsedBy: ae.UsedBy}})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only unsupported values (NaN, channels) fail; none are sent.
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"message":"encoding the answer failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// ok answers c with 200 and v.
func (c *call) ok(v any) error {
	writeJSON(c.w, http.StatusOK, v)
	return nil
}

// created answers c with 201 and v.
func (c *call) created(v any) error {
	writeJSON(c.w, http.StatusCreated, v)
	return nil
}

// noContent answers c with 204.
func (c *call) noContent() error {
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}
