// Package octopus is Octopus for Caddy: an LLM API gateway as a Caddy v2
// plugin. This root package is the Caddy glue: the `octopus` app (channels,
// groups, keys and the long-lived state), the `octopus` relay handler and
// the `octopus_admin` handler, and their Caddyfile syntax. The work itself
// lives in the sub-packages (relay, balancer, transform, routing, …).
package octopus

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/pricing"
	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/usage"
)

func init() {
	caddy.RegisterModule(App{})
	caddy.RegisterModule(Handler{})
}

// App is the `octopus` Caddy app. It owns everything long-lived: the
// channels, groups and client keys, the compiled routing snapshot the
// relay reads, and the state that survives reloads (balancer and breaker
// state, upstream connection pools) kept in a caddy.UsagePool.
//
// It is configured with the `octopus` global option in the Caddyfile.
type App struct {
	// Database selects the store: sqlite (default, data/octopus.db),
	// postgres or mysql.
	Database *Database `json:"database,omitempty"`
	// AdminPassword is the first-boot password of the admin user. When
	// unset, a random one is generated and logged once.
	AdminPassword string `json:"admin_password,omitempty"`
	// StatsFlushInterval is how often in-memory usage counters are
	// written to the store. Default 5m.
	StatsFlushInterval caddy.Duration `json:"stats_flush_interval,omitempty"`
	// PriceSync configures the models.dev price sync.
	PriceSync *PriceSync `json:"price_sync,omitempty"`
	// ModelSyncInterval is how often channels with auto sync refresh their
	// model lists. Default 24h.
	ModelSyncInterval caddy.Duration `json:"model_sync_interval,omitempty"`
	// LogRetention is how long request logs are kept. Default 7d.
	LogRetention caddy.Duration `json:"log_retention,omitempty"`
	// LogBodies, when set, decides whether request logs record the
	// request and response bodies, and overrides the store settings
	// log_bodies and log_body_max_bytes (which the admin API then refuses
	// to change). When unset, those settings decide; bodies are off by
	// default.
	LogBodies *LogBodies `json:"log_bodies,omitempty"`
	// Channels are the upstream providers declared in the config.
	Channels []routing.ChannelConfig `json:"channels,omitempty"`
	// Groups are the public model names declared in the config.
	Groups []routing.GroupConfig `json:"groups,omitempty"`
	// APIKeys are the client keys declared in the config.
	APIKeys []routing.APIKeyConfig `json:"api_keys,omitempty"`

	logger *zap.Logger
	shared *sharedState
	// static is the config from the Caddyfile/JSON with placeholders
	// resolved; the store's definitions are merged on top of it.
	static routing.Config
	snap   *atomic.Pointer[routing.Snapshot]

	store *store.Store
	// served is store as the handlers see it: set once it is ready.
	served      *atomic.Pointer[store.Store]
	storeHeld   bool
	seenVersion *atomic.Int64
	rebuildMu   *sync.Mutex // orders snapshot rebuilds; never on the request path
	cancel      context.CancelFunc
	usage       *usage.Flusher
	usageHeld   bool
	reqlog      *atomic.Pointer[reqlog.Writer]
	// bodyLimit is the relay's body capture cap (0: off), from LogBodies
	// or the store settings; shared with the handlers.
	bodyLimit   *atomic.Int64
	reqlogHeld  bool
	prices      *atomic.Pointer[pricing.Service]
	pricingHeld bool
}

// Database selects the store.
type Database struct {
	// Driver is sqlite, postgres or mysql.
	Driver string `json:"driver"`
	// DSN is the connection string (for sqlite, the file path).
	DSN string `json:"dsn,omitempty"`
}

// LogBodies configures body recording in request logs.
type LogBodies struct {
	// Enabled records bodies.
	Enabled bool `json:"enabled"`
	// MaxBytes caps each recorded body (request and response); a longer
	// one is cut and flagged truncated. Default 64 KiB.
	MaxBytes int64 `json:"max_bytes,omitempty"`
}

// PriceSync configures the price sync from models.dev.
type PriceSync struct {
	// URL is the models.dev api.json URL. Default https://models.dev/api.json.
	URL string `json:"url,omitempty"`
	// Interval is the time between syncs. Default 24h.
	Interval caddy.Duration `json:"interval,omitempty"`
	// Disabled turns the sync off.
	Disabled bool `json:"disabled,omitempty"`
}

// CaddyModule returns the Caddy module information.
func (App) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "octopus",
		New: func() caddy.Module { return new(App) },
	}
}

