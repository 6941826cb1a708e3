package reqlog

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/transform"
)

var ctx = context.Background()

func openStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(ctx, "sqlite", filepath.Join(t.TempDir(), "logs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func newWriter(t *testing.T, cfg Config) *Writer {
	t.Helper()
	w, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return w
}

func record(i int) *relay.Record {
	return &relay.Record{
		Start:    time.Date(2026, 5, 1, 12, 0, i, 0, time.UTC),
		Duration: 1500 * time.Millisecond, TTFT: 200 * time.Millisecond,
		Key: "team-a", Group: "smart", Channel: "claude", Model: "claude-sonnet-4-5",
		Inbound: transform.Format("openai_chat"), Outbound: transform.Format("anthropic"),
		Stream: true, Status: 200 + i,
		Attempts: []relay.Attempt{
			{Channel: "openai", Model: "gpt-4o", Status: 429, Error: "rate limited", Duration: 120 * time.Millisecond},
			{Channel: "claude", Model: "claude-sonnet-4-5", Status: 200, Duration: time.Second},
		},
		Usage:      transform.Usage{InputTokens: 100, OutputTokens: 20, CacheReadTokens: 5, CacheWriteTokens: 3, ReasoningTokens: 7},
		UsageKnown: true,
	}
}

func TestToRow(t *testing.T) {
	priced := func(*relay.Record) (float64, bool) { return 0.25, true }
	unknown := func(*relay.Record) (float64, bool) { return 0, false }
	for _, tc := range []struct {
		name     string
		cost     CostFunc
		want     float64
		unpriced bool
	}{
		{"no hook", nil, 0, true},
		{"priced", priced, 0.25, false},
		{"no price", unknown, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := &Writer{cfg: Config{Cost: tc.cost}}
			rec := record(1)
			row := w.toRow(rec)
			if row.Cost != tc.want || row.Unpriced != tc.unpriced {
				t.Errorf("cost %v unpriced %v, want %v %v", row.Cost, row.Unpriced, tc.want, tc.unpriced)
			}
			if !row.Time.Equal(rec.Start) || row.APIKey != "team-a" || row.Group != "smart" || row.Channel != "claude" ||
				row.UpstreamModel != "claude-sonnet-4-5" || row.InboundFormat != "openai_chat" || row.OutboundFormat != "anthropic" ||
				!row.Stream || row.Status != 201 || row.TTFTMS != 200 || row.DurationMS != 1500 ||
				row.InputTokens != 100 || row.OutputTokens != 20 || row.CacheReadTokens != 5 || row.CacheWriteTokens != 3 || row.ReasoningTokens != 7 {
				t.Errorf("row %+v", row)
			}
			if len(row.Attempts) != 2 || row.Attempts[0] != (store.Attempt{Channel: "openai", Model: "gpt-4o", Status: 429, Error: "rate limited", DurationMS: 120}) {
				t.Errorf("attempts %+v", row.Attempts)
			}
			rec.Attempts[0].Channel = "changed"
			if row.Attempts[0].Channel != "openai" {
				t.Error("the row shares the record's attempts")
			}
		})
	}
}

func TestNewNeedsSink(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without a sink succeeded")
	}
}

func TestBatchingWritesEveryRow(t *testing.T) {
	s := openStore(t)
	sink := &countingSink{Sink: s}
	w := newWriter(t, Config{Sink: sink, BatchSize: 50, FlushInterval: time.Hour})
	const n = 120
	for i := range n {
		w.Observe(record(i))
	}
	// Two full batches go out without waiting for the interval.
	waitFor(t, func() bool { return w.Written() == 100 })
	w.Stop()
	if got := s.Client().RequestLog.Query().CountX(ctx); got != n {
		t.Fatalf("%d rows in the store, want %d", got, n)
	}
	if w.Dropped() != 0 || w.Failed() != 0 || w.Written() != n {
		t.Errorf("dropped %d failed %d written %d", w.Dropped(), w.Failed(), w.Written())
	}
	for _, size := range sink.sizes() {
		if size > 50 {
			t.Errorf("a batch of %d rows, over BatchSize", size)
		}
	}
	seen := map[int]bool{}
	for _, r := range s.Client().RequestLog.Query().AllX(ctx) {
		if seen[r.Status] {
			t.Errorf("status %d written twice", r.Status)
		}
		seen[r.Status] = true
		if len(r.Attempts) != 2 || r.APIKey != "team-a" || !r.Unpriced {
			t.Errorf("row %+v", r)
		}
	}
}

func TestFlushInterval(t *testing.T) {
	s := openStore(t)
	w := newWriter(t, Config{Sink: s, FlushInterval: 20 * time.Millisecond})
	w.Observe(record(1))
	waitFor(t, func() bool { return s.Client().RequestLog.Query().CountX(ctx) == 1 })
}

