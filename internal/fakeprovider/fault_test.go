package fakeprovider_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/tidwall/gjson"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

const (
	ccOK = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`
	anOK = `{"model":"claude","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`
	geOK = `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
)

func TestFaultStatusPerFormat(t *testing.T) {
	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		typePath, typ    string
	}{
		{"openai 429", ccPath, ccOK, hOpenAI, 429, "error.code", "rate_limit_exceeded"},
		{"openai 500", ccPath, ccOK, hOpenAI, 500, "error.type", "server_error"},
		{"anthropic 529", anPath, anOK, hAnthropic, 529, "error.type", "overloaded_error"},
		{"anthropic 429", anPath, anOK, hAnthropic, 429, "error.type", "rate_limit_error"},
		{"gemini 429", gePath, geOK, hGemini, 429, "error.status", "RESOURCE_EXHAUSTED"},
		{"gemini 503", gePath, geOK, hGemini, 503, "error.status", "UNAVAILABLE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fp.New(t)
			key := tc.headers[1]
			key = strings.TrimPrefix(key, "Bearer ")
			s.Fail(key, fp.Fault{Status: tc.status, RetryAfter: "7", Times: 1})
			r := do(t, s, "POST", tc.path, tc.body, tc.headers...)
			if r.status != tc.status || r.header.Get("Retry-After") != "7" {
				t.Fatalf("status %d retry-after %q", r.status, r.header.Get("Retry-After"))
			}
			if got := gjson.Get(r.body, tc.typePath).String(); got != tc.typ {
				t.Fatalf("%s = %q in %s", tc.typePath, got, r.body)
			}
			if tc.status == 429 && strings.Contains(tc.path, "v1beta") && gjson.Get(r.body, `error.details.#(@type%"*RetryInfo").retryDelay`).String() != "7s" {
				t.Fatalf("no RetryInfo in %s", r.body)
			}
			// Times: 1 means the next request succeeds.
			if r := do(t, s, "POST", tc.path, tc.body, tc.headers...); r.status != 200 {
				t.Fatalf("second request %d %s", r.status, r.body)
			}
			reqs := s.RequestsFor(key)
			if len(reqs) != 2 || !reqs[0].Faulted || reqs[1].Faulted || reqs[0].Status != tc.status || reqs[1].Status != 200 {
				t.Fatalf("records %+v", reqs)
			}
		})
	}
}

func TestFaultBodyOnlyModelAndClear(t *testing.T) {
	s := fp.New(t)
	s.Fail("sk-raw", fp.Fault{Status: 400, Body: `{"error":{"message":"custom"}}`, Only: "/responses"})
	if r := do(t, s, "POST", ccPath, ccOK, hOpenAI...); r.status != 200 {
		t.Fatalf("Only ignored: %d", r.status)
	}
	r := do(t, s, "POST", rsPath, `{"model":"m","input":"x"}`, hOpenAI...)
	if r.status != 400 || r.body != `{"error":{"message":"custom"}}` {
		t.Fatalf("body override: %d %s", r.status, r.body)
	}
	s.Clear("sk-raw")
	if r := do(t, s, "POST", rsPath, `{"model":"m","input":"x"}`, hOpenAI...); r.status != 200 {
		t.Fatalf("after Clear: %d", r.status)
	}
	s.FailModel("gpt-broken", fp.Fault{Status: 503})
	if r := do(t, s, "POST", ccPath, `{"model":"gpt-broken","messages":[{"role":"user","content":"x"}]}`, hOpenAI...); r.status != 503 {
		t.Fatalf("model fault: %d", r.status)
	}
	if r := do(t, s, "POST", "/v1beta/models/gpt-broken:generateContent", geOK, hGemini...); r.status != 503 {
		t.Fatalf("model fault from path: %d", r.status)
	}
	if n := s.CountModel("gpt-broken"); n != 2 {
		t.Fatalf("CountModel %d", n)
	}
}

func TestFaultGarbage(t *testing.T) {
	s := fp.New(t)
	s.Fail("sk-garbage", fp.Fault{Garbage: true})
	c := openAIClient(s, "sk-garbage")
	_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "gpt-4o", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")},
	})
	if err == nil {
		t.Fatal("garbage parsed as a completion")
	}
	r := do(t, s, "POST", ccPath, ccOK, "Authorization", "Bearer sk-garbage")
	if r.status != 200 || gjson.Valid(r.body) {
		t.Fatalf("garbage answer %d %q", r.status, r.body)
	}
}

func TestFaultHangCancelAndRelease(t *testing.T) {
	s := fp.New(t)
	s.Fail("sk-hang", fp.Fault{HangBeforeHeaders: true})
	c := openAIClient(s, "sk-hang")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: "gpt-4o", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("x")},
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline, got %v", err)
	}
	if !s.Wait(2 * time.Second) {
		t.Fatal("handler still running")
	}
	if s.Cancelled() != 1 {
		t.Fatalf("Cancelled = %d", s.Cancelled())
	}

	done := make(chan rawResult)
	go func() { done <- do(t, s, "POST", ccPath, ccOK, "Authorization", "Bearer sk-hang") }()
	select {
	case <-done:
		t.Fatal("request was not held")
	case <-time.After(30 * time.Millisecond):
	}
	s.Release()
	if r := <-done; r.status != 200 {
		t.Fatalf("after release %d", r.status)
	}
}

