package transform

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"testing"

	"github.com/tidwall/gjson"
)

func TestEmbeddingsToGeminiAndBack(t *testing.T) {
	body, enc, err := EmbeddingsRequestToGemini([]byte(`{"model":"emb","input":["a","b"],"dimensions":8}`), "text-embedding-004")
	if err != nil || enc != "float" {
		t.Fatal(err, enc)
	}
	r := gjson.ParseBytes(body)
	if r.Get("requests.#").Int() != 2 || r.Get("requests.1.content.parts.0.text").Str != "b" ||
		r.Get("requests.0.model").Str != "models/text-embedding-004" || r.Get("requests.0.outputDimensionality").Int() != 8 {
		t.Fatalf("request %s", body)
	}
	out, err := EmbeddingsResponseFromGemini([]byte(`{"embeddings":[{"values":[0.5,-1]},{"values":[0.25,2]}]}`), "emb", "float")
	if err != nil {
		t.Fatal(err)
	}
	o := gjson.ParseBytes(out)
	if o.Get("object").Str != "list" || o.Get("data.1.index").Int() != 1 || o.Get("data.1.embedding.1").Float() != 2 {
		t.Fatalf("answer %s", out)
	}
	out, _ = EmbeddingsResponseFromGemini([]byte(`{"embeddings":[{"values":[0.5,-1]}]}`), "emb", "base64")
	raw, _ := base64.StdEncoding.DecodeString(gjson.GetBytes(out, "data.0.embedding").Str)
	if len(raw) != 8 || math.Float32frombits(binary.LittleEndian.Uint32(raw[4:])) != -1 {
		t.Fatalf("base64 answer %s", out)
	}
	if _, _, err := EmbeddingsRequestToGemini([]byte(`{"model":"emb","input":[[1,2]]}`), "m"); err == nil {
		t.Fatal("token arrays must be refused with a reason")
	}
}
