package transform

import (
	"bytes"
	"strconv"

	"github.com/tidwall/gjson"
)

// The Anthropic encoders write JSON by appending to a byte slice: the
// bodies are built once per request or event on the hot path, field order
// must follow the real API, and raw JSON (tool inputs, schemas,
// cache_control) is copied in without a decode/encode round trip.

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
	return appendJSONString(anAppendKey(dst, key), value)
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
	out := appendJSONString([]byte(`{"raw":`), text)
	return append(out, '}')
}
