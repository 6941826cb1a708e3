package transform

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonWriter builds JSON by appending to a byte slice. The codecs write
// every body and stream payload with it rather than encoding/json:
// field order must follow the real API, raw fragments (schemas, tool
// arguments) are copied without being re-validated, and there is no
// reflection on the hot path.
//
// A single comma flag is enough for nesting: opening a container clears it,
// writing a value or closing a container sets it, and writing a key clears
// it so that the value after the key gets no comma.
type jsonWriter struct {
	b     []byte
	comma bool
}

func (w *jsonWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
}

func (w *jsonWriter) objOpen() {
	w.sep()
	w.b = append(w.b, '{')
	w.comma = false
}

func (w *jsonWriter) objClose() {
	w.b = append(w.b, '}')
	w.comma = true
}

func (w *jsonWriter) arrOpen() {
	w.sep()
	w.b = append(w.b, '[')
	w.comma = false
}

func (w *jsonWriter) arrClose() {
	w.b = append(w.b, ']')
	w.comma = true
}

// key writes a constant key. Keys that come from clients go through keyEsc.
func (w *jsonWriter) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.comma = false
}

// keyEsc writes a key that may need escaping.
func (w *jsonWriter) keyEsc(k string) {
	w.sep()
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
	w.comma = false
}

func (w *jsonWriter) str(s string) {
	w.sep()
	w.b = appendJSONString(w.b, s)
	w.comma = true
}

// raw writes a JSON fragment verbatim; an empty fragment becomes null.
func (w *jsonWriter) raw(r []byte) {
	w.sep()
	if len(r) == 0 {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, r...)
	}
	w.comma = true
}

// rawStr writes a JSON fragment held in a string verbatim.
func (w *jsonWriter) rawStr(r string) {
	w.sep()
	w.b = append(w.b, r...)
	w.comma = true
}

func (w *jsonWriter) int(n int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, n, 10)
	w.comma = true
}

func (w *jsonWriter) float(f float64) {
	w.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.b = append(w.b, "null"...)
	} else {
		w.b = strconv.AppendFloat(w.b, f, 'g', -1, 64)
	}
	w.comma = true
}

func (w *jsonWriter) bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
	w.comma = true
}

func (w *jsonWriter) null() {
	w.sep()
	w.b = append(w.b, "null"...)
	w.comma = true
}

func (w *jsonWriter) fieldStr(k, v string)       { w.key(k); w.str(v) }
func (w *jsonWriter) fieldInt(k string, v int64) { w.key(k); w.int(v) }
func (w *jsonWriter) fieldRaw(k string, v []byte) {
	w.key(k)
	w.raw(v)
}
func (w *jsonWriter) fieldBool(k string, v bool)     { w.key(k); w.bool(v) }
func (w *jsonWriter) fieldFloat(k string, v float64) { w.key(k); w.float(v) }
func (w *jsonWriter) fieldNull(k string)             { w.key(k); w.null() }

// fieldStrOrNull writes v, or null when v is empty.
func (w *jsonWriter) fieldStrOrNull(k, v string) {
	w.key(k)
	if v == "" {
		w.null()
	} else {
		w.str(v)
	}
}

const jsonHex = "0123456789abcdef"

// jsonSafe marks the bytes a JSON string holds as they are: printable
// ASCII other than the quote and the backslash.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string. Unlike encoding/json it does
// not escape <, > and &: API bodies are not embedded in HTML. Invalid UTF-8
// becomes U+FFFD so the output is always valid JSON.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
				dst = append(dst, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xf])
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
		// U+2028 and U+2029 are valid JSON but break JavaScript parsers
		// that treat them as line ends; escape them like encoding/json.
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', jsonHex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
