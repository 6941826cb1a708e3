package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/transform"
)

// pingTimeout bounds a channel test.
const pingTimeout = 60 * time.Second

// pingMaxTokens keeps a channel test cheap. 16 is the smallest limit the
// OpenAI Responses API accepts.
const pingMaxTokens = 16

// pingInput is the optional body of POST /channels/{id}/test.
type pingInput struct {
	// Model is the upstream model to ask; the channel's first by default.
	Model string `json:"model"`
}

// PingResult reports a channel test. The route answers 200 whenever the
// test ran; OK says whether the upstream answered successfully.
type PingResult struct {
	OK        bool   `json:"ok"`
	Model     string `json:"model"`
	Status    int    `json:"status"`
	LatencyMS int64  `json:"latency_ms"`
	// Reply is the start of the model's answer.
	Reply string `json:"reply,omitempty"`
	// Error is the upstream's error message, or why no answer came.
	Error string `json:"error,omitempty"`
}

// testChannel sends one tiny generate request through a channel.
func (h *Handler) testChannel(c *call) error {
	ref, err := h.findChannel(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	var in pingInput
	if _, err := decodeOptionalBody(c, &in); err != nil {
		return err
	}
	cfg := ref.config()
	model := in.Model
	if model == "" {
		if len(cfg.Models) == 0 {
			return badField("model", "the channel lists no models; send the model to test")
		}
		model = cfg.Models[0]
	}
	u, err := h.liveUpstream(cfg)
	if err != nil {
		return err
	}
	defer u.close()
	ctx, cancel := context.WithTimeout(c.r.Context(), pingTimeout)
	defer cancel()
	out := Ping(ctx, u.ch, u.key, u.tokenSource(), model)
	h.audit(c, "tested channel", cfg.Name)
	return c.ok(out)
}

// Ping sends a minimal "ping" generate request to model on channel ch, in
// the channel's own wire format, and reports the outcome.
func Ping(ctx context.Context, ch *routing.Channel, key string, tokens TokenSource, model string) PingResult {
	out := PingResult{Model: model}
	u := &upstream{ch: ch, key: key}
	token, project := key, ch.OAuth.Project
	start := time.Now()
	if ch.Type.OAuth {
		var err error
		if tokens == nil {
			out.Error = "no token source for OAuth keys"
			return out
		}
		if token, project, err = tokens.Token(ctx, ch, key, false); err != nil {
			out.LatencyMS = time.Since(start).Milliseconds()
			out.Error = "getting an access token: " + err.Error()
			return out
		}
	}
	target := ch.Type.URL(ch.BaseURL, model, provider.OpGenerate, false)
	body := pingBody(ch.Format, model, project, false)
	ans, err := u.do(ctx, http.MethodPost, target, token, body)
	// Newer OpenAI models refuse max_tokens and want
	// max_completion_tokens; older compatible servers know only the
	// former. Try the common one first.
	if err == nil && ch.Format == transform.OpenAIChat && ans.status == http.StatusBadRequest &&
		strings.Contains(string(ans.body), "max_completion_tokens") {
		start = time.Now()
		ans, err = u.do(ctx, http.MethodPost, target, token, pingBody(ch.Format, model, project, true))
	}
	out.LatencyMS = time.Since(start).Milliseconds()
	if err != nil {
		out.Error = err.Error()
		return out
	}
	out.Status = ans.status
	if ans.status < 200 || ans.status > 299 {
		out.Error = errorMessage(ans.body)
		return out
	}
	if !gjson.ValidBytes(ans.body) {
		out.Error = "the upstream answered 2xx but not with JSON"
		return out
	}
	out.OK = true
	out.Reply = replyText(ch.Format, ans.body)
	return out
}

// pingBody is the smallest generate request of each format.
func pingBody(f transform.Format, model, project string, completionTokens bool) []byte {
	user := []map[string]any{{"role": "user", "content": "ping"}}
	gemini := map[string]any{
		"contents":         []map[string]any{{"role": "user", "parts": []map[string]string{{"text": "ping"}}}},
		"generationConfig": map[string]any{"maxOutputTokens": pingMaxTokens},
	}
	var v any
	switch f {
	case transform.OpenAIResponses:
		v = map[string]any{"model": model, "input": "ping", "max_output_tokens": pingMaxTokens, "store": false}
	case transform.Anthropic:
		v = map[string]any{"model": model, "max_tokens": pingMaxTokens, "messages": user}
	case transform.Gemini:
		v = gemini
	case transform.Antigravity:
		v = map[string]any{
			"project": project, "model": model, "request": gemini,
			"userAgent": "antigravity", "requestType": "agent", "requestId": "agent-" + randomHex(16),
		}
	default:
		m := map[string]any{"model": model, "messages": user}
		if completionTokens {
			m["max_completion_tokens"] = pingMaxTokens
		} else {
			m["max_tokens"] = pingMaxTokens
		}
		v = m
	}
	b, _ := json.Marshal(v)
	return b
}

// replyText extracts the answer's text, cut to 200 characters.
func replyText(f transform.Format, body []byte) string {
	r := gjson.ParseBytes(body)
	var s string
	switch f {
	case transform.OpenAIResponses:
		r.Get("output").ForEach(func(_, item gjson.Result) bool {
			item.Get("content").ForEach(func(_, part gjson.Result) bool {
				if part.Get("type").String() == "output_text" {
					s += part.Get("text").String()
				}
				return true
			})
			return true
		})
	case transform.Anthropic:
		r.Get("content").ForEach(func(_, part gjson.Result) bool {
			if part.Get("type").String() == "text" {
				s += part.Get("text").String()
			}
			return true
		})
	case transform.Gemini, transform.Antigravity:
		if f == transform.Antigravity && r.Get("response").Exists() {
			r = r.Get("response")
		}
		r.Get("candidates.0.content.parts").ForEach(func(_, part gjson.Result) bool {
			if !part.Get("thought").Bool() {
				s += part.Get("text").String()
			}
			return true
		})
	default:
		s = r.Get("choices.0.message.content").String()
	}
	if rs := []rune(s); len(rs) > 200 {
		s = string(rs[:200]) + "…"
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
