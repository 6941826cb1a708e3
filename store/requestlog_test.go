package store_test

import (
	"fmt"
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

// TestRequestLogBatchAtomic: a batch whose last statement fails leaves no
// row behind — not even those of the statements before it in the same
// transaction — and reports the error. (The request log's rows never
// break a constraint of the schema; the test adds one.)
func TestRequestLogBatchAtomic(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, s *store.Store) {
		if _, err := s.DB().ExecContext(ctx, "CREATE UNIQUE INDEX test_request_id_unique ON request_logs (request_id)"); err != nil {
			t.Fatal(err)
		}
		// 70 rows: one 64-row statement, then six single rows; the
		// last repeats the first row's request id.
		logs := make([]store.RequestLog, 70)
		for i := range logs {
			logs[i] = store.RequestLog{RequestID: fmt.Sprintf("req-%d", i), Group: "g", Status: 200}
		}
		logs[69].RequestID = "req-0"
		err := s.InsertRequestLogs(ctx, logs)
		if err == nil {
			t.Fatal("a batch breaking a unique index was inserted")
		}
		if msg := err.Error(); !strings.Contains(msg, "insert request logs") || strings.Contains(msg, "rollback failed") {
			t.Errorf("error %q: want what failed, and no rollback failure (the batch was rolled back)", msg)
		}
		if n := s.Client().RequestLog.Query().CountX(ctx); n != 0 {
			t.Fatalf("%d rows left by a failed batch, want 0", n)
		}
		// The store still works: the next batch goes in.
		if err := s.InsertRequestLogs(ctx, logs[:69]); err != nil {
			t.Fatal(err)
		}
		if n := s.Client().RequestLog.Query().CountX(ctx); n != 69 {
			t.Fatalf("%d rows, want 69", n)
		}
	})
}
