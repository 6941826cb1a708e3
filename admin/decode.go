package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"
)

// MaxBodySize bounds an API request body.
const MaxBodySize = 1 << 20

// readBody reads the request body, at most MaxBodySize bytes.
func readBody(c *call) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, MaxBodySize))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, err
		}
		return nil, &apiError{Status: http.StatusBadRequest, Message: "reading the request body: " + err.Error()}
	}
	return body, nil
}

// decodeBody decodes the JSON request body into v: application/json
// only, no unknown fields, no trailing data. Errors name the field.
func decodeBody(c *call, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &apiError{Status: http.StatusBadRequest, Message: "the request body is empty; send a JSON object"}
	}
	if err := checkJSONType(c.r); err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// decodeOptionalBody is decodeBody for routes whose body may be absent;
// it reports whether there was one.
func decodeOptionalBody(c *call, v any) (bool, error) {
	body, err := readBody(c)
	if err != nil {
		return false, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return false, nil
	}
	if err := checkJSONType(c.r); err != nil {
		return false, err
	}
	return true, decodeJSON(body, v)
}

// isJSON reports whether the request says its body is JSON.
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func checkJSONType(r *http.Request) error {
	if !isJSON(r) {
		return &apiError{Status: http.StatusUnsupportedMediaType, Message: "send the body as JSON with Content-Type: application/json"}
	}
	return nil
}

// decodeJSON decodes one JSON object from body into v, strictly.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &apiError{Status: http.StatusBadRequest, Message: "unexpected data after the JSON object"}
	}
	return nil
}

// jsonError turns a decoding error into a 400 naming the field.
func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &apiError{Status: http.StatusBadRequest, Message: "malformed JSON: the body ends too early"}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return &apiError{Status: http.StatusBadRequest, Message: "the body must be a JSON object, got " + typ.Value}
		}
		return badField(typ.Field, "want "+describeType(typ.Type)+", got "+typ.Value)
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return badField(name, "unknown field")
	}
	return &apiError{Status: http.StatusBadRequest, Message: "malformed JSON: " + strings.TrimPrefix(msg, "json: ")}
}

var (
	durationType = reflect.TypeFor[Duration]()
	timeType     = reflect.TypeFor[Time]()
)

// describeType names what a field expects, for humans.
func describeType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t {
	case durationType:
		return `a duration such as "10m" or a number of seconds`
	case timeType:
		return "an RFC 3339 time such as 2027-01-01T00:00:00Z"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// opt is an optional input field: Set when the field was present (even as
// null), Null when it was null. Updates change only the fields that were
// sent.
type opt[T any] struct {
	Set, Null bool
	V         T
}

// UnmarshalJSON records presence and decodes the value.
func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// apply sets *dst to the sent value (zero for null) when the field was sent.
func (o opt[T]) apply(dst *T) {
	if o.Set {
		*dst = o.V
	}
}

// Duration is a JSON duration: a string such as "10m", "1h30m" or "2d",
// or a number of seconds. It is written as a short string ("10m"), or ""
// for zero (the default).
type Duration time.Duration

// UnmarshalJSON accepts "10m"-style strings and numbers of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	bad := func(what string) error {
		return &json.UnmarshalTypeError{Value: what, Type: durationType}
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return bad("a malformed string")
		}
		v, err := ParseDuration(s)
		if err != nil {
			return bad(fmt.Sprintf("%q", s))
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		return bad(string(b))
	}
	if secs < 0 || secs > float64(1<<63-1)/float64(time.Second) {
		return bad(string(b))
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the short string form.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(FormatDuration(time.Duration(d)))
}

// ParseDuration parses a Go duration that may also use days ("2d",
// "1d12h"), as the Caddyfile does. "" and "0" are zero.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		var n int64
		if _, err := fmt.Sscanf(s[:i], "%d", &n); err != nil || fmt.Sprint(n) != s[:i] || n < 0 || n > 100000 {
			return 0, fmt.Errorf("bad day count in %q", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if v < 0 {
		return 0, fmt.Errorf("negative duration %q", s)
	}
	return days + v, nil
}

// FormatDuration writes d without zero units: 10m, 1h30m, 45s, 1.5s;
// "" for zero.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return ""
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Time is a JSON RFC 3339 time whose decoding errors name the field.
type Time struct{ time.Time }

// UnmarshalJSON parses an RFC 3339 string.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: timeType}
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("%q", s), Type: timeType}
	}
	t.Time = v
	return nil
}
