package transform

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// The Anthropic encoders write JSON by appending to a byte slice: the
// bodies are built once per request or event on the hot path, field order
// must follow the real API, and raw JSON (tool inputs, schemas,
// cache_control) is copied in without a decode/encode round trip.

const anHex = "0123456789abcdef"

// anAppendString appends s as a JSON string. Like the API (and unlike
// encoding/json's default) it leaves <, > and & literal; invalid UTF-8
// becomes U+FFFD and U+2028/U+2029 are escaped so the output is also valid
// JavaScript.
func anAppendString(dst []byte, s string) []byte {
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
				dst = append(dst, '\\', 'u', '0', '0', anHex[c>>4], anHex[c&0xf])
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
			dst = append(dst, '\\', 'u', '2', '0', '2', anHex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// anAppendKey appends ,"key": (without the comma for the first field of an
// object, when the last byte written is the opening brace).
func anAppendKey(dst []byte, key string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' && dst[n-1] != '[' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// anAppendStringField appends "key":"value".
func anAppendStringField(dst []byte, key, value string) []byte {
	return anAppendString(anAppendKey(dst, key), value)
}

// anAppendIntField appends "key":n.
func anAppendIntField(dst []byte, key string, n int64) []byte {
	return strconv.AppendInt(anAppendKey(dst, key), n, 10)
}

// anAppendFloatField appends "key":f in the shortest form that round-trips.
func anAppendFloatField(dst []byte, key string, f float64) []byte {
	return strconv.AppendFloat(anAppendKey(dst, key), f, 'f', -1, 64)
}

// anAppendRawField appends "key":raw. raw must be valid JSON.
func anAppendRawField(dst []byte, key string, raw []byte) []byte {
	return append(anAppendKey(dst, key), raw...)
}

// anIsObject reports whether raw is one complete, valid JSON object.
func anIsObject(raw []byte) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return gjson.ValidBytes(raw)
		}
		return false
	}
	return false
}

// anObjectArgs returns tool-call arguments as a JSON object: args itself
// when it is one, "{}" when empty, otherwise {"raw": "<text>"} so a sloppy
// client's arguments still reach the model instead of breaking the body.
func anObjectArgs(args []byte) []byte {
	if anIsObject(args) {
		return args
	}
	if len(bytes.TrimSpace(args)) == 0 {
		return []byte("{}")
	}
	text := string(args)
	// A JSON string holding an object (double-encoded arguments) is
	// unwrapped; any other JSON string is wrapped by its content.
	if r := gjson.ParseBytes(args); r.Type == gjson.String && gjson.ValidBytes(args) {
		if s := []byte(r.Str); anIsObject(s) {
			return s
		}
		text = r.Str
	}
	out := anAppendString([]byte(`{"raw":`), text)
	return append(out, '}')
}
