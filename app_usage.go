package octopus

import (
	"context"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/usage"
)

// usagePool keeps the in-memory usage counters and their flusher across
// reloads, so nothing counted is lost or counted twice when the config
// changes; the final flush runs when the last config goes away (caddy
// stop, SIGINT/SIGTERM).
var usagePool = caddy.NewUsagePool()

const usageKey = "octopus.usage"

func acquireUsage() *usage.Flusher {
	v, _, _ := usagePool.LoadOrNew(usageKey, func() (caddy.Destructor, error) {
		return usage.NewFlusher(nil), nil
	})
	return v.(*usage.Flusher)
}

// startUsage points the flusher at the open store and starts its loop.
func (a *App) startUsage() {
	fl := a.usage
	fl.SetStore(a.store)
	fl.SetInterval(time.Duration(a.StatsFlushInterval))
	logger := a.logger
	fl.SetErrorHandler(func(err error) {
		logger.Warn("writing usage counters to the store failed; they stay in memory for the next flush", zap.Error(err))
	})
	spend, counters := a.shared.spend, fl.Counters()
	// After each flush the keys' spend is re-read, so instances sharing
	// the store see each other's spend within about two flush intervals.
	fl.SetAfterFlush(func(ctx context.Context, st *store.Store) {
		if err := spend.Refresh(ctx, st, counters); err != nil {
			logger.Warn("re-reading the keys' spend from the store; max_cost limits count this instance's requests until the next try", zap.Error(err))
		}
	})
	fl.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := spend.Refresh(ctx, a.store, counters); err != nil {
		logger.Warn("reading the keys' past spend from the store; max_cost limits count from now", zap.Error(err))
	}
}

// Spend returns the per-key spend tracker.
func (a *App) Spend() *usage.Spend { return a.shared.spend }

// Usage returns the usage counters (totals still in memory included).
func (a *App) Usage() *usage.Counters { return a.usage.Counters() }

// UnflushedStats returns the usage counted in memory and not yet written,
// so the admin API's totals include the requests of the last minutes.
func (a *App) UnflushedStats() []store.StatsDelta {
	if a.usage == nil {
		return nil
	}
	return a.usage.Counters().Snapshot()
}
