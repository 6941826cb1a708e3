package transform

import (
	"testing"

	"github.com/tidwall/gjson"
)

// anGeneralDelta reads data the way Feed's general path does: ok is false
// when it would not decode it as a content_block_delta.
func anGeneralDelta(data []byte) (index int64, f anDeltaFields, ok bool) {
	if !gjson.ValidBytes(data) {
		return 0, f, false
	}
	e := anEventOf(data)
	return e.index, anDeltaFieldsOf(e.delta), e.typ == "content_block_delta"
}

var anDeltaSeeds = []string{
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
	`{"delta":{"text":"tok ","type":"text_delta"},"index":0,"type":"content_block_delta"}`,
	` { "type" : "content_block_delta" , "index" : 12 , "delta" : { "type" : "thinking_delta" , "thinking" : "hm\n" } } `,
	`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Par"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"caf\u00e9 \ud83d\ude00 \/ \\ \" \b\f\r\t"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}`,
	`{"type":"content_block_delta","index":0,"delta":{}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a","text":"b"}}`,
	`{"type":"content_block_delta","index":0,"index":3,"delta":{"type":"text_delta","text":"a"}}`,
	// Each of these the fast path leaves to the general one.
	`{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQ"}}`,
	`{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"a"}}`,
	`{"type":"content_block_delta","index":1.5,"delta":{"type":"text_delta","text":"a"}}`,
	`{"type":"content_block_delta","index":1e0,"delta":{"type":"text_delta","text":"a"}}`,
	`{"type":"content_block_delta","index":-1,"delta":{"type":"text_delta","text":"a"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\x"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\u12"}}`,
	"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\x01\"}}",
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}x`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}`,
	`{"type":"content\u005fblock_delta","index":0,"delta":{"type":"text_delta","text":"a"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"},"usage":{}}`,
	`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}`,
	`{"type":"content_block_delta","index":0,"delta":"text"}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":7}}`,
	`{"type":"content_block_delta","delta":{"type":"text_delta","text":"a"}}`,
	`{"index":0,"delta":{"type":"text_delta","text":"a"}}`,
}

// The fast path either declines an event or reads it exactly as the
// general path does.
func FuzzAnthropicDeltaFastPath(f *testing.F) {
	for _, s := range anDeltaSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast anDeltaFields
		idx, ok := scanAnDelta(data, &fast)
		if !ok {
			return
		}
		gIdx, general, gOK := anGeneralDelta(data)
		if !gOK {
			t.Fatalf("fast path took %q, which the general path rejects", data)
		}
		if idx != gIdx || fast.typ != general.typ || fast.signature.Str != "" ||
			fast.text.Str != general.text.Str || fast.thinking.Str != general.thinking.Str || fast.partial.Str != general.partial.Str {
			t.Fatalf("%q: fast path read index %d %+v, general path index %d %+v", data, idx, fast, gIdx, general)
		}
		// own copies a string whose Raw is its Str quoted (it aliases the
		// event) and keeps any other (unescaped, already new): an escaped
		// string must never look like the first kind.
		for _, r := range []gjson.Result{fast.text, fast.thinking, fast.partial} {
			if len(r.Raw) == len(r.Str)+2 && r.Raw[1:len(r.Raw)-1] != r.Str {
				t.Fatalf("%q: Raw %q is not Str %q quoted", data, r.Raw, r.Str)
			}
		}
	})
}

// Which seeds the fast path takes: the API's own shapes, and nothing it
// should leave to the general path.
func TestAnthropicDeltaFastPathTakes(t *testing.T) {
	for i, s := range anDeltaSeeds {
		var f anDeltaFields
		_, ok := scanAnDelta([]byte(s), &f)
		if want := i < 9; ok != want {
			t.Errorf("seed %d %s: fast path took it = %v, want %v", i, s, ok, want)
		}
	}
}