// Provision resolves placeholders, validates the config and compiles the
// routing snapshot. It opens nothing and calls no network, so `caddy
// validate` stays cheap.
func (a *App) Provision(ctx caddy.Context) error {
	a.logger = ctx.Logger()
	a.shared = acquireShared()
	a.usage, a.usageHeld = acquireUsage(), true
	if a.Database == nil {
		a.Database = &Database{Driver: "sqlite"}
	}
	if a.Database.Driver == "sqlite" && a.Database.DSN == "" {
		a.Database.DSN = store.DefaultSQLitePath
	}
	if a.StatsFlushInterval <= 0 {
		a.StatsFlushInterval = caddy.Duration(5 * time.Minute)
	}
	if a.ModelSyncInterval <= 0 {
		a.ModelSyncInterval = caddy.Duration(24 * time.Hour)
	}
	if a.LogRetention <= 0 {
		a.LogRetention = caddy.Duration(7 * 24 * time.Hour)
	}
	if a.PriceSync == nil {
		a.PriceSync = &PriceSync{}
	}
	if !a.PriceSync.Disabled {
		if a.PriceSync.URL == "" {
			a.PriceSync.URL = "https://models.dev/api.json"
		}
		if a.PriceSync.Interval <= 0 {
			a.PriceSync.Interval = caddy.Duration(24 * time.Hour)
		}
	}

	static, err := a.resolveStatic()
	if err != nil {
		return err
	}
	a.static = static
	snap, err := routing.Compile(static, a.shared.deps())
	if err != nil {
		return err
	}
	a.snap = new(atomic.Pointer[routing.Snapshot])
	a.seenVersion = new(atomic.Int64)
	a.served = new(atomic.Pointer[store.Store])
	a.rebuildMu = new(sync.Mutex)
	a.reqlog = new(atomic.Pointer[reqlog.Writer])
	a.bodyLimit = new(atomic.Int64)
	if a.LogBodies != nil {
		if a.LogBodies.MaxBytes < 0 {
			return fmt.Errorf("log_bodies: max_bytes must not be negative")
		}
		a.bodyLimit.Store(a.LogBodies.limit())
	}
	a.prices = new(atomic.Pointer[pricing.Service])
	a.snap.Store(snap)
	return nil
}

// resolveStatic resolves {env.*} and {file.*} placeholders in secrets and
// URLs and returns the config's definitions.
func (a *App) resolveStatic() (routing.Config, error) {
	repl := caddy.NewReplacer()
	var cfg routing.Config
	resolve := func(what, s string) (string, error) {
		v, err := repl.ReplaceOrErr(s, true, true)
		if err != nil {
			return "", fmt.Errorf("%s: %v (is the environment variable or file set?)", what, err)
		}
		return v, nil
	}
	channels := make([]routing.ChannelConfig, len(a.Channels))
	for i, ch := range a.Channels {
		ch.Keys = append([]string(nil), ch.Keys...)
		for j, k := range ch.Keys {
			v, err := resolve(fmt.Sprintf("channel %q key %d", ch.Name, j+1), k)
			if err != nil {
				return cfg, err
			}
			ch.Keys[j] = v
		}
		var err error
		for _, f := range []*string{&ch.BaseURL, &ch.Proxy, &ch.TokenURL, &ch.ClientID, &ch.ClientSecret, &ch.Project} {
			if *f == "" {
				continue
			}
			if *f, err = resolve(fmt.Sprintf("channel %q", ch.Name), *f); err != nil {
				return cfg, err
			}
		}
		if len(ch.Headers) > 0 {
			h := make(map[string]string, len(ch.Headers))
			for k, v := range ch.Headers {
				if h[k], err = resolve(fmt.Sprintf("channel %q header %s", ch.Name, k), v); err != nil {
					return cfg, err
				}
			}
			ch.Headers = h
		}
		channels[i] = ch
	}
	keys := make([]routing.APIKeyConfig, len(a.APIKeys))
	for i, k := range a.APIKeys {
		v, err := resolve(fmt.Sprintf("api_key %q", k.Name), k.Secret)
		if err != nil {
			return cfg, err
		}
		k.Secret = v
		keys[i] = k
	}
	err := cfg.Merge(routing.Config{Channels: channels, Groups: a.Groups, Keys: keys}, routing.FromCaddyfile)
	return cfg, err
}

// Start opens the store (migrating it on first open), merges its
// channels, groups and keys with the config's, and starts the workers.
func (a *App) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	startCtx, done := context.WithTimeout(ctx, time.Minute)
	defer done()
	if err := a.openStore(startCtx); err != nil {
		return err
	}
	v, err := a.store.ConfigVersion(startCtx)
	if err != nil {
		return fmt.Errorf("reading the config version: %v", err)
	}
	a.seenVersion.Store(v)
	if err := a.Rebuild(startCtx); err != nil {
		return err
	}
	a.startUsage()
	a.startPricing(startCtx)
	if err := a.startRequestLogs(); err != nil {
		return fmt.Errorf("starting the request log: %v", err)
	}
	go a.pollConfig(ctx)
	go a.syncModels(ctx)
	return nil
}

// Stop stops the app's workers.
func (a *App) Stop() error {
	if a.cancel != nil {
		a.cancel()
	}
	return nil
}

// Cleanup releases this config's hold on the shared state and the store.
// It tolerates a partly provisioned or never started app.
func (a *App) Cleanup() error {
	if a.cancel != nil {
		a.cancel()
	}
	// Usage and logs first: their final writes need the store still open.
	if a.reqlogHeld {
		_, _ = reqlogPool.Delete(a.reqlogKey())
		a.reqlogHeld = false
	}
	if a.pricingHeld {
		_, _ = pricingPool.Delete(a.pricingKey())
		a.pricingHeld = false
	}
	if a.usageHeld {
		_, _ = usagePool.Delete(usageKey)
		a.usageHeld = false
	}
	if a.storeHeld {
		_, _ = storePool.Delete(a.storeKey())
		a.storeHeld = false
	}
	if a.shared != nil {
		releaseShared()
		a.shared = nil
	}
	return nil
}

// Snapshot returns the live routing snapshot.
func (a *App) Snapshot() *routing.Snapshot { return a.snap.Load() }

// Interface guards
var (
	_ caddy.App          = (*App)(nil)
	_ caddy.Provisioner  = (*App)(nil)
	_ caddy.CleanerUpper = (*App)(nil)
)
