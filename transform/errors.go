package transform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// ErrorKind is the canonical error class; each format maps it to its own
// error type string.
type ErrorKind string

const (
	KindInvalidRequest  ErrorKind = "invalid_request"
	KindAuthentication  ErrorKind = "authentication"
	KindPermission      ErrorKind = "permission"
	KindNotFound        ErrorKind = "not_found"
	KindRequestTooLarge ErrorKind = "request_too_large"
	KindRateLimit       ErrorKind = "rate_limit"
	KindBilling         ErrorKind = "billing"
	KindServer          ErrorKind = "server"
	KindOverloaded      ErrorKind = "overloaded"
	KindTimeout         ErrorKind = "timeout"
	KindNotImplemented  ErrorKind = "not_implemented"
)

// Error is an API error in canonical form. It is both what the gateway
// answers with (encoded in the client's format) and what an upstream error
// body decodes into.
type Error struct {
	Status  int
	Kind    ErrorKind
	Message string
	// Param names the request field at fault, when known.
	Param string
	// Code is a machine-readable code (OpenAI code, Google reason).
	Code string
	// RetryAfter is the wait the upstream asked for, zero when none.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an Error whose kind follows from status.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Kind: KindForStatus(status), Message: fmt.Sprintf(format, args...)}
}

// KindForStatus maps an HTTP status to an error kind.
func KindForStatus(status int) ErrorKind {
	switch status {
	case 400, 422:
		return KindInvalidRequest
	case 401:
		return KindAuthentication
	case 402:
		return KindBilling
	case 403:
		return KindPermission
	case 404:
		return KindNotFound
	case 408, 504:
		return KindTimeout
	case 413:
		return KindRequestTooLarge
	case 429:
		return KindRateLimit
	case 501:
		return KindNotImplemented
	case 503, 529:
		return KindOverloaded
	}
	if status >= 500 {
		return KindServer
	}
	return KindInvalidRequest
}

func openAIType(k ErrorKind) string {
	switch k {
	case KindAuthentication:
		return "authentication_error"
	case KindPermission:
		return "permission_error"
	case KindNotFound:
		return "not_found_error"
	case KindRateLimit:
		return "rate_limit_error"
	case KindBilling:
		return "insufficient_quota"
	case KindServer, KindOverloaded, KindTimeout:
		return "server_error"
	case KindNotImplemented:
		return "not_implemented_error"
	}
	return "invalid_request_error"
}

func anthropicType(k ErrorKind) string {
	switch k {
	case KindAuthentication:
		return "authentication_error"
	case KindPermission:
		return "permission_error"
	case KindNotFound:
		return "not_found_error"
	case KindRequestTooLarge:
		return "request_too_large"
	case KindRateLimit:
		return "rate_limit_error"
	case KindBilling:
		return "billing_error"
	case KindOverloaded:
		return "overloaded_error"
	case KindServer, KindTimeout, KindNotImplemented:
		return "api_error"
	}
	return "invalid_request_error"
}

func googleStatus(status int) string {
	switch status {
	case 400, 413, 422:
		return "INVALID_ARGUMENT"
	case 401:
		return "UNAUTHENTICATED"
	case 402, 403:
		return "PERMISSION_DENIED"
	case 404:
		return "NOT_FOUND"
	case 408, 504:
		return "DEADLINE_EXCEEDED"
	case 409:
		return "ABORTED"
	case 429:
		return "RESOURCE_EXHAUSTED"
	case 501:
		return "UNIMPLEMENTED"
	case 503, 529:
		return "UNAVAILABLE"
	}
	if status >= 500 {
		return "INTERNAL"
	}
	return "INVALID_ARGUMENT"
}

// EncodeError renders e in format f's error shape. The returned status is
// the HTTP status to send (Anthropic's overloaded is 529, for instance).
func EncodeError(f Format, e *Error) (int, []byte) {
	status := e.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	kind := e.Kind
	if kind == "" {
		kind = KindForStatus(status)
	}
	var v any
	switch f {
	case Anthropic:
		v = map[string]any{"type": "error", "error": map[string]any{"type": anthropicType(kind), "message": e.Message}}
	case Gemini, Antigravity:
		if status == 529 {
			status = 503
		}
		v = map[string]any{"error": map[string]any{"code": status, "message": e.Message, "status": googleStatus(status)}}
	default: // OpenAI Chat and Responses
		if status == 529 {
			status = 503
		}
		var param, code any
		if e.Param != "" {
			param = e.Param
		}
		if e.Code != "" {
			code = e.Code
		}
		v = map[string]any{"error": map[string]any{"message": e.Message, "type": openAIType(kind), "param": param, "code": code}}
	}
	b, _ := json.Marshal(v)
	return status, b
}

// DecodeError reads an upstream error body of format f answered with
// status. It never fails: a body it cannot read becomes the message.
func DecodeError(f Format, status int, header http.Header, body []byte) *Error {
	e := &Error{Status: status, Kind: KindForStatus(status)}
	if header != nil {
		e.RetryAfter = ParseRetryAfter(header.Get("Retry-After"))
	}
	root := gjson.ParseBytes(body)
	if root.IsArray() { // Gemini JSON-array stream wraps errors in an array
		root = root.Get("0")
	}
	switch {
	case root.Get("error.message").Exists():
		msg := root.Get("error.message").String()
		e.Message = msg
		if t := root.Get("error.type"); t.Exists() && f == Anthropic {
			e.Code = t.String()
		}
		if c := root.Get("error.code"); c.Exists() && c.Type == gjson.String {
			e.Code = c.String()
		}
		if p := root.Get("error.param"); p.Type == gjson.String {
			e.Param = p.String()
		}
		if s := root.Get("error.status"); s.Exists() {
			e.Code = s.String()
		}
		// Google errors carry the retry delay in details.
		root.Get("error.details").ForEach(func(_, d gjson.Result) bool {
			if rd := d.Get("retryDelay"); rd.Exists() && e.RetryAfter == 0 {
				if dur, err := time.ParseDuration(rd.String()); err == nil {
					e.RetryAfter = dur
				}
			}
			return true
		})
		// Claude behind Antigravity: an Anthropic error JSON inside message.
		if strings.HasPrefix(strings.TrimSpace(msg), "{") {
			inner := gjson.Parse(msg)
			if m := inner.Get("error.message"); m.Exists() {
				e.Message = m.String()
			}
		}
	case root.Get("message").Type == gjson.String:
		e.Message = root.Get("message").String()
	default:
		s := strings.TrimSpace(string(body))
		if len(s) > 512 {
			s = s[:512] + "…"
		}
		if s == "" {
			s = http.StatusText(status)
		}
		e.Message = s
	}
	return e
}

// ParseRetryAfter reads a Retry-After header (seconds or HTTP date).
func ParseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n > 0 {
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
