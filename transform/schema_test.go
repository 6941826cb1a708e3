package transform

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCleanSchema(t *testing.T) {
	tests := []struct {
		name   string
		target SchemaTarget
		in     string
		want   string
	}{
		{"plain schema untouched", SchemaGemini,
			`{"type":"object","properties":{"a":{"type":"string","format":"date-time","minLength":1}},"additionalProperties":false}`,
			`{"type":"object","properties":{"a":{"type":"string","format":"date-time","minLength":1}},"additionalProperties":false}`},
		{"light: $schema/$id dropped, const to enum, null union flattened", SchemaGemini,
			`{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","type":"object","properties":{
			  "kind":{"const":"a","description":"d"},
			  "n":{"anyOf":[{"type":"integer","minimum":1},{"type":"null"}],"description":"count"},
			  "u":{"oneOf":[{"type":"string"},{"type":"number"}]}}}`,
			`{"type":"object","properties":{
			  "kind":{"description":"d","enum":["a"]},
			  "n":{"description":"count","type":"integer","minimum":1},
			  "u":{"anyOf":[{"type":"string"},{"type":"number"}]}}}`},
		{"light: local refs inlined, siblings win, defs removed", SchemaGemini,
			`{"type":"object","properties":{"addr":{"$ref":"#/$defs/Addr","description":"home"},"old":{"$ref":"#/definitions/Old"}},
			  "$defs":{"Addr":{"type":"object","description":"an address","properties":{"city":{"type":"string"}}}},
			  "definitions":{"Old":{"type":"string"}}}`,
			`{"type":"object","properties":{"addr":{"type":"object","description":"home","properties":{"city":{"type":"string"}}},"old":{"type":"string"}}}`},
		{"recursive ref becomes a plain object", SchemaGemini,
			`{"type":"object","properties":{"tree":{"$ref":"#/$defs/Node"}},
			  "$defs":{"Node":{"type":"object","properties":{"kids":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}}}`,
			`{"type":"object","properties":{"tree":{"type":"object","properties":{"kids":{"type":"array","items":{"type":"object","description":"See $defs/Node"}}}}}}`},
		{"unresolvable ref", SchemaGemini,
			`{"type":"object","properties":{"x":{"$ref":"https://example.com/s.json"}}}`,
			`{"type":"object","properties":{"x":{"type":"object","description":"See https://example.com/s.json"}}}`},
		{"allOf merged", SchemaGemini,
			`{"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},{"properties":{"b":{"type":"integer"}},"required":["b","a"]}]}`,
			`{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a","b"]}`},
		{"required filtered", SchemaGemini,
			`{"type":"object","properties":{"a":{"type":"string"}},"required":["a","ghost"],"$comment":"x"}`,
			`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`},
		{"property named like keywords survives", SchemaAntigravity,
			`{"type":"object","properties":{"format":{"type":"string","format":"email"},"const":{"type":"string"},"$ref":{"type":"string"}},"required":["format"]}`,
			`{"type":"object","properties":{"format":{"type":"string","description":"format: email"},"const":{"type":"string"},"$ref":{"type":"string"}},"required":["format"]}`},
		{"hard: subset only, constraints hinted", SchemaAntigravity,
			`{"type":"object","title":"T","additionalProperties":false,"properties":{
			  "s":{"type":["string","null"],"pattern":"^a","maxLength":5,"default":"a","examples":["a"]},
			  "n":{"type":"integer","enum":[1,2,3]},
			  "e":{"type":"string","enum":["x","y"]},
			  "list":{"type":"array"},
			  "tuple":{"type":"array","items":[{"type":"string"},{"type":"number"}]},
			  "u":{"anyOf":[{"type":"string"},{"type":"object","properties":{"k":{"type":"string"}}}]},
			  "obj":{"properties":{"z":{"type":"boolean"}},"patternProperties":{"^x":{"type":"string"}}}}}`,
			`{"type":"object","properties":{
			  "s":{"type":"string","description":"pattern: ^a (maxLength: 5) (default: a)"},
			  "n":{"type":"integer","description":"Allowed values: 1, 2, 3"},
			  "e":{"type":"string","enum":["x","y"]},
			  "list":{"type":"array","items":{"type":"string"}},
			  "tuple":{"type":"array","items":{"type":"string"}},
			  "u":{"description":"Accepts: string | object","type":"object","properties":{"k":{"type":"string"}}},
			  "obj":{"properties":{"z":{"type":"boolean"}},"type":"object"}}}`},
		{"claude: placeholder for empty schema", SchemaAntigravityClaude,
			`{"type":"object","properties":{},"additionalProperties":false}`,
			`{"type":"object","properties":{"reason":{"type":"string","description":"Brief explanation of why you are calling this tool"}},"required":["reason"]}`},
		{"claude: no placeholder when properties exist", SchemaAntigravityClaude,
			`{"type":"object","properties":{"a":{"type":"string"}}}`,
			`{"type":"object","properties":{"a":{"type":"string"}}}`},
		{"response schema keeps additionalProperties false", SchemaAntigravityResponse,
			`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false,"$schema":"x"}`,
			`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}`},
		{"not an object", SchemaAntigravity, `true`, `true`},
		{"invalid JSON passes through", SchemaAntigravity, `{"type":`, `{"type":`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanSchema(json.RawMessage(tt.in), tt.target)
			if !json.Valid([]byte(tt.want)) {
				if string(got) != tt.want {
					t.Fatalf("got %s, want %s", got, tt.want)
				}
				return
			}
			gemJSONEqual(t, got, []byte(tt.want))
		})
	}
	if CleanSchema(nil, SchemaGemini) != nil {
		t.Error("nil schema changed")
	}
}

