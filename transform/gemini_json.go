package transform

import (
	"github.com/tidwall/gjson"
)

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
	b = appendJSONString(b, s)
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
