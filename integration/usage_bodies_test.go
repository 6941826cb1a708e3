package integration

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// bodyLog is a request log row as GET /logs/{id} shows it.
type bodyLog struct {
	ID                    int     `json:"id"`
	Stream                bool    `json:"stream"`
	Status                int     `json:"status"`
	RequestBody           *string `json:"request_body"`
	ResponseBody          *string `json:"response_body"`
	RequestBodyTruncated  bool    `json:"request_body_truncated"`
	ResponseBodyTruncated bool    `json:"response_body_truncated"`
}

// nthLog waits for the group's n-th logged request (1 = the first) and
// returns it with its bodies.
func nthLog(t *testing.T, c *admClient, group string, n int) bodyLog {
	t.Helper()
	var id int
	admEventually(t, 10*time.Second, func() string {
		r := c.must(200, "GET", "/api/v1/logs?limit=500&group="+group, nil)
		var page struct {
			Logs []bodyLog `json:"logs"`
		}
		if err := json.Unmarshal(r.Body, &page); err != nil {
			return err.Error()
		}
		if len(page.Logs) < n {
			return fmt.Sprintf("%d rows logged for %s, want %d", len(page.Logs), group, n)
		}
		for _, l := range page.Logs {
			if l.RequestBody != nil || l.ResponseBody != nil {
				return "the list carries bodies"
			}
		}
		id = page.Logs[len(page.Logs)-n].ID // newest first
		return ""
	})
	var l bodyLog
	if err := json.Unmarshal(c.must(200, "GET", fmt.Sprintf("/api/v1/logs/%d", id), nil).Body, &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRequestBodyLogging turns body recording on and off through the
// store settings of a running gateway (no restart) and checks what the
// request log keeps: nothing when off; when on, the client's request and
// what the client received, non-streaming, streaming and translated,
// each capped at log_body_max_bytes and flagged when cut.
func TestRequestBodyLogging(t *testing.T) {
	fake := fakeprovider.New(t)
	in := admStart(t, channel("bl-oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-bodies-oa", "gpt-4o")+
		group("bl-chat", "", "channel bl-oa gpt-4o")+apiKey(), "")
	c := admLogin(t, in.BaseURL)
	ctx := ctxT(t)
	oa := openaiClient(in, clientKey)
	an := anthropicClient(in, clientKey)
	prompt := "Say hello. " + strings.Repeat("padding ", 100) // ~800 bytes
	params := openai.ChatCompletionNewParams{Model: "bl-chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)}}
	nth := 0
	send := func(stream bool) {
		t.Helper()
		nth++
		if !stream {
			if _, err := oa.Chat.Completions.New(ctx, params); err != nil {
				t.Fatalf("chat: %v", err)
			}
			return
		}
		s := oa.Chat.Completions.NewStreaming(ctx, params)
		for s.Next() {
		}
		if err := s.Err(); err != nil {
			t.Fatalf("chat stream: %v", err)
		}
	}

	// Off by default.
	send(false)
	if l := nthLog(t, c, "bl-chat", nth); l.RequestBody != nil || l.ResponseBody != nil || l.RequestBodyTruncated {
		t.Fatalf("bodies recorded while off: %+v", l)
	}

	// On, with a cap below the request's size.
	c.must(200, "PUT", "/api/v1/settings", map[string]string{"log_bodies": "on", "log_body_max_bytes": "200"})
	send(false)
	l := nthLog(t, c, "bl-chat", nth)
	if l.RequestBody == nil || len(*l.RequestBody) != 200 || !l.RequestBodyTruncated || !strings.HasPrefix(*l.RequestBody, "{") {
		t.Fatalf("capped request body: %+v", l)
	}
	if l.ResponseBody == nil || len(*l.ResponseBody) > 200 || !strings.Contains(*l.ResponseBody, `"chat.completion"`) {
		t.Fatalf("capped response body: %+v", l)
	}

	// A cap above both: whole bodies, streaming included.
	c.must(200, "PUT", "/api/v1/settings/log_body_max_bytes", map[string]string{"value": "1MB"})
	send(true)
	l = nthLog(t, c, "bl-chat", nth)
	if l.RequestBody == nil || l.RequestBodyTruncated || !strings.Contains(*l.RequestBody, prompt) || !json.Valid([]byte(*l.RequestBody)) {
		t.Fatalf("whole request body: %+v", l)
	}
	if l.ResponseBody == nil || l.ResponseBodyTruncated || !l.Stream ||
		!strings.Contains(*l.ResponseBody, "chat.completion.chunk") || !strings.HasSuffix(strings.TrimSpace(*l.ResponseBody), "data: [DONE]") {
		t.Fatalf("streamed response body: %+v", l)
	}

	// Translated: an Anthropic client on an OpenAI channel; the log keeps
	// what this client sent and received, in its own format.
	s := an.Messages.NewStreaming(ctx, anthropic.MessageNewParams{Model: "bl-chat", MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("translated please"))}})
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatalf("anthropic stream: %v", err)
	}
	nth++
	l = nthLog(t, c, "bl-chat", nth)
	if l.RequestBody == nil || !strings.Contains(*l.RequestBody, "translated please") ||
		l.ResponseBody == nil || !strings.Contains(*l.ResponseBody, "event: message_start") || !strings.Contains(*l.ResponseBody, "event: message_stop") {
		t.Fatalf("translated stream bodies: %+v", l)
	}

	// Off again: the next request keeps nothing.
	c.must(200, "PUT", "/api/v1/settings/log_bodies", map[string]string{"value": "off"})
	send(true)
	if l := nthLog(t, c, "bl-chat", nth); l.RequestBody != nil || l.ResponseBody != nil {
		t.Fatalf("bodies recorded after turning off: %+v", l)
	}
}

// TestRequestBodyLoggingFromCaddyfile: log_bodies in the Caddyfile wins
// over the store settings, which the admin API then refuses to change.
func TestRequestBodyLoggingFromCaddyfile(t *testing.T) {
	fake := fakeprovider.New(t)
	in := admStart(t, "\t\tlog_bodies 1KB\n"+channel("blc-oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-bodies-oa", "gpt-4o")+
		group("blc-chat", "", "channel blc-oa gpt-4o")+apiKey(), "")
	c := admLogin(t, in.BaseURL)
	for _, r := range []admResp{
		c.do("PUT", "/api/v1/settings", map[string]string{"log_bodies": "off"}),
		c.do("PUT", "/api/v1/settings/log_body_max_bytes", map[string]string{"value": "10"}),
		c.do("DELETE", "/api/v1/settings/log_bodies", nil),
	} {
		if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "Caddyfile") {
			t.Errorf("changing a Caddyfile setting: %d %s", r.Status, r.Body)
		}
	}
	all := c.must(200, "GET", "/api/v1/settings", nil).JSON(t)
	if all["log_bodies"] != "on" || all["log_body_max_bytes"] != "1000" {
		t.Errorf("settings shown: %v", all)
	}
	ctx := ctxT(t)
	oa := openaiClient(in, clientKey)
	s := oa.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "blc-chat", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(strings.Repeat("x", 2000))}})
	for s.Next() {
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	l := nthLog(t, c, "blc-chat", 1)
	if l.RequestBody == nil || len(*l.RequestBody) != 1000 || !l.RequestBodyTruncated || l.ResponseBody == nil {
		t.Fatalf("bodies: %+v", l)
	}
}
