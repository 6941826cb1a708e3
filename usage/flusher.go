package usage

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octopuscaddy/octopus/store"
)

// DefaultInterval is the flush interval when none is set.
const DefaultInterval = time.Minute

// flushTimeout bounds one flush, so a dead database cannot hold up the
// loop or a shutdown.
const flushTimeout = 10 * time.Second

// Flusher writes its Counters to a store every interval in its own
// goroutine. It is built to be the value of a caddy.UsagePool entry shared
// by successive configs: its context derives from context.Background, not
// from a config's, and each config pushes its store and interval into it
// with SetStore and SetInterval. Destruct (called by the pool when the last
// config lets go) stops it with a final flush.
type Flusher struct {
	counters *Counters
	store    atomic.Pointer[store.Store]
	onError  atomic.Pointer[func(error)]
	// afterFlush runs after every periodic flush (Spend.Refresh).
	afterFlush atomic.Pointer[func(context.Context, *store.Store)]
	interval   chan time.Duration

	startOnce sync.Once
	stopOnce  sync.Once
	cancel    context.CancelFunc
	ctx       context.Context
	done      chan struct{}
	started   atomic.Bool
	stopErr   error
}

// NewFlusher returns a stopped flusher of c (a new Counters when nil).
// Call Start to run it.
func NewFlusher(c *Counters) *Flusher {
	if c == nil {
		c = NewCounters(nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Flusher{
		counters: c,
		interval: make(chan time.Duration, 1),
		ctx:      ctx,
		cancel:   cancel,
		done:     make(chan struct{}),
	}
}

// Counters returns the counters the flusher writes; use it as the relay
// observer.
func (f *Flusher) Counters() *Counters { return f.counters }

// SetStore sets the store later flushes write to. While it is nil, ticks
// do nothing and counts keep accumulating.
func (f *Flusher) SetStore(st *store.Store) { f.store.Store(st) }

// SetErrorHandler sets the function told about failed flushes (nil:
// failures are silent; the counts are kept and retried either way).
func (f *Flusher) SetErrorHandler(fn func(error)) {
	if fn == nil {
		f.onError.Store(nil)
		return
	}
	f.onError.Store(&fn)
}

// SetAfterFlush sets a function run after every periodic flush, with
// the store (nil: none). The app refreshes the keys' spend there.
func (f *Flusher) SetAfterFlush(fn func(ctx context.Context, st *store.Store)) {
	if fn == nil {
		f.afterFlush.Store(nil)
		return
	}
	f.afterFlush.Store(&fn)
}

// SetInterval changes the flush interval (DefaultInterval when d <= 0).
// The running loop picks it up at once; the last value set wins.
func (f *Flusher) SetInterval(d time.Duration) {
	if d <= 0 {
		d = DefaultInterval
	}
	// Replace any value the loop has not picked up yet.
	for {
		select {
		case f.interval <- d:
			return
		default:
		}
		select {
		case <-f.interval:
		default:
		}
	}
}

// Start runs the flush loop. Calls after the first, or after Stop, do
// nothing.
func (f *Flusher) Start() {
	f.startOnce.Do(func() {
		if f.ctx.Err() != nil {
			return // stopped before it started
		}
		f.started.Store(true)
		go f.loop()
	})
}

func (f *Flusher) loop() {
	defer close(f.done)
	d := DefaultInterval
	select {
	case d = <-f.interval:
	default:
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-f.ctx.Done():
			return
		case d = <-f.interval:
			t.Reset(d)
		case <-t.C:
			// Not f.ctx: Stop must not cancel a flush half-way (it would
			// roll back and be reported as a failure); it waits instead.
			ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
			_ = f.flushOnce(ctx) // reported to the error handler
			if fn, st := f.afterFlush.Load(), f.store.Load(); fn != nil && st != nil {
				(*fn)(ctx, st)
			}
			cancel()
		}
	}
}

// flushOnce flushes to the current store, if any, reporting failures.
// A panic (a bug, never expected) is reported rather than crashing the
// process from a background goroutine; the drained counts are then lost.
func (f *Flusher) flushOnce(ctx context.Context) (err error) {
	st := f.store.Load()
	if st == nil {
		return ErrNoStore
	}
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{r}
			f.report(err)
		}
	}()
	if err = f.counters.Flush(ctx, st); err != nil {
		f.report(err)
	}
	return err
}

func (f *Flusher) report(err error) {
	if fn := f.onError.Load(); fn != nil {
		(*fn)(err)
	}
}

// Flush writes the counts now, to the current store.
func (f *Flusher) Flush(ctx context.Context) error { return f.flushOnce(ctx) }

// Stop ends the loop, waits for a running flush, and flushes what is
// left. It returns the final flush's error (ErrNoStore without a store,
// with counts still in memory). Further calls return the same result.
func (f *Flusher) Stop() error {
	f.stopOnce.Do(func() {
		f.cancel()
		if f.started.Load() {
			<-f.done
		}
		if f.store.Load() == nil && len(f.counters.Snapshot()) == 0 {
			return // nothing to write, nowhere to write it: not an error
		}
		ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
		defer cancel()
		f.stopErr = f.flushOnce(ctx)
	})
	return f.stopErr
}

// Destruct stops the flusher; it makes Flusher a caddy.Destructor.
func (f *Flusher) Destruct() error { return f.Stop() }

type panicError struct{ v any }

func (p *panicError) Error() string { return fmt.Sprintf("usage: flush panicked: %v", p.v) }
