package store_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	"github.com/octopuscaddy/octopus/ent/requestlog"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

func TestRequestLogs(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		base := time.Date(2026, 5, 1, 12, 0, 0, 123456000, time.UTC)
		body := `{"model":"smart","messages":[{"role":"user","content":"héllo"}]}`
		full := store.RequestLog{
			Time: base, RequestID: "req-1", APIKey: "team-a", Group: "smart", Channel: "claude",
			UpstreamModel: "claude-sonnet-4-5", InboundFormat: "openai_chat", OutboundFormat: "anthropic",
			Stream: true, Status: 200,
			Attempts: []store.Attempt{
				{Channel: "openai-main", Model: "gpt-4o", Key: "#1", Status: 429, Error: "rate limited", DurationMS: 120},
				{Channel: "claude", Model: "claude-sonnet-4-5", Key: "#0", Status: 200, DurationMS: 2300},
			},
			InputTokens: 1000, OutputTokens: 200, CacheReadTokens: 300, CacheWriteTokens: 40, ReasoningTokens: 50,
			Cost: 0.0123, Unpriced: false, TTFTMS: 450, DurationMS: 2420,
			RequestBody: &body, ResponseBody: ptr(strings.Repeat("x", 100000)),
		}
		// Enough rows for several INSERT chunks; one has over-long names.
		logs := []store.RequestLog{full}
		for i := range 250 {
			logs = append(logs, store.RequestLog{Time: base.Add(-time.Duration(i+1) * time.Hour), Group: "g", Status: 502, Error: "upstream down", Unpriced: true})
		}
		logs = append(logs, store.RequestLog{Channel: strings.Repeat("c", 500)})
		if err := s.InsertRequestLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		if n := s.Client().RequestLog.Query().CountX(ctx); n != len(logs) {
			t.Fatalf("%d rows, want %d", n, len(logs))
		}

		row, err := s.Client().RequestLog.Query().Where(requestlog.RequestID("req-1")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := store.RequestLogFromEnt(row)
		want := full
		want.ID = got.ID
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, &want)
		}

		// The newest rows first, through the time index.
		newest, err := s.Client().RequestLog.Query().Order(ent.Desc(requestlog.FieldTime)).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(newest.Channel) != 128 || newest.Time.Before(base) {
			t.Fatalf("newest row (time defaulted to now, channel cut to 128): %q… at %v", newest.Channel[:10], newest.Time)
		}

		// Prune keeps what is at or after the cut-off.
		n, err := s.PruneRequestLogs(ctx, base.Add(-100*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 150 {
			t.Fatalf("pruned %d rows, want 150", n)
		}
		if left := s.Client().RequestLog.Query().CountX(ctx); left != len(logs)-150 {
			t.Fatalf("%d rows left, want %d", left, len(logs)-150)
		}
	})
}