func TestFaultDelay(t *testing.T) {
	s := fp.New(t)
	s.Fail("sk-slow", fp.Fault{Delay: 60 * time.Millisecond, Times: 1})
	start := time.Now()
	if r := do(t, s, "POST", ccPath, ccOK, "Authorization", "Bearer sk-slow"); r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if time.Since(start) < 60*time.Millisecond {
		t.Fatal("no delay")
	}
}

func TestFaultCutStream(t *testing.T) {
	s := fp.New(t)
	s.Fail("sk-ant-cut", fp.Fault{CutStreamAfter: 3})
	c := anthropicClient(s, "sk-ant-cut")
	stream := c.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model: "claude", MaxTokens: 10,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("x"))},
	})
	n := 0
	for stream.Next() {
		n++
	}
	if stream.Err() == nil {
		t.Fatal("cut stream ended without error")
	}
	if n > 3 {
		t.Fatalf("%d events after cut", n)
	}

	// A non-stream answer is cut in half.
	s.Fail("sk-raw", fp.Fault{CutStreamAfter: 1})
	r := do(t, s, "POST", ccPath, ccOK, hOpenAI...)
	if r.err == nil && gjson.Valid(r.body) {
		t.Fatalf("body was not cut: %q", r.body)
	}
}

func TestFaultStreamCancelledMidway(t *testing.T) {
	s := fp.New(t)
	s.Fail("sk-midway", fp.Fault{EventDelay: 20 * time.Millisecond})
	c := openAIClient(s, "sk-midway")
	ctx, cancel := context.WithCancel(context.Background())
	stream := c.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gpt-4o", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("a long question")},
	})
	if !stream.Next() {
		t.Fatal(stream.Err())
	}
	cancel()
	for stream.Next() {
	}
	if !s.Wait(2 * time.Second) {
		t.Fatal("handler still running")
	}
	if s.Cancelled() != 1 {
		t.Fatalf("Cancelled = %d", s.Cancelled())
	}
	s.Reset()
	if s.Count() != 0 {
		t.Fatal("Reset kept records")
	}
	if r := do(t, s, "POST", ccPath, ccOK, "Authorization", "Bearer sk-midway"); r.status != http.StatusOK || s.Requests()[0].Faulted {
		t.Fatal("Reset kept faults")
	}
}

func TestKeysRequireAndRevoke(t *testing.T) {
	s := fp.New(t)
	s.RequireKeys()
	if r := do(t, s, "POST", ccPath, ccOK, hOpenAI...); r.status != 401 {
		t.Fatalf("prefix key accepted under RequireKeys: %d", r.status)
	}
	s.AddKey("sk-raw")
	if r := do(t, s, "POST", ccPath, ccOK, hOpenAI...); r.status != 200 {
		t.Fatalf("added key: %d", r.status)
	}
	s.RevokeKey("sk-raw")
	if r := do(t, s, "POST", ccPath, ccOK, hOpenAI...); r.status != 401 {
		t.Fatalf("revoked key: %d", r.status)
	}
}

func TestFaultStreamError(t *testing.T) {
	cases := []struct {
		name, path, body string
		headers          []string
		want             string
	}{
		{"chat", ccPath, `{"model":"m","stream":true,"messages":[{"role":"user","content":"a b c d"}]}`, hOpenAI, "data: {\"error\":{\"message\""},
		{"responses", rsPath, `{"model":"m","stream":true,"input":"a b c d"}`, hOpenAI, "event: error\ndata: {\"type\":\"error\",\"sequence_number\":2,"},
		{"anthropic", anPath, `{"model":"m","max_tokens":9,"stream":true,"messages":[{"role":"user","content":"a b"}]}`, hAnthropic, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\""},
		{"gemini", "/v1beta/models/g:streamGenerateContent?alt=sse", geOK, hGemini, "data: {\"error\":{\"code\":500,"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := fp.New(t)
			s.Fail(strings.TrimPrefix(tc.headers[1], "Bearer "), fp.Fault{StreamErrorAfter: 2})
			r := do(t, s, "POST", tc.path, tc.body, tc.headers...)
			if r.status != 200 || !strings.Contains(r.body, tc.want) {
				t.Fatalf("body:\n%s", r.body)
			}
			if strings.Contains(r.body, "[DONE]") || strings.Contains(r.body, "message_stop") || strings.Contains(r.body, "response.completed") {
				t.Fatalf("stream went on after the error:\n%s", r.body)
			}
		})
	}
	// The SDK surfaces it as an error.
	s := fp.New(t)
	s.Fail("sk-ant-err", fp.Fault{StreamErrorAfter: 3})
	client := anthropicClient(s, "sk-ant-err")
	stream := client.Messages.NewStreaming(context.Background(), anthropic.MessageNewParams{
		Model: "claude", MaxTokens: 10, Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("x"))},
	})
	for stream.Next() {
	}
	if stream.Err() == nil || !strings.Contains(stream.Err().Error(), "overloaded_error") {
		t.Fatalf("err %v", stream.Err())
	}
}
