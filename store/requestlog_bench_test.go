package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// BenchmarkInsertRequestLogs writes request log batches into SQLite, the
// default store: reqlog's default batch size (a saturated gateway), and
// one and 64 rows (a lightly loaded one flushes small batches); ns/op is
// per batch, ns/row per row.
func BenchmarkInsertRequestLogs(b *testing.B) {
	for _, batch := range []int{reqlog.DefaultBatchSize, 64, 1} {
		b.Run(fmt.Sprintf("rows=%d", batch), func(b *testing.B) {
			s := storetest.Open(b, "sqlite")
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
		})
	}
}
