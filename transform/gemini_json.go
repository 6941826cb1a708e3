package transform

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// gemWriter builds JSON by appending to a byte slice. The Gemini codec
// writes its bodies and stream chunks with it rather than encoding/json:
// the output has a fixed key order (what the real API sends), needs no
// intermediate structs, and costs a fraction of reflection-based encoding on
// the per-event hot path.
//
// The writer tracks only whether a separator is due; callers are
// responsible for well-formed nesting.
type gemWriter struct {
	b    []byte
	need bool // a comma is due before the next value or key
}

func (w *gemWriter) sep() {
	if w.need {
		w.b = append(w.b, ',')
	}
	w.need = false
}

func (w *gemWriter) objOpen() { w.sep(); w.b = append(w.b, '{') }
func (w *gemWriter) objClose() {
	w.b = append(w.b, '}')
	w.need = true
}
func (w *gemWriter) arrOpen() { w.sep(); w.b = append(w.b, '[') }
func (w *gemWriter) arrClose() {
	w.b = append(w.b, ']')
	w.need = true
}

// key writes an object key. k must need no escaping (all keys written by
// this codec are ASCII identifiers).
func (w *gemWriter) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

// keyEsc writes an object key that may need escaping (schema property
// names, user-provided map keys).
func (w *gemWriter) keyEsc(k string) {
	w.sep()
	w.b = gemAppendString(w.b, k)
	w.b = append(w.b, ':')
}

func (w *gemWriter) str(s string) {
	w.sep()
	w.b = gemAppendString(w.b, s)
	w.need = true
}

// raw writes a JSON value verbatim; r must be valid JSON.
func (w *gemWriter) raw(r []byte) {
	w.sep()
	w.b = append(w.b, r...)
	w.need = true
}

func (w *gemWriter) rawStr(r string) {
	w.sep()
	w.b = append(w.b, r...)
	w.need = true
}

func (w *gemWriter) int(n int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, n, 10)
	w.need = true
}

// float writes f; NaN and infinities, which JSON cannot carry, become 0.
func (w *gemWriter) float(f float64) {
	w.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	w.b = strconv.AppendFloat(w.b, f, 'g', -1, 64)
	w.need = true
}

func (w *gemWriter) bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
	w.need = true
}

func (w *gemWriter) fieldStr(k, v string)       { w.key(k); w.str(v) }
func (w *gemWriter) fieldInt(k string, v int64) { w.key(k); w.int(v) }
func (w *gemWriter) fieldRaw(k string, v []byte) {
	w.key(k)
	w.raw(v)
}
func (w *gemWriter) fieldBool(k string, v bool) { w.key(k); w.bool(v) }

const gemHex = "0123456789abcdef"

// gemAppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD
// so the output is always valid JSON; U+2028/U+2029 are escaped because
// some JavaScript clients split lines on them.
func gemAppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', gemHex[c>>4], gemHex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', gemHex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// gemJSONObject returns raw when it is a valid JSON object, else nil.
func gemJSONObject(raw []byte) []byte {
	if len(raw) == 0 || !gjson.ValidBytes(raw) {
		return nil
	}
	if r := gjson.ParseBytes(raw); !r.IsObject() {
		return nil
	}
	return raw
}

// gemArgsObject turns a function-call arguments value into a JSON object
// text, following the canonical rule: objects pass through, a string that
// holds a JSON object is parsed, anything else is wrapped as {"raw": …}.
func gemArgsObject(v gjson.Result) []byte {
	switch {
	case !v.Exists() || v.Type == gjson.Null:
		return []byte("{}")
	case v.IsObject():
		return []byte(v.Raw)
	case v.Type == gjson.String:
		s := v.String()
		if s == "" {
			return []byte("{}")
		}
		if o := gemJSONObject([]byte(s)); o != nil {
			return o
		}
		return gemWrapRaw(s)
	}
	return gemWrapRaw(v.Raw)
}

// gemWrapRaw builds {"raw": s}.
func gemWrapRaw(s string) []byte {
	b := append(make([]byte, 0, len(s)+12), `{"raw":`...)
	b = gemAppendString(b, s)
	return append(b, '}')
}

// gemArgsForWire returns the arguments to put in a functionCall: the
// canonical text when it is a JSON object, "{}" when empty, otherwise the
// text wrapped as {"raw": …} so the body stays valid.
func gemArgsForWire(args []byte) []byte {
	if len(args) == 0 {
		return []byte("{}")
	}
	if o := gemJSONObject(args); o != nil {
		return o
	}
	return gemWrapRaw(string(args))
}
