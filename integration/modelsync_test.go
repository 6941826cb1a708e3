package integration

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// TestModelSync syncs a stored channel's models on demand and on the
// interval: added and removed models are recorded, and a group member
// whose model vanished is marked, not deleted.
func TestModelSync(t *testing.T) {
	fake := fakeprovider.New(t)
	fake.SetModels(fakeprovider.OpenAIChat, "gpt-4o", "gpt-4o-mini")
	in := admStart(t, "\t\tmodel_sync_interval 1s\n", "")
	c := admLogin(t, in.BaseURL)
	ch := c.must(201, "POST", "/api/v1/channels", map[string]any{
		"name": "ms-oa", "type": "openai_chat", "base_url": baseURL(fake, "openai_chat"),
		"keys": []string{"sk-modelsync-1"}, "models": []string{"gpt-4o", "gone-model"},
	}).JSON(t)
	id := fmt.Sprint(ch["id"])
	c.must(201, "POST", "/api/v1/groups", map[string]any{
		"name": "ms-group", "members": []map[string]any{{"channel": "ms-oa", "model": "gone-model"}, {"channel": "ms-oa", "model": "gpt-4o"}},
	})

	res := c.must(200, "POST", "/api/v1/channels/"+id+"/sync", nil).JSON(t)
	if res["ok"] != true || fmt.Sprint(res["added"]) != "[gpt-4o-mini]" || fmt.Sprint(res["removed"]) != "[gone-model]" {
		t.Fatalf("sync result %v", res)
	}
	got := c.must(200, "GET", "/api/v1/channels/"+id, nil).JSON(t)
	if fmt.Sprint(got["models"]) != "[gpt-4o gpt-4o-mini]" || got["last_sync_result"] == nil {
		t.Fatalf("channel after sync %v", got)
	}
	var missing []string
	for _, g := range c.must(200, "GET", "/api/v1/groups", nil).List(t) {
		if g["name"] != "ms-group" {
			continue
		}
		for _, m := range g["members"].([]any) {
			if mm := m.(map[string]any); mm["missing"] == true {
				missing = append(missing, fmt.Sprint(mm["model"]))
			}
		}
	}
	if !slices.Equal(missing, []string{"gone-model"}) {
		t.Fatalf("missing members %v, want [gone-model]", missing)
	}

	// Periodic sync for a channel with auto_sync.
	fake.SetModels(fakeprovider.OpenAIChat, "gpt-4o", "gpt-4o-mini", "gpt-5")
	c.must(200, "PUT", "/api/v1/channels/"+id, map[string]any{"auto_sync": true})
	admEventually(t, 10*time.Second, func() string {
		got := c.must(200, "GET", "/api/v1/channels/"+id, nil).JSON(t)
		if fmt.Sprint(got["models"]) != "[gpt-4o gpt-4o-mini gpt-5]" {
			return fmt.Sprintf("models %v", got["models"])
		}
		return ""
	})
}
