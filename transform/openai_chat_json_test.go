package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestOAIAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain <b>&</b>", `"plain <b>&</b>"`},
		{"q\"b\\n\n\r\t\x00\x1f", `"q\"b\\n\n\r\t\u0000\u001f"`},
		{"é😀中", `"é😀中"`},
		{"bad\xffutf8\xc3", `"bad\ufffdutf8\ufffd"`},
		{"line\u2028para\u2029", `"line\u2028para\u2029"`},
	}
	for _, tt := range tests {
		got := string(appendJSONString(nil, tt.in))
		if got != tt.want {
			t.Errorf("appendJSONString(%q) = %s, want %s", tt.in, got, tt.want)
		}
		var back string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("%s is not valid JSON: %v", got, err)
		} else if want := strings.ToValidUTF8(tt.in, "\ufffd"); back != want {
			t.Errorf("round trip of %q gave %q", tt.in, back)
		}
	}
}

func TestOAIWriterNesting(t *testing.T) {
	var w jsonWriter
	w.objOpen()
	w.fieldStr("a", "x")
	w.key("b")
	w.arrOpen()
	w.int(1)
	w.objOpen()
	w.fieldNull("c")
	w.objClose()
	w.arrOpen()
	w.arrClose()
	w.float(1.5)
	w.bool(true)
	w.raw(nil)
	w.arrClose()
	w.keyEsc("k\"ey")
	w.raw([]byte(`{"r":1}`))
	w.fieldStrOrNull("e", "")
	w.objClose()
	want := `{"a":"x","b":[1,{"c":null},[],1.5,true,null],"k\"ey":{"r":1},"e":null}`
	if string(w.b) != want {
		t.Errorf("got  %s\nwant %s", w.b, want)
	}
}