func TestFullQueueDrops(t *testing.T) {
	sink := &blockingSink{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	w := newWriter(t, Config{Sink: sink, QueueSize: 4, BatchSize: 1})
	w.Observe(record(0)) // taken by the loop, which then blocks in the insert
	<-sink.entered
	done := make(chan struct{})
	go func() {
		for i := 1; i <= 10; i++ {
			w.Observe(record(i))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Observe blocked on a full queue")
	}
	if w.Dropped() != 6 {
		t.Errorf("dropped %d, want 6", w.Dropped())
	}
	close(sink.release)
	w.Stop()
	if got := sink.rows(); got != 5 {
		t.Errorf("%d rows written, want 5", got)
	}
}

func TestStopDrainsAndRefuses(t *testing.T) {
	s := openStore(t)
	w := newWriter(t, Config{Sink: s, FlushInterval: time.Hour, BatchSize: 1000})
	for i := range 30 {
		w.Observe(record(i))
	}
	w.Stop()
	if got := s.Client().RequestLog.Query().CountX(ctx); got != 30 {
		t.Fatalf("%d rows after Stop, want 30", got)
	}
	w.Observe(record(99))
	w.Stop() // a second Stop is harmless
	if w.Dropped() != 1 {
		t.Errorf("a row observed after Stop: dropped %d, want 1", w.Dropped())
	}
	if err := w.Destruct(); err != nil {
		t.Error(err)
	}
}

func TestInsertFailureIsCounted(t *testing.T) {
	w := newWriter(t, Config{Sink: failingSink{}, FlushInterval: time.Hour})
	w.Observe(record(1))
	w.Observe(record(2))
	w.Stop()
	if w.Failed() != 2 || w.Written() != 0 {
		t.Errorf("failed %d written %d", w.Failed(), w.Written())
	}
}

func TestRetentionPrunesOldRowsOnly(t *testing.T) {
	s := openStore(t)
	now := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	var rows []store.RequestLog
	for _, age := range []time.Duration{time.Hour, 47 * time.Hour, 49 * time.Hour, 100 * time.Hour} {
		rows = append(rows, store.RequestLog{Time: now.Add(-age), Group: age.String()})
	}
	if err := s.InsertRequestLogs(ctx, rows); err != nil {
		t.Fatal(err)
	}
	w := newWriter(t, Config{Sink: s, Retention: 48 * time.Hour, Now: func() time.Time { return now }})
	// The first prune runs at start.
	waitFor(t, func() bool { return s.Client().RequestLog.Query().CountX(ctx) == 2 })
	w.Stop()
	got := map[string]bool{}
	for _, r := range s.Client().RequestLog.Query().AllX(ctx) {
		got[r.Group] = true
	}
	if !got["1h0m0s"] || !got["47h0m0s"] || len(got) != 2 {
		t.Errorf("kept %v, want the 1h and 47h rows", got)
	}
}

func TestSubscribers(t *testing.T) {
	s := openStore(t)
	w := newWriter(t, Config{Sink: s, FlushInterval: 10 * time.Millisecond})
	ch, cancel := w.Subscribe()
	slow, cancelSlow := w.Subscribe()
	defer cancelSlow()
	w.Observe(record(1))
	select {
	case row := <-ch:
		if row.Status != 201 || row.Group != "smart" {
			t.Errorf("got %+v", row)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no row received")
	}
	cancel()
	cancel() // idempotent
	if _, open := <-ch; open {
		t.Error("the channel is open after cancel")
	}
	// The slow subscriber never reads: rows past its buffer are dropped
	// and the writer keeps going.
	for i := range subscriberBuffer + 50 {
		w.Observe(record(i))
	}
	waitFor(t, func() bool { return w.Written() == uint64(subscriberBuffer+51) })
	if n := len(slow); n != subscriberBuffer {
		t.Errorf("slow subscriber holds %d rows, want %d", n, subscriberBuffer)
	}
	w.Stop()
	for range slow {
	}
	late, _ := w.Subscribe()
	if _, open := <-late; open {
		t.Error("Subscribe after Stop gave an open channel")
	}
}

func TestObserveConcurrentWithStop(t *testing.T) {
	s := openStore(t)
	w := newWriter(t, Config{Sink: s, FlushInterval: 5 * time.Millisecond})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				w.Observe(record(g*50 + i))
			}
		}()
	}
	time.Sleep(time.Millisecond)
	w.Stop()
	wg.Wait()
	got := uint64(s.Client().RequestLog.Query().CountX(ctx))
	if got+w.Dropped() != 200 || got != w.Written() {
		t.Errorf("written %d (counted %d) + dropped %d != 200", got, w.Written(), w.Dropped())
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countingSink records the size of each batch.
type countingSink struct {
	Sink
	mu    sync.Mutex
	batch []int
}

func (c *countingSink) InsertRequestLogs(ctx context.Context, logs []store.RequestLog) error {
	c.mu.Lock()
	c.batch = append(c.batch, len(logs))
	c.mu.Unlock()
	return c.Sink.InsertRequestLogs(ctx, logs)
}

func (c *countingSink) sizes() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int(nil), c.batch...)
}

// blockingSink holds every insert until release is closed.
type blockingSink struct {
	release chan struct{}
	entered chan struct{}
	mu      sync.Mutex
	n       int
}

func (b *blockingSink) InsertRequestLogs(_ context.Context, logs []store.RequestLog) error {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-b.release
	b.mu.Lock()
	b.n += len(logs)
	b.mu.Unlock()
	return nil
}

func (b *blockingSink) PruneRequestLogs(context.Context, time.Time) (int, error) { return 0, nil }

func (b *blockingSink) rows() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

type failingSink struct{}

func (failingSink) InsertRequestLogs(context.Context, []store.RequestLog) error {
	return errors.New("database is gone")
}
func (failingSink) PruneRequestLogs(context.Context, time.Time) (int, error) { return 0, nil }
