// Package reqlog writes one request log row per relayed request. It is a
// relay.Observer: Observe only converts the record and queues it, never
// blocking the request; a goroutine writes the queue in batches, prunes
// rows past the retention period and fans new rows out to live
// subscribers (the admin API's log stream).
package reqlog

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

// Defaults of Config.
const (
	DefaultQueueSize = 4096
	// DefaultBatchSize: SQLite writes a 1,000-row batch for about a
	// fifth less per row than a 200-row one (fewer commits, each
	// writing the same partly filled pages); rows still wait at most
	// FlushInterval.
	DefaultBatchSize     = 1000
	DefaultFlushInterval = time.Second
	// DefaultPruneInterval is how often rows past the retention go.
	DefaultPruneInterval = time.Hour
	// subscriberBuffer is how many rows a slow live subscriber may lag
	// behind before it misses rows.
	subscriberBuffer = 256
	// writeTimeout bounds one batch insert or prune, so a hung database
	// cannot stall Stop forever.
	writeTimeout = 30 * time.Second
)

// Sink is where rows go. *store.Store implements it.
type Sink interface {
	InsertRequestLogs(ctx context.Context, logs []store.RequestLog) error
	PruneRequestLogs(ctx context.Context, before time.Time) (int, error)
}

// CostFunc prices a finished request in USD; ok is false when no price is
// known for its model, and the row is then marked unpriced.
type CostFunc func(rec *relay.Record) (cost float64, ok bool)

// Config configures a Writer.
type Config struct {
	// Sink receives the rows. Required.
	Sink Sink
	// Cost prices each request; every row is unpriced when nil.
	Cost CostFunc
	// Retention is how long rows are kept; zero or less keeps them forever.
	Retention time.Duration
	// QueueSize bounds the rows waiting to be written; when full, new
	// rows are dropped and counted. DefaultQueueSize when zero.
	QueueSize int
	// BatchSize is the most rows of one insert. DefaultBatchSize when zero.
	BatchSize int
	// FlushInterval is the longest a queued row waits for its batch to
	// fill. DefaultFlushInterval when zero.
	FlushInterval time.Duration
	// PruneInterval is how often old rows are deleted.
	// DefaultPruneInterval when zero.
	PruneInterval time.Duration
	// Logger receives write failures.
	Logger *zap.Logger
	// Now is the clock for retention; time.Now when nil.
	Now func() time.Time
}

// Writer is the request log writer. Create it with New; it runs until
// Stop. It is safe for concurrent use.
type Writer struct {
	cfg   Config
	log   *zap.Logger
	queue chan store.RequestLog

	// stopped and sending keep Observe lock-free yet safe against Stop:
	// Observe announces itself in sending before it looks at stopped,
	// Stop sets stopped before it waits for sending to drain, so every
	// send either happens before the final drain or sees stopped (both
	// are sequentially consistent atomics).
	stopped atomic.Bool
	sending atomic.Int64

	done     chan struct{}
	wg       sync.WaitGroup
	stopOnce sync.Once

	subMu sync.Mutex
	subs  map[*subscriber]struct{}

	dropped atomic.Uint64
	failed  atomic.Uint64
	written atomic.Uint64
}

