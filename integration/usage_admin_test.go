package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// TestStatsAndLogsThroughAdminAPI sends relay requests and finds them at
// once in the stats summary (still in memory: the flush interval is an
// hour) and, within the writer's batch interval, in the request log.
func TestStatsAndLogsThroughAdminAPI(t *testing.T) {
	fake := fakeprovider.New(t)
	in := admStart(t, "\t\tstats_flush_interval 1h\n"+
		channel("st-oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-stats-oa", "gpt-4o")+
		group("st-smart", "", "channel st-oa gpt-4o")+apiKey(), "")
	for i := 0; i < 3; i++ {
		if code, body := admChat(t, in.BaseURL, clientKey, "st-smart"); code != 200 {
			t.Fatalf("relay: %d %s", code, body)
		}
	}
	c := admLogin(t, in.BaseURL)
	sum := c.must(200, "GET", "/api/v1/stats/summary?channel=st-oa", nil).JSON(t)
	if sum["requests"] != float64(3) || sum["input_tokens"] != float64(3*fakeprovider.PromptTokens) || sum["successes"] != float64(3) {
		t.Fatalf("summary %v", sum)
	}
	admEventually(t, 5*time.Second, func() string {
		r := c.must(200, "GET", "/api/v1/logs?channel=st-oa", nil).JSON(t)
		items, _ := r["logs"].([]any)
		if len(items) != 3 {
			return fmt.Sprintf("logs: %v", r)
		}
		row := items[0].(map[string]any)
		if row["group"] != "st-smart" || row["status"] != float64(200) {
			return fmt.Sprintf("log row %v", row)
		}
		return ""
	})
}