// Key order is kept: Gemini emits structured output in property order.
func TestCleanSchemaKeepsOrder(t *testing.T) {
	in := `{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"const":1},"mid":{"type":"string"}}}`
	got := string(CleanSchema(json.RawMessage(in), SchemaGemini))
	if strings.Index(got, "zeta") > strings.Index(got, "alpha") || strings.Index(got, "alpha") > strings.Index(got, "mid") {
		t.Errorf("order changed: %s", got)
	}
}

// Hostile nesting must neither blow the stack nor take exponential time.
func TestCleanSchemaDeepAndWide(t *testing.T) {
	deep := strings.Repeat(`{"anyOf":[`, 500) + `{"type":"string"}` + strings.Repeat(`,{"type":"null"}]}`, 500)
	for _, target := range []SchemaTarget{SchemaGemini, SchemaAntigravityClaude} {
		if out := CleanSchema(json.RawMessage(deep), target); !json.Valid(out) {
			t.Fatalf("invalid output for deep schema")
		}
	}
	var b strings.Builder
	b.WriteString(`{"$defs":{`)
	for i := 0; i < 30; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		next := "#/$defs/d" + gemItoa(i+1)
		b.WriteString(`"d` + gemItoa(i) + `":{"type":"object","properties":{"a":{"$ref":"` + next + `"},"b":{"$ref":"` + next + `"}}}`)
	}
	b.WriteString(`},"$ref":"#/$defs/d0"}`)
	// 2^30 expansions if refs were inlined without a bound.
	if out := CleanSchema(json.RawMessage(b.String()), SchemaGemini); !json.Valid(out) {
		t.Fatal("invalid output")
	}
}

func TestSchemaFromOpenAPI(t *testing.T) {
	in := `{"type":"OBJECT","propertyOrdering":["b","a"],"properties":{"b":{"type":"ARRAY","items":{"type":"NUMBER"}},"a":{"type":"STRING","nullable":true,"format":"enum","enum":["x"]},"c":{"anyOf":[{"type":"INTEGER"}]}},"required":["b"]}`
	got := SchemaFromOpenAPI(json.RawMessage(in))
	gemJSONEqual(t, got, []byte(`{"type":"object","properties":{"b":{"type":"array","items":{"type":"number"}},"a":{"type":["string","null"],"format":"enum","enum":["x"]},"c":{"anyOf":[{"type":"integer"}]}},"required":["b"]}`))
	plain := json.RawMessage(`{"type":"object"}`)
	if got := SchemaFromOpenAPI(plain); &got[0] != &plain[0] {
		t.Error("standard schema was rewritten")
	}
}

func TestCleanSchemaCache(t *testing.T) {
	in := []byte(`{"type":"object","properties":{"a":{"const":"x"}},"$schema":"s"}`)
	want := CleanSchema(in, SchemaAntigravityClaude)
	for i := 0; i < 3; i++ {
		got, ok := cleanSchemaCached(in, SchemaAntigravityClaude)
		if !ok || string(got) != string(want) {
			t.Fatalf("cached = %s %v, want %s", got, ok, want)
		}
	}
	// Per target: the same text cleaned for another target differs.
	if got, _ := cleanSchemaCached(in, SchemaGemini); string(got) != string(CleanSchema(in, SchemaGemini)) {
		t.Errorf("target mix-up: %s", got)
	}
	// An unchanged schema is cached as a copy, so later changes to the
	// caller's buffer cannot leak into other requests.
	buf := []byte(`{"type":"object"}`)
	first, _ := cleanSchemaCached(buf, SchemaGemini)
	buf[2] = 'X'
	if again, _ := cleanSchemaCached([]byte(`{"type":"object"}`), SchemaGemini); string(again) != `{"type":"object"}` || &first[0] == &buf[0] {
		t.Errorf("cache aliases the caller's buffer: %s", again)
	}
	// Invalid input is remembered as invalid.
	if _, ok := cleanSchemaCached([]byte(`{"a":`), SchemaAntigravity); ok {
		t.Error("invalid schema reported ok")
	}
	// The cache stays bounded.
	for i := 0; i < schemaCacheEntries+50; i++ {
		cleanSchemaCached([]byte(`{"type":"object","description":"`+gemItoa(i)+`"}`), SchemaAntigravity)
	}
	schemaCache.RLock()
	n := len(schemaCache.m[SchemaAntigravity])
	schemaCache.RUnlock()
	if n > schemaCacheEntries {
		t.Errorf("cache holds %d entries", n)
	}
}
