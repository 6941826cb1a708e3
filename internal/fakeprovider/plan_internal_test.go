package fakeprovider

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

func TestArgsFor(t *testing.T) {
	cases := []struct {
		schema  string
		variant int
		want    string
	}{
		{`{"type":"object","properties":{"city":{"type":"string"}}}`, 0, `{"city":"Paris"}`},
		{`{"type":"object","properties":{"city":{"type":"string"}}}`, 1, `{"city":"London"}`},
		{`{"type":"OBJECT","properties":{"n":{"type":"INTEGER"},"ok":{"type":"BOOLEAN"}}}`, 0, `{"n":42,"ok":true}`},
		{`{"properties":{"tags":{"type":"array","items":{"type":"string"}},"opt":{"type":["null","number"]}}}`, 0, `{"tags":["example"],"opt":42}`},
		{`{"properties":{"u":{"enum":["c","f"]},"o":{"type":"object","properties":{"location":{"type":"string"}}}}}`, 1, `{"u":"f","o":{"location":"London"}}`},
		{``, 0, `{}`},
	}
	for _, tc := range cases {
		got := argsFor(gjson.Parse(tc.schema), tc.variant)
		if got != tc.want {
			t.Errorf("argsFor(%s, %d) = %s, want %s", tc.schema, tc.variant, got, tc.want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("invalid JSON %s", got)
		}
	}
}

func TestSplitters(t *testing.T) {
	text := "Hello from gemini! You said: hi"
	parts := splitText(text)
	if strings.Join(parts, "") != text || len(parts) != 3 {
		t.Fatalf("splitText %q", parts)
	}
	for _, s := range []string{`{"city":"Paris"}`, `{"c":"Zürich€"}`, `{}`, ``} {
		frags := splitArgs(s)
		if strings.Join(frags, "") != s {
			t.Fatalf("splitArgs %q lost data: %q", s, frags)
		}
		for _, f := range frags {
			if !strings.HasPrefix(s, "") || !validUTF8(f) {
				t.Fatalf("fragment %q splits a rune", f)
			}
		}
		if len(s) >= 3 && len(frags) < 2 {
			t.Fatalf("splitArgs %q not split", s)
		}
	}
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestObj(t *testing.T) {
	got := string(obj("a", 1, "skip", omit, "b", json.RawMessage(`{"x":null}`), "c", "<&>", "d", nil))
	if want := `{"a":1,"b":{"x":null},"c":"<&>","d":null}`; got != want {
		t.Fatalf("obj = %s, want %s", got, want)
	}
	if got := string(obj("only", omit)); got != `{}` {
		t.Fatalf("obj = %s", got)
	}
	if got := string(colonSpaced([]byte(`{"a":"x:y\":z","b":[1,{"c":2}]}`))); got != `{"a": "x:y\":z","b": [1,{"c": 2}]}` {
		t.Fatalf("colonSpaced = %s", got)
	}
}
