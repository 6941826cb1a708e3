package fakeprovider

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"math"

	"github.com/tidwall/gjson"
)

// Embedding returns the vector the fake answers for text with dims
// dimensions (DefaultEmbeddingDims when dims <= 0). It is deterministic and
// of unit length, so tests can compare exact values.
func Embedding(text string, dims int) []float32 {
	if dims <= 0 {
		dims = DefaultEmbeddingDims
	}
	v := make([]float32, dims)
	var sum float64
	for i := range v {
		h := fnv.New64a()
		_, _ = h.Write([]byte{byte(i), byte(i >> 8)})
		_, _ = h.Write([]byte(text))
		// Map the hash to [-1, 1).
		f := float64(h.Sum64()>>11)/float64(1<<53)*2 - 1
		v[i] = float32(f)
		sum += f * f
	}
	if sum > 0 {
		n := math.Sqrt(sum)
		for i := range v {
			v[i] = float32(float64(v[i]) / n)
		}
	}
	return v
}

type ccEmbeddingList struct {
	Object string        `json:"object"`
	Data   []ccEmbedding `json:"data"`
	Model  string        `json:"model"`
	Usage  ccEmbedUsage  `json:"usage"`
}

type ccEmbedding struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"` // []float32, or base64 string
}

type ccEmbedUsage struct {
	PromptTokens int `json:"prompt_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// serveEmbeddings is POST /v1/embeddings.
func (s *Server) serveEmbeddings(x *exchange) {
	root, e := openAIRoot(x.body)
	if e != nil {
		x.fail(e)
		return
	}
	model := root.Get("model").String()
	if model == "" {
		x.fail(&apiError{status: 400, msg: "you must provide a model parameter"})
		return
	}
	if e := modelMissing(x.f, model); e != nil {
		x.fail(e)
		return
	}
	in := root.Get("input")
	var texts []string
	switch {
	case !in.Exists():
		x.fail(&apiError{status: 400, msg: "Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter"})
		return
	case in.Type == gjson.String:
		texts = []string{in.String()}
	case in.IsArray() && len(in.Array()) > 0:
		// Token arrays (numbers) are embedded by their JSON text.
		if in.Array()[0].Type == gjson.Number {
			texts = []string{in.Raw}
		} else {
			for _, t := range in.Array() {
				texts = append(texts, t.String())
			}
		}
	default:
		x.fail(&apiError{status: 400, msg: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", param: "input"})
		return
	}
	dims := int(root.Get("dimensions").Int())
	b64 := root.Get("encoding_format").String() == "base64"
	out := ccEmbeddingList{Object: "list", Model: model, Usage: ccEmbedUsage{PromptTokens: PromptTokens, TotalTokens: PromptTokens}}
	for i, t := range texts {
		v := Embedding(t, dims)
		item := ccEmbedding{Object: "embedding", Index: i, Embedding: v}
		if b64 {
			buf := make([]byte, 4*len(v))
			for j, f := range v {
				binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(f))
			}
			item.Embedding = base64.StdEncoding.EncodeToString(buf)
		}
		out.Data = append(out.Data, item)
	}
	x.writeJSON(out)
}
