package integration

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// TestUnpricedModelPlaceholder serves a model no price covers: the
// request log says unpriced (not $0), the stats count it as unpriced, and
// the admin finds a zero-price placeholder flagged unpriced in GET
// /prices. Filled in with PUT, it prices the next request.
func TestUnpricedModelPlaceholder(t *testing.T) {
	fake := fakeprovider.New(t)
	const model = "octo-mystery-up-1"
	in := admStart(t, "\t\tstats_flush_interval 1h\n"+
		channel("up-ch", "openai_chat", baseURL(fake, "openai_chat"), "sk-unpriced-oa", model)+
		group("up-grp", "", "channel up-ch "+model)+apiKey(), "")
	c := admLogin(t, in.BaseURL)
	oa := openaiClient(in, clientKey)
	ask := func() {
		t.Helper()
		if _, err := oa.Chat.Completions.New(ctxT(t), openai.ChatCompletionNewParams{Model: "up-grp",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("how much?")}}); err != nil {
			t.Fatalf("chat: %v", err)
		}
	}
	type logRow struct {
		Cost     float64 `json:"cost"`
		Unpriced bool    `json:"unpriced"`
	}
	newest := func(n int) logRow {
		t.Helper()
		var row logRow
		admEventually(t, 10*time.Second, func() string {
			var page struct {
				Logs []logRow `json:"logs"`
			}
			if err := json.Unmarshal(c.must(200, "GET", "/api/v1/logs?group=up-grp", nil).Body, &page); err != nil {
				return err.Error()
			}
			if len(page.Logs) < n {
				return fmt.Sprintf("%d rows, want %d", len(page.Logs), n)
			}
			row = page.Logs[0]
			return ""
		})
		return row
	}
	// placeholder returns the model's row in GET /prices, if any.
	placeholder := func() map[string]any {
		list := c.must(200, "GET", "/api/v1/prices", nil).JSON(t)
		prices, _ := list["prices"].([]any)
		for _, p := range prices {
			if m, _ := p.(map[string]any); m["model"] == model {
				return m
			}
		}
		return nil
	}

	ask()
	if row := newest(1); !row.Unpriced || row.Cost != 0 {
		t.Fatalf("log row of an unpriced model: %+v", row)
	}
	sum := c.must(200, "GET", "/api/v1/stats/summary?channel=up-ch", nil).JSON(t)
	if sum["requests"] != float64(1) || sum["unpriced_requests"] != float64(1) || sum["cost"] != float64(0) {
		t.Fatalf("summary: %v", sum)
	}
	// The placeholder is written off the request path.
	var p map[string]any
	admEventually(t, 10*time.Second, func() string {
		if p = placeholder(); p == nil {
			return "no placeholder price yet"
		}
		return ""
	})
	if p["unpriced"] != true || p["source"] != "default" || p["input"] != float64(0) || p["output"] != float64(0) || p["channel"] != nil {
		t.Fatalf("placeholder: %v", p)
	}
	// More requests make no second row.
	ask()
	newest(2)

	filled := c.must(200, "PUT", "/api/v1/prices", map[string]any{"model": model, "input": 1, "output": 2}).JSON(t)
	if filled["unpriced"] != nil || filled["id"] != p["id"] {
		t.Fatalf("filled price: %v (placeholder %v)", filled, p)
	}
	ask()
	want := (fakeprovider.PromptTokens*1.0 + fakeprovider.CompletionTokens*2.0) / 1e6
	if row := newest(3); row.Unpriced || math.Abs(row.Cost-want) > 1e-12 {
		t.Fatalf("log row after filling the price: %+v, want cost %v", row, want)
	}
	sum = c.must(200, "GET", "/api/v1/stats/summary?channel=up-ch", nil).JSON(t)
	if sum["requests"] != float64(3) || sum["unpriced_requests"] != float64(2) || math.Abs(sum["cost"].(float64)-want) > 1e-12 {
		t.Fatalf("summary after filling: %v", sum)
	}
	n := 0
	list := c.must(200, "GET", "/api/v1/prices", nil).JSON(t)
	for _, x := range list["prices"].([]any) {
		if m := x.(map[string]any); m["model"] == model {
			n++
			if m["unpriced"] != nil {
				t.Errorf("still flagged: %v", m)
			}
		}
	}
	if n != 1 {
		t.Fatalf("%d price rows for %s: %v", n, model, list)
	}
}