// New starts a writer for cfg.
func New(cfg Config) (*Writer, error) {
	if cfg.Sink == nil {
		return nil, errors.New("reqlog: Config.Sink is required")
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.PruneInterval <= 0 {
		cfg.PruneInterval = DefaultPruneInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Writer{
		cfg:   cfg,
		log:   cfg.Logger,
		queue: make(chan store.RequestLog, cfg.QueueSize),
		done:  make(chan struct{}),
		subs:  make(map[*subscriber]struct{}),
	}
	if w.log == nil {
		w.log = zap.NewNop()
	}
	w.wg.Add(1)
	go w.writeLoop()
	if cfg.Retention > 0 {
		w.wg.Add(1)
		go w.pruneLoop()
	}
	return w, nil
}

// Observe queues the row of rec. It never blocks: when the queue is full
// or the writer stopped, the row is dropped and counted in Dropped.
func (w *Writer) Observe(rec *relay.Record) {
	if rec == nil {
		return
	}
	row := w.toRow(rec)
	w.sending.Add(1)
	defer w.sending.Add(-1)
	if w.stopped.Load() {
		w.dropped.Add(1)
		return
	}
	select {
	case w.queue <- row:
	default:
		w.dropped.Add(1)
	}
}

// toRow converts rec; it copies everything it keeps, since the relay may
// reuse rec once Observe returns.
func (w *Writer) toRow(rec *relay.Record) store.RequestLog {
	row := store.RequestLog{
		Time:             rec.Start.UTC(),
		APIKey:           rec.Key,
		Group:            rec.Group,
		Channel:          rec.Channel,
		UpstreamModel:    rec.Model,
		InboundFormat:    string(rec.Inbound),
		OutboundFormat:   string(rec.Outbound),
		Stream:           rec.Stream,
		Status:           rec.Status,
		Error:            rec.Error,
		InputTokens:      rec.Usage.InputTokens,
		OutputTokens:     rec.Usage.OutputTokens,
		CacheReadTokens:  rec.Usage.CacheReadTokens,
		CacheWriteTokens: rec.Usage.CacheWriteTokens,
		ReasoningTokens:  rec.Usage.ReasoningTokens,
		TTFTMS:           rec.TTFT.Milliseconds(),
		DurationMS:       rec.Duration.Milliseconds(),
		Unpriced:         true,
	}
	if w.cfg.Cost != nil {
		if c, ok := w.cfg.Cost(rec); ok {
			row.Cost, row.Unpriced = c, false
		}
	}
	if b := rec.Bodies; b != nil {
		// Copied: the request body aliases a buffer the relay reuses.
		row.RequestBody, row.ResponseBody = bodyText(b.Request), bodyText(b.Response)
		row.RequestBodyTruncated, row.ResponseBodyTruncated = b.RequestTruncated, b.ResponseTruncated
	}
	if len(rec.Attempts) > 0 {
		row.Attempts = make([]store.Attempt, len(rec.Attempts))
		for i, a := range rec.Attempts {
			row.Attempts[i] = store.Attempt{
				Channel: a.Channel, Model: a.Model, Status: a.Status,
				Error: a.Error, DurationMS: a.Duration.Milliseconds(),
			}
		}
	}
	return row
}

// bodyText copies a captured body as text every database accepts: a
// multi-byte character cut by the cap is dropped, other invalid UTF-8 is
// replaced, and NUL bytes (refused by PostgreSQL) become U+FFFD.
func bodyText(b []byte) *string {
	// Drop a UTF-8 sequence the cap cut short.
	if n := len(b); n > 0 && b[n-1] >= 0x80 {
		i := n - 1
		for i > 0 && n-i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
			i--
		}
		if r, size := utf8.DecodeRune(b[i:]); r == utf8.RuneError && size <= 1 && !utf8.FullRune(b[i:]) {
			b = b[:i]
		}
	}
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return &s
}

// Stop stops taking rows, writes what is queued and ends the live
// subscriptions. Later calls do nothing.
func (w *Writer) Stop() {
	w.stopOnce.Do(func() {
		w.stopped.Store(true)
		// A send that saw stopped false finishes at once (it never
		// blocks), so this wait is short.
		for w.sending.Load() != 0 {
			runtime.Gosched()
		}
		close(w.done)
		w.wg.Wait()
		w.closeSubscribers()
	})
}

// Destruct stops the writer, so it can live in a caddy.UsagePool and
// survive config reloads.
func (w *Writer) Destruct() error {
	w.Stop()
	return nil
}

// Dropped is how many rows were dropped because the queue was full or the
// writer had stopped.
func (w *Writer) Dropped() uint64 { return w.dropped.Load() }

// Failed is how many rows were lost because their insert failed.
func (w *Writer) Failed() uint64 { return w.failed.Load() }

// Written is how many rows were inserted.
func (w *Writer) Written() uint64 { return w.written.Load() }

// pollInterval is how often the writer looks at the queue. It never
// waits on the queue itself: a parked receiver would have every Observe
// wake it (a futex call and a context switch per request), while a
// sleeping poller costs the request path only the buffered send. Rows
// wait at most this long before joining their batch.
const pollInterval = 20 * time.Millisecond

// writeLoop batches the queue into inserts until Stop, then drains it.
func (w *Writer) writeLoop() {
	defer w.wg.Done()
	batch := make([]store.RequestLog, 0, w.cfg.BatchSize)
	poll := time.NewTicker(min(pollInterval, w.cfg.FlushInterval))
	defer poll.Stop()
	due := time.Now().Add(w.cfg.FlushInterval)
	drain := func() {
		for {
			select {
			case row := <-w.queue:
				batch = append(batch, row)
				if len(batch) >= w.cfg.BatchSize {
					batch = w.flush(batch)
					due = time.Now().Add(w.cfg.FlushInterval)
				}
			default:
				return
			}
		}
	}
	for {
		select {
		case <-poll.C:
			drain()
			if now := time.Now(); !now.Before(due) {
				batch = w.flush(batch)
				due = now.Add(w.cfg.FlushInterval)
			}
		case <-w.done:
			// Stop holds no send after setting stopped, so what is in
			// the queue now is all there will ever be.
			drain()
			w.flush(batch)
			return
		}
	}
}

// flush inserts batch, fans it out and returns it emptied for reuse.
func (w *Writer) flush(batch []store.RequestLog) []store.RequestLog {
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	err := w.cfg.Sink.InsertRequestLogs(ctx, batch)
	cancel()
	if err != nil {
		// Retrying would hold the queue behind a broken database; the
		// rows are lost, but counted and reported.
		w.failed.Add(uint64(len(batch)))
		w.log.Error("writing request logs", zap.Int("rows", len(batch)), zap.Error(err))
	} else {
		// Published first: once Written counts a row, live subscribers
		// have been offered it too.
		w.publish(batch)
		w.written.Add(uint64(len(batch)))
	}
	clear(batch) // drop references to attempts and strings
	return batch[:0]
}

// pruneLoop deletes rows past the retention now and every PruneInterval.
func (w *Writer) pruneLoop() {
	defer w.wg.Done()
	t := time.NewTicker(w.cfg.PruneInterval)
	defer t.Stop()
	for {
		w.prune()
		select {
		case <-t.C:
		case <-w.done:
			return
		}
	}
}

func (w *Writer) prune() {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	n, err := w.cfg.Sink.PruneRequestLogs(ctx, w.cfg.Now().Add(-w.cfg.Retention))
	if err != nil {
		w.log.Error("pruning request logs", zap.Error(err))
		return
	}
	if n > 0 {
		w.log.Debug("pruned request logs", zap.Int("rows", n))
	}
}
