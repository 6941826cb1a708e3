package provider

import (
	"net/http"
	"testing"
)

func TestURLCompletion(t *testing.T) {
	cases := []struct {
		typ, base, model string
		op               Op
		stream           bool
		want             string
	}{
		{"openai_chat", "https://api.openai.com/v1/", "gpt-4o", OpGenerate, true, "https://api.openai.com/v1/chat/completions"},
		{"openai_chat", "https://x/v1", "", OpEmbeddings, false, "https://x/v1/embeddings"},
		{"openai_responses", "https://x/v1", "gpt-5", OpGenerate, false, "https://x/v1/responses"},
		{"anthropic", "https://api.anthropic.com/v1", "claude", OpGenerate, true, "https://api.anthropic.com/v1/messages"},
		{"anthropic", "https://api.anthropic.com/v1", "claude", OpCountTokens, false, "https://api.anthropic.com/v1/messages/count_tokens"},
		{"gemini", "https://g/v1beta", "gemini-2.5-flash", OpGenerate, false, "https://g/v1beta/models/gemini-2.5-flash:generateContent"},
		{"gemini", "https://g/v1beta", "gemini-2.5-flash", OpGenerate, true, "https://g/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
		{"gemini", "https://g/v1beta", "m", OpCountTokens, false, "https://g/v1beta/models/m:countTokens"},
		{"gemini", "https://g/v1beta", "", OpListModels, false, "https://g/v1beta/models"},
		{"antigravity", "https://ag", "claude-sonnet-4-5", OpGenerate, true, "https://ag/v1internal:streamGenerateContent?alt=sse"},
		{"antigravity", "https://ag", "m", OpGenerate, false, "https://ag/v1internal:generateContent"},
		{"antigravity", "https://ag", "", OpListModels, false, "https://ag/v1internal:fetchAvailableModels"},
	}
	for _, c := range cases {
		if got := Lookup(c.typ).URL(c.base, c.model, c.op, c.stream); got != c.want {
			t.Errorf("%s %q: got %s want %s", c.typ, c.model, got, c.want)
		}
	}
}

func TestSetAuth(t *testing.T) {
	h := http.Header{}
	Lookup("anthropic").SetAuth(h, "sk-ant-1")
	if h.Get("x-api-key") != "sk-ant-1" || h.Get("anthropic-version") != DefaultAnthropicVersion {
		t.Fatalf("anthropic headers %v", h)
	}
	h = http.Header{"Anthropic-Version": {"2026-10-21"}}
	Lookup("anthropic").SetAuth(h, "k")
	if h.Get("anthropic-version") != "2026-10-21" {
		t.Fatal("a channel's own anthropic-version must win")
	}
	h = http.Header{}
	Lookup("gemini").SetAuth(h, "AIza1")
	if h.Get("x-goog-api-key") != "AIza1" || h.Get("Authorization") != "" {
		t.Fatalf("gemini headers %v", h)
	}
	h = http.Header{}
	Lookup("openai_chat").SetAuth(h, "sk-1")
	if h.Get("Authorization") != "Bearer sk-1" {
		t.Fatalf("openai headers %v", h)
	}
	if Lookup("nope") != nil {
		t.Fatal("unknown type found")
	}
}
