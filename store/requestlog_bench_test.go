package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// BenchmarkInsertRequestLogs writes the request log's batch under load
// (reqlog's default batch size) into SQLite, the default store; ns/op is
// per batch, ns/row per row.
func BenchmarkInsertRequestLogs(b *testing.B) {
	s := storetest.Open(b, "sqlite")
	const batch = reqlog.DefaultBatchSize
	rows := make([]store.RequestLog, batch)
	now := time.Now().UTC()
	for i := range rows {
		rows[i] = store.RequestLog{
			Time: now, APIKey: "bench", Group: "pass", Channel: "oai", UpstreamModel: "bench-model",
			InboundFormat: "openai_chat", OutboundFormat: "openai_chat", Status: 200,
			InputTokens: 12, OutputTokens: 20, Cost: 0.0001, TTFTMS: 1, DurationMS: 2,
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.InsertRequestLogs(ctx, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/row")
}
