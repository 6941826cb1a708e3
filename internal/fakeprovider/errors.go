package fakeprovider

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is a request rejection, written in the shape of the format that
// received the request.
type apiError struct {
	status int
	msg    string
	// OpenAI: error.param and error.code (empty means null) and error.type
	// (empty means the default for the status). Anthropic uses typ too.
	param, code, typ string
	// Google: status name override and ErrorInfo reason.
	gstatus, reason string
}

func badRequest(format string, a ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

// openAIBody is the OpenAI error envelope; param and code are null when unset.
type openAIBody struct {
	Error openAIErr `json:"error"`
}

type openAIErr struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

type anthropicBody struct {
	Type      string       `json:"type"`
	Error     anthropicErr `json:"error"`
	RequestID string       `json:"request_id"`
}

type anthropicErr struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

type googleBody struct {
	Error googleErr `json:"error"`
}

type googleErr struct {
	Code    int              `json:"code"`
	Message string           `json:"message"`
	Status  string           `json:"status"`
	Details []map[string]any `json:"details,omitempty"`
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func openAIType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "requests"
	case status >= 500:
		return "server_error"
	case status == http.StatusForbidden:
		return "permission_error"
	}
	return "invalid_request_error"
}

func anthropicType(status int) string {
	switch status {
	case 400:
		return "invalid_request_error"
	case 401:
		return "authentication_error"
	case 402:
		return "billing_error"
	case 403:
		return "permission_error"
	case 404:
		return "not_found_error"
	case 409:
		return "conflict_error"
	case 413:
		return "request_too_large"
	case 429:
		return "rate_limit_error"
	case 529:
		return "overloaded_error"
	case 504:
		return "timeout_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

func googleStatus(status int) string {
	switch status {
	case 400:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 409:
		return "ABORTED"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 501:
		return "UNIMPLEMENTED"
	case 503:
		return "UNAVAILABLE"
	case 504:
		return "DEADLINE_EXCEEDED"
	}
	if status >= 500 {
		return "INTERNAL"
	}
	return "FAILED_PRECONDITION"
}

// faultMessage is the message the real API gives for an injected status.
func faultMessage(f Format, status int) string {
	switch f {
	case OpenAIChat, OpenAIResponses:
		switch {
		case status == 429:
			return "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s."
		case status == 503:
			return "The engine is currently overloaded, please try again later"
		case status >= 500:
			return "The server had an error while processing your request. Sorry about that!"
		}
	case Anthropic:
		switch {
		case status == 429:
			return "Number of request tokens has exceeded your per-minute rate limit"
		case status == 529:
			return "Overloaded"
		case status >= 500:
			return "Internal server error"
		}
	case Gemini, Antigravity:
		switch {
		case status == 429:
			return "Resource has been exhausted (e.g. check quota)."
		case status == 503:
			return "The model is overloaded. Please try again later."
		case status >= 500:
			return "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
		}
	}
	return http.StatusText(status)
}

// errorBody renders e in format f.
func (x *exchange) errorBody(e *apiError) []byte {
	b := layoutError(x.f, x.errorJSON(e))
	if x.geArray {
		// The JSON-array stream endpoint wraps errors in the array too.
		b = append(append([]byte("["), b...), ']')
	}
	return b
}

// errorJSON is e in format f's error shape, compact.
func (x *exchange) errorJSON(e *apiError) []byte {
	switch x.f {
	case Anthropic:
		typ := e.typ
		if typ == "" {
			typ = anthropicType(e.status)
		}
		return marshal(anthropicBody{Type: "error", Error: anthropicErr{Type: typ, Message: e.msg}, RequestID: x.requestID})
	case Gemini, Antigravity:
		st := e.gstatus
		if st == "" {
			st = googleStatus(e.status)
		}
		ge := googleErr{Code: e.status, Message: e.msg, Status: st}
		if e.reason != "" {
			ge.Details = append(ge.Details, map[string]any{
				"@type":  "type.googleapis.com/google.rpc.ErrorInfo",
				"reason": e.reason,
				"domain": "googleapis.com",
				"metadata": map[string]string{
					"service": "generativelanguage.googleapis.com",
				},
			})
		}
		if ra := x.w.Header().Get("Retry-After"); ra != "" {
			ge.Details = append(ge.Details, map[string]any{
				"@type":      "type.googleapis.com/google.rpc.RetryInfo",
				"retryDelay": strings.TrimSuffix(ra, "s") + "s",
			})
		}
		return marshal(googleBody{Error: ge})
	case OAuth:
		typ := e.typ
		if typ == "" {
			typ = "invalid_request"
		}
		return marshal(map[string]string{"error": typ, "error_description": e.msg})
	}
	typ := e.typ
	if typ == "" {
		typ = openAIType(e.status)
	}
	return marshal(openAIBody{Error: openAIErr{Message: e.msg, Type: typ, Param: strOrNil(e.param), Code: strOrNil(e.code)}})
}

// fail writes e as the answer.
func (x *exchange) fail(e *apiError) {
	x.writeBody(e.status, "application/json", x.errorBody(e))
}
