package transform

import (
	"unsafe"

	"github.com/tidwall/gjson"
)

// scanAnDelta reads a content_block_delta event of the usual shape,
//
//	{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
//
// (members in any order, whitespace allowed) in one pass that also checks
// it is valid JSON, filling f and returning the block index. The general
// path validates the event, walks its members and then the delta's: three
// passes over the bulk of every stream. ok is false for anything this does
// not recognise — another event type, an unknown member, an escaped key,
// a number that is not a plain integer, invalid JSON — and the caller then
// takes the general path, which decides (so both paths agree on every
// input: FuzzAnthropicDeltaFastPath).
//
// String values alias data, as gjson's do; those with escapes are
// unescaped into new strings.
func scanAnDelta(data []byte, f *anDeltaFields) (index int64, ok bool) {
	s := unsafe.String(unsafe.SliceData(data), len(data))
	sc := jscan{s: s}
	var sawType, sawIndex, sawDelta bool
	if !sc.members(func(key string) bool {
		switch key {
		case "type":
			v, ok := sc.plainString()
			if !ok || v != "content_block_delta" {
				return false
			}
			sawType = true
		case "index":
			n, ok := sc.uint()
			if !ok {
				return false
			}
			index, sawIndex = n, true
		case "delta":
			*f = anDeltaFields{}
			if !sc.members(func(key string) bool {
				var dst *gjson.Result
				switch key {
				case "type":
					v, ok := sc.plainString()
					f.typ = v
					return ok
				case "text":
					dst = &f.text
				case "thinking":
					dst = &f.thinking
				case "partial_json":
					dst = &f.partial
				default:
					return false
				}
				r, ok := sc.stringValue()
				*dst = r
				return ok
			}) {
				return false
			}
			sawDelta = true
		default:
			return false
		}
		return true
	}) {
		return 0, false
	}
	sc.space()
	if sc.i != len(s) || !sawType || !sawIndex || !sawDelta {
		return 0, false
	}
	return index, true
}

// jscan is the small JSON reader of scanAnDelta. It reads a subset of
// JSON and reports false for anything outside that subset, valid JSON or
// not; the caller then leaves the event to gjson.
type jscan struct {
	s string
	i int
}

func (j *jscan) space() {
	for j.i < len(j.s) {
		switch j.s[j.i] {
		case ' ', '\t', '\n', '\r':
			j.i++
		default:
			return
		}
	}
}

func (j *jscan) byte(c byte) bool {
	j.space()
	if j.i < len(j.s) && j.s[j.i] == c {
		j.i++
		return true
	}
	return false
}

// members reads an object, calling member with each key once the reader
// stands before its value; member reads the value.
func (j *jscan) members(member func(key string) bool) bool {
	if !j.byte('{') {
		return false
	}
	if j.byte('}') {
		return true
	}
	for {
		j.space()
		key, ok := j.plainString()
		if !ok || !j.byte(':') {
			return false
		}
		j.space()
		if !member(key) {
			return false
		}
		if j.byte(',') {
			continue
		}
		return j.byte('}')
	}
}

// plainString reads a string without escapes.
func (j *jscan) plainString() (string, bool) {
	if j.i >= len(j.s) || j.s[j.i] != '"' {
		return "", false
	}
	start := j.i + 1
	for k := start; k < len(j.s); k++ {
		switch c := j.s[k]; {
		case c == '"':
			j.i = k + 1
			return j.s[start:k], true
		case c == '\\' || c < ' ':
			return "", false
		}
	}
	return "", false
}

// stringValue reads a JSON string (escapes checked as gjson does) into a
// gjson.Result like the one gjson would give.
func (j *jscan) stringValue() (gjson.Result, bool) {
	if j.i >= len(j.s) || j.s[j.i] != '"' {
		return gjson.Result{}, false
	}
	start := j.i
	escaped := false
	for k := start + 1; k < len(j.s); k++ {
		switch c := j.s[k]; {
		case c == '"':
			j.i = k + 1
			raw := j.s[start:j.i]
			if escaped {
				return gjson.Parse(raw), true
			}
			return gjson.Result{Type: gjson.String, Raw: raw, Str: raw[1 : len(raw)-1]}, true
		case c < ' ':
			return gjson.Result{}, false
		case c == '\\':
			escaped = true
			k++
			if k >= len(j.s) {
				return gjson.Result{}, false
			}
			switch j.s[k] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if k+4 >= len(j.s) || !isHex4(j.s[k+1:k+5]) {
					return gjson.Result{}, false
				}
				k += 4
			default:
				return gjson.Result{}, false
			}
		}
	}
	return gjson.Result{}, false
}

func isHex4(s string) bool {
	for i := range 4 {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// uint reads a non-negative integer in JSON's form (no leading zeros) of
// at most 18 digits.
func (j *jscan) uint() (int64, bool) {
	start := j.i
	var n int64
	for j.i < len(j.s) && '0' <= j.s[j.i] && j.s[j.i] <= '9' {
		n = n*10 + int64(j.s[j.i]-'0')
		j.i++
	}
	digits := j.i - start
	if digits == 0 || digits > 18 || (digits > 1 && j.s[start] == '0') {
		return 0, false
	}
	if j.i < len(j.s) {
		switch j.s[j.i] {
		case '.', 'e', 'E': // a fraction or exponent: the general path decides
			return 0, false
		}
	}
	return n, true
}
