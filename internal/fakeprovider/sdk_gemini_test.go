package fakeprovider_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"google.golang.org/genai"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

func geminiClient(t *testing.T, s *fp.Server, key string) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:      key,
		Backend:     genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: s.URL()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var geminiWeather = &genai.Tool{FunctionDeclarations: []*genai.FunctionDeclaration{{
	Name: "get_weather",
	ParametersJsonSchema: map[string]any{
		"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}},
	},
}}}

func TestGeminiText(t *testing.T) {
	s := fp.New(t)
	c := geminiClient(t, s, "AIza-text")
	resp, err := c.Models.GenerateContent(context.Background(), "gemini-2.5-flash-think", genai.Text("hi"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(fp.GreetingFormat, fp.Gemini, "hi"); resp.Text() != want {
		t.Fatalf("text %q want %q", resp.Text(), want)
	}
	parts := resp.Candidates[0].Content.Parts
	if !parts[0].Thought || parts[0].Text != fp.ThinkingText || string(parts[1].ThoughtSignature) == "" {
		t.Fatalf("parts %+v", parts)
	}
	u := resp.UsageMetadata
	if u.PromptTokenCount != fp.PromptTokens || u.CandidatesTokenCount != fp.CompletionTokens-fp.ReasoningTokens ||
		u.ThoughtsTokenCount != fp.ReasoningTokens || u.TotalTokenCount != fp.TotalTokens {
		t.Fatalf("usage %+v", u)
	}
	if resp.Candidates[0].FinishReason != genai.FinishReasonStop {
		t.Fatalf("finish %q", resp.Candidates[0].FinishReason)
	}
	req, _ := s.Last()
	if req.Path != "/v1beta/models/gemini-2.5-flash-think:generateContent" || req.Key != "AIza-text" {
		t.Fatalf("request %s key %q", req.Path, req.Key)
	}
}

func TestGeminiStreamFunctionCalls(t *testing.T) {
	s := fp.New(t)
	c := geminiClient(t, s, "AIza-stream")
	ctx := context.Background()
	cfg := &genai.GenerateContentConfig{Tools: []*genai.Tool{geminiWeather}}
	var calls []*genai.FunctionCall
	var last *genai.GenerateContentResponse
	n := 0
	for resp, err := range c.Models.GenerateContentStream(ctx, "gemini-3-pro-parallel", genai.Text("weather?"), cfg) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		calls = append(calls, resp.FunctionCalls()...)
		last = resp
	}
	if len(calls) != 2 || calls[0].Args["city"] != "Paris" || calls[1].Args["city"] != "London" {
		t.Fatalf("calls %+v", calls)
	}
	if last.UsageMetadata.TotalTokenCount != fp.TotalTokens || last.Candidates[0].FinishReason != genai.FinishReasonStop {
		t.Fatalf("last chunk %+v", last)
	}
	req, _ := s.Last()
	if req.Query.Get("alt") != "sse" || !req.Stream {
		t.Fatalf("query %v", req.Query)
	}

	// Gemini 3 requires the signature back on the call: a history built from
	// the answer (signature kept) is accepted, one without it is not.
	model := last.Candidates[0].Content
	history := []*genai.Content{
		genai.NewContentFromText("weather?", genai.RoleUser),
		model,
		{Role: genai.RoleUser, Parts: []*genai.Part{
			genai.NewPartFromFunctionResponse("get_weather", map[string]any{"temp": 21}),
			genai.NewPartFromFunctionResponse("get_weather", map[string]any{"temp": 18}),
		}},
	}
	resp, err := c.Models.GenerateContent(ctx, "gemini-3-pro", history, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := fp.ToolResultsPrefix + `{"temp":21}` + fp.ToolResultsSeparator + `{"temp":18}`; resp.Text() != want {
		t.Fatalf("text %q want %q", resp.Text(), want)
	}
	model.Parts[0].ThoughtSignature = nil
	_, err = c.Models.GenerateContent(ctx, "gemini-3-pro", history, cfg)
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != http.StatusBadRequest {
		t.Fatalf("want 400 for missing signature, got %v", err)
	}
	model.Parts[0].ThoughtSignature = []byte("not ours")
	_, err = c.Models.GenerateContent(ctx, "gemini-2.5-flash", history, cfg)
	if !errors.As(err, &apiErr) || apiErr.Message != "Corrupted thought signature." {
		t.Fatalf("want corrupted signature, got %v", err)
	}
}

func TestGeminiCountEmbedModels(t *testing.T) {
	s := fp.New(t)
	c := geminiClient(t, s, "AIza-misc")
	ctx := context.Background()
	ct, err := c.Models.CountTokens(ctx, "gemini-2.5-flash", genai.Text("hi"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ct.TotalTokens != fp.PromptTokens {
		t.Fatalf("count %d", ct.TotalTokens)
	}
	emb, err := c.Models.EmbedContent(ctx, "text-embedding-004", genai.Text("x"), &genai.EmbedContentConfig{OutputDimensionality: genai.Ptr[int32](3)})
	if err != nil {
		t.Fatal(err)
	}
	want := fp.Embedding("x", 3)
	if len(emb.Embeddings) != 1 || len(emb.Embeddings[0].Values) != 3 || emb.Embeddings[0].Values[0] != want[0] {
		t.Fatalf("embedding %+v", emb.Embeddings)
	}
	var names []string
	for m, err := range c.Models.All(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m.Name)
	}
	if len(names) != 4 || names[0] != "models/gemini-2.5-flash" {
		t.Fatalf("models %v", names)
	}
}
