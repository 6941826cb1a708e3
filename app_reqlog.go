package octopus

import (
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/reqlog"
)

// reqlogPool keeps the request log writer (its queue and batches) across
// reloads, per database; it drains when the last config using it goes.
var reqlogPool = caddy.NewUsagePool()

func (a *App) reqlogKey() string { return "octopus.reqlog\x00" + a.storeKey() }

// startRequestLogs opens (or shares) the writer for the open store.
func (a *App) startRequestLogs() error {
	v, _, err := reqlogPool.LoadOrNew(a.reqlogKey(), func() (caddy.Destructor, error) {
		return reqlog.New(reqlog.Config{Sink: a.store, Cost: a.cost, Retention: time.Duration(a.LogRetention), Logger: a.logger.Named("request_log")})
	})
	if err != nil {
		return err
	}
	a.reqlogHeld = true
	a.reqlog.Store(v.(*reqlog.Writer))
	return nil
}

// RequestLogs returns the request log writer (nil before Start).
func (a *App) RequestLogs() *reqlog.Writer {
	if a.reqlog == nil {
		return nil
	}
	return a.reqlog.Load()
}

// requestLogObserver forwards relay records to the app's writer once the
// app has started (handlers are provisioned before apps start).
type requestLogObserver struct {
	w *atomic.Pointer[reqlog.Writer]
}

func (o requestLogObserver) Observe(rec *relay.Record) {
	if w := o.w.Load(); w != nil {
		w.Observe(rec)
	}
}
