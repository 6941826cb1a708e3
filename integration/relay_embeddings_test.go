package integration

import (
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// TestEmbeddings calls POST /v1/embeddings with the OpenAI SDK against an
// OpenAI channel (passthrough) and a Gemini channel (translated to
// batchEmbedContents), and checks the vectors are the upstream's.
func TestEmbeddings(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t,
		channel("oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-emb-oa", "text-embedding-3-small")+
			channel("ge", "gemini", baseURL(fake, "gemini"), "AIza-emb-ge", "text-embedding-004")+
			group("emb-openai", "", "channel oa text-embedding-3-small")+
			group("emb-gemini", "", "channel ge text-embedding-004")+
			apiKey())
	c := openaiClient(in, clientKey)
	for _, model := range []string{"emb-openai", "emb-gemini"} {
		t.Run(model, func(t *testing.T) {
			for _, enc := range []openai.EmbeddingNewParamsEncodingFormat{openai.EmbeddingNewParamsEncodingFormatFloat, openai.EmbeddingNewParamsEncodingFormatBase64} {
				res, err := c.Embeddings.New(ctxT(t), openai.EmbeddingNewParams{
					Model:          openai.EmbeddingModel(model),
					Input:          openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"hello", "world"}},
					EncodingFormat: enc,
				})
				if err != nil {
					t.Fatalf("%s: %v", enc, err)
				}
				if len(res.Data) != 2 {
					t.Fatalf("%s: %d embeddings", enc, len(res.Data))
				}
				for i, text := range []string{"hello", "world"} {
					want := fakeprovider.Embedding(text, 0)
					got := res.Data[i].Embedding
					if len(got) != len(want) {
						t.Fatalf("%s: embedding %d has %d values, want %d", enc, i, len(got), len(want))
					}
					for j := range want {
						if float32(got[j]) != want[j] {
							t.Fatalf("%s: embedding %d value %d = %v, want %v", enc, i, j, got[j], want[j])
						}
					}
				}
			}
		})
	}
	if fake.CountFor("AIza-emb-ge") == 0 || fake.CountFor("sk-emb-oa") == 0 {
		t.Fatal("both channels must have been called")
	}
}
