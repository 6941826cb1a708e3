package octopus

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

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

// Store settings that turn body recording on. A Caddyfile log_bodies
// option overrides both, and the admin API then refuses to change them.
const (
	// SettingLogBodies is "on" or "off" (default off).
	SettingLogBodies = "log_bodies"
	// SettingLogBodyMaxBytes caps each recorded body, as a byte count
	// or a size such as 64KB; DefaultLogBodyMaxBytes when unset.
	SettingLogBodyMaxBytes = "log_body_max_bytes"
	// DefaultLogBodyMaxBytes is the default cap of one recorded body.
	DefaultLogBodyMaxBytes = 64 << 10
)

// limit is the capture cap lb asks for; 0 is off.
func (lb *LogBodies) limit() int64 {
	switch {
	case !lb.Enabled:
		return 0
	case lb.MaxBytes > 0:
		return lb.MaxBytes
	}
	return DefaultLogBodyMaxBytes
}

// applyBodySettings reads log_bodies and log_body_max_bytes from the
// store (unless the config file decides) and applies them to the relay
// at once. It runs at start and whenever the config version changes, so
// a change made on any instance applies everywhere without a restart.
func (a *App) applyBodySettings(ctx context.Context) {
	if a.LogBodies != nil || a.store == nil {
		return
	}
	all, err := a.store.Settings(ctx)
	if err != nil {
		a.logger.Warn("reading the body logging settings; keeping the current ones", zap.Error(err))
		return
	}
	on := false
	switch v := strings.ToLower(strings.TrimSpace(all[SettingLogBodies])); v {
	case "on", "true", "1", "yes":
		on = true
	case "", "off", "false", "0", "no":
	default:
		a.logger.Warn("setting log_bodies is neither on nor off; bodies are not recorded", zap.String("value", v))
	}
	lb := LogBodies{Enabled: on}
	if v := strings.TrimSpace(all[SettingLogBodyMaxBytes]); v != "" {
		n, err := parseSize(v)
		if err != nil {
			a.logger.Warn("setting log_body_max_bytes is not a size; using the default", zap.String("value", v), zap.Error(err))
		} else {
			lb.MaxBytes = n
		}
	}
	if n := lb.limit(); a.bodyLimit.Swap(n) != n {
		a.logger.Info("request body logging changed", zap.Bool("enabled", on), zap.Int64("max_bytes", n))
	}
}

// LockedSettings returns the settings the config file decides, with
// their effective values: the admin API refuses to change them.
func (a *App) LockedSettings() map[string]string {
	if a.LogBodies == nil {
		return nil
	}
	on := "off"
	if a.LogBodies.Enabled {
		on = "on"
	}
	lb := LogBodies{Enabled: true, MaxBytes: a.LogBodies.MaxBytes}
	return map[string]string{SettingLogBodies: on, SettingLogBodyMaxBytes: strconv.FormatInt(lb.limit(), 10)}
}
