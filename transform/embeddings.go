package transform

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"

	"github.com/tidwall/gjson"
)

// EmbeddingsRequestToGemini turns an OpenAI embeddings request into a Gemini
// batchEmbedContents body for model. It returns the encoding format the
// client asked for ("float" or "base64"), needed for the answer.
func EmbeddingsRequestToGemini(body []byte, model string) (out []byte, encoding string, err error) {
	root := gjson.ParseBytes(body)
	var inputs []string
	in := root.Get("input")
	switch {
	case in.Type == gjson.String:
		inputs = []string{in.Str}
	case in.IsArray():
		for i, v := range in.Array() {
			if v.Type != gjson.String {
				return nil, "", Errorf(400, "input[%d]: only text inputs can be embedded by a Gemini channel (token arrays cannot)", i)
			}
			inputs = append(inputs, v.Str)
		}
	default:
		return nil, "", Errorf(400, "input: required (a string or an array of strings)")
	}
	if len(inputs) == 0 {
		return nil, "", Errorf(400, "input: must not be empty")
	}
	encoding = root.Get("encoding_format").String()
	if encoding == "" {
		encoding = "float"
	}
	if encoding != "float" && encoding != "base64" {
		return nil, "", Errorf(400, "encoding_format: must be float or base64")
	}
	type part struct {
		Text string `json:"text"`
	}
	type content struct {
		Parts []part `json:"parts"`
	}
	type req struct {
		Model                string  `json:"model"`
		Content              content `json:"content"`
		OutputDimensionality int64   `json:"outputDimensionality,omitempty"`
	}
	reqs := make([]req, len(inputs))
	dims := root.Get("dimensions").Int()
	for i, text := range inputs {
		reqs[i] = req{Model: "models/" + model, Content: content{Parts: []part{{Text: text}}}, OutputDimensionality: dims}
	}
	out, err = json.Marshal(map[string]any{"requests": reqs})
	return out, encoding, err
}

// EmbeddingsResponseFromGemini turns a Gemini batchEmbedContents answer into
// an OpenAI embeddings answer.
func EmbeddingsResponseFromGemini(body []byte, model, encoding string) ([]byte, error) {
	embs := gjson.GetBytes(body, "embeddings")
	if !embs.IsArray() {
		return nil, Errorf(502, "the Gemini answer has no embeddings")
	}
	type item struct {
		Object    string `json:"object"`
		Index     int    `json:"index"`
		Embedding any    `json:"embedding"`
	}
	var data []item
	for i, e := range embs.Array() {
		vals := e.Get("values").Array()
		f := make([]float64, len(vals))
		for j, v := range vals {
			f[j] = v.Float()
		}
		var emb any = f
		if encoding == "base64" {
			b := make([]byte, 4*len(f))
			for j, v := range f {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(float32(v)))
			}
			emb = base64.StdEncoding.EncodeToString(b)
		}
		data = append(data, item{Object: "embedding", Index: i, Embedding: emb})
	}
	return json.Marshal(map[string]any{
		"object": "list", "data": data, "model": model,
		// Gemini reports no token counts for embeddings.
		"usage": map[string]int{"prompt_tokens": 0, "total_tokens": 0},
	})
}
