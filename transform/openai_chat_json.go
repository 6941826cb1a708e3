package transform

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
	"unicode/utf8"
)

// oaiWriter builds JSON by appending to a byte slice. The OpenAI codecs
// write every body and stream payload with it rather than encoding/json:
// field order must follow the real API, raw fragments (schemas, tool
// arguments) are copied without being re-validated, and there is no
// reflection on the hot path.
//
// A single comma flag is enough for nesting: opening a container clears it,
// writing a value or closing a container sets it, and writing a key clears
// it so that the value after the key gets no comma.
type oaiWriter struct {
	b     []byte
	comma bool
}

func (w *oaiWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
}

func (w *oaiWriter) objOpen() {
	w.sep()
	w.b = append(w.b, '{')
	w.comma = false
}

func (w *oaiWriter) objClose() {
	w.b = append(w.b, '}')
	w.comma = true
}

func (w *oaiWriter) arrOpen() {
	w.sep()
	w.b = append(w.b, '[')
	w.comma = false
}

func (w *oaiWriter) arrClose() {
	w.b = append(w.b, ']')
	w.comma = true
}

// key writes a constant key. Keys that come from clients go through keyEsc.
func (w *oaiWriter) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.comma = false
}

// keyEsc writes a key that may need escaping.
func (w *oaiWriter) keyEsc(k string) {
	w.sep()
	w.b = oaiAppendString(w.b, k)
	w.b = append(w.b, ':')
	w.comma = false
}

func (w *oaiWriter) str(s string) {
	w.sep()
	w.b = oaiAppendString(w.b, s)
	w.comma = true
}

// raw writes a JSON fragment verbatim; an empty fragment becomes null.
func (w *oaiWriter) raw(r []byte) {
	w.sep()
	if len(r) == 0 {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, r...)
	}
	w.comma = true
}

func (w *oaiWriter) int(n int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, n, 10)
	w.comma = true
}

func (w *oaiWriter) float(f float64) {
	w.sep()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.b = append(w.b, "null"...)
	} else {
		w.b = strconv.AppendFloat(w.b, f, 'g', -1, 64)
	}
	w.comma = true
}

func (w *oaiWriter) bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
	w.comma = true
}

func (w *oaiWriter) null() {
	w.sep()
	w.b = append(w.b, "null"...)
	w.comma = true
}

func (w *oaiWriter) fieldStr(k, v string)       { w.key(k); w.str(v) }
func (w *oaiWriter) fieldInt(k string, v int64) { w.key(k); w.int(v) }
func (w *oaiWriter) fieldRaw(k string, v []byte) {
	w.key(k)
	w.raw(v)
}
func (w *oaiWriter) fieldBool(k string, v bool)     { w.key(k); w.bool(v) }
func (w *oaiWriter) fieldFloat(k string, v float64) { w.key(k); w.float(v) }
func (w *oaiWriter) fieldNull(k string)             { w.key(k); w.null() }

// fieldStrOrNull writes v, or null when v is empty.
func (w *oaiWriter) fieldStrOrNull(k, v string) {
	w.key(k)
	if v == "" {
		w.null()
	} else {
		w.str(v)
	}
}

const oaiHex = "0123456789abcdef"

// oaiSafe marks the bytes a JSON string holds as they are: printable
// ASCII other than the quote and the backslash.
var oaiSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// oaiAppendString appends s as a JSON string. Unlike encoding/json it does
// not escape <, > and &: API bodies are not embedded in HTML. Invalid UTF-8
// becomes U+FFFD so the output is always valid JSON.
func oaiAppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if oaiSafe[c] {
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
				dst = append(dst, '\\', 'u', '0', '0', oaiHex[c>>4], oaiHex[c&0xf])
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
			dst = append(dst, '\\', 'u', '2', '0', '2', oaiHex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const oaiAlnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// oaiNewID returns prefix followed by n random alphanumerics, the shape of
// OpenAI ids (chatcmpl-…, call_…). Ids need to be unique, not secret, so
// the fast non-cryptographic generator is enough.
var oaiNewID = func(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); {
		r := rand.Uint64()
		for j := 0; j < 10 && i < len(b); j++ {
			b[i] = oaiAlnum[r%62]
			r /= 62
			i++
		}
	}
	return string(b)
}

// oaiNewHexID returns prefix followed by n random hex digits, the shape of
// Responses item ids (resp_…, msg_…, fc_…, rs_…).
var oaiNewHexID = func(prefix string, n int) string {
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); {
		r := rand.Uint64()
		for j := 0; j < 16 && i < len(b); j++ {
			b[i] = oaiHex[r&0xf]
			r >>= 4
			i++
		}
	}
	return string(b)
}

// oaiNow is the clock for created timestamps; tests replace it.
var oaiNow = func() int64 { return time.Now().Unix() }
