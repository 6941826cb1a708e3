package octopus

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/admin"
	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// storePool shares one open database per (driver, DSN) between configs,
// so a reload neither reopens nor re-migrates it; the handle closes when
// the last config using it goes away.
var storePool = caddy.NewUsagePool()

type pooledStore struct{ *store.Store }

func (p pooledStore) Destruct() error { return p.Close() }

// configPollInterval is how often the store's config version is checked,
// so instances sharing one database see each other's changes.
const configPollInterval = 2 * time.Second

func (a *App) storeKey() string { return a.Database.Driver + "\x00" + a.Database.DSN }

// openStore opens (or shares) the database, migrates it on first open and
// makes sure an admin user exists.
func (a *App) openStore(ctx context.Context) error {
	v, _, err := storePool.LoadOrNew(a.storeKey(), func() (caddy.Destructor, error) {
		s, err := store.Open(ctx, a.Database.Driver, a.Database.DSN)
		if err != nil {
			return nil, err
		}
		if err := s.Migrate(ctx); err != nil {
			_ = s.Close()
			return nil, err
		}
		return pooledStore{s}, nil
	})
	if err != nil {
		return fmt.Errorf("opening %s database: %v", a.Database.Driver, err)
	}
	a.store = v.(pooledStore).Store
	a.storeHeld = true
	names := make([]string, 0, len(provider.Types()))
	for _, t := range provider.Types() {
		names = append(names, t.Name)
	}
	a.store.SetChannelTypes(names...)
	if err := a.bootstrapAdmin(ctx); err != nil {
		return err
	}
	// The HTTP app may already be serving (Caddy starts apps in no set
	// order): the admin API sees the store only once the admin user
	// exists, so a first login cannot meet an empty user table.
	a.served.Store(a.store)
	return nil
}

// bootstrapAdmin creates user "admin" on first start, with the configured
// password or a random one logged once.
func (a *App) bootstrapAdmin(ctx context.Context) error {
	n, err := a.store.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("counting users: %v", err)
	}
	if n > 0 {
		return nil
	}
	pw, err := caddy.NewReplacer().ReplaceOrErr(a.AdminPassword, true, true)
	generated := false
	if a.AdminPassword == "" || err != nil {
		if a.AdminPassword != "" {
			a.logger.Warn("admin_password is set but empty after placeholders; generating one", zap.Error(err))
		}
		pw, generated = randomPassword(), true
	}
	if _, err := a.store.CreateUser(ctx, "admin", pw); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) { // another instance created it first
			return nil
		}
		return fmt.Errorf("creating the admin user: %v", err)
	}
	if generated {
		a.logger.Warn("created admin user with a generated password; log in and change it (set admin_password to choose it)",
			zap.String("username", "admin"), zap.String("password", pw))
	} else {
		a.logger.Info("created admin user with the configured admin_password", zap.String("username", "admin"))
	}
	return nil
}

func randomPassword() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// storeConfig reads the channels, groups and keys kept in the store.
func (a *App) storeConfig(ctx context.Context) (routing.Config, error) {
	var cfg routing.Config
	chs, err := a.store.ListChannels(ctx)
	if err != nil {
		return cfg, err
	}
	for _, c := range chs {
		cfg.Channels = append(cfg.Channels, admin.RoutingChannel(c))
	}
	gs, err := a.store.ListGroups(ctx)
	if err != nil {
		return cfg, err
	}
	for _, g := range gs {
		rg := routing.GroupConfig{Name: g.Name, Mode: g.Mode, MaxAttempts: g.MaxAttempts}
		for _, m := range g.Members {
			rg.Members = append(rg.Members, routing.MemberConfig{Channel: m.Channel, Model: m.Model, Priority: m.Priority, Weight: m.Weight})
		}
		cfg.Groups = append(cfg.Groups, rg)
	}
	ks, err := a.store.ListAPIKeys(ctx)
	if err != nil {
		return cfg, err
	}
	for _, k := range ks {
		rk := routing.APIKeyConfig{Name: k.Name, SecretHash: k.KeyHash, Models: k.Models, Disabled: !k.Enabled}
		if k.ExpiresAt != nil {
			rk.Expires = *k.ExpiresAt
		}
		if k.MaxCost != nil {
			rk.MaxCost = *k.MaxCost
		}
		cfg.Keys = append(cfg.Keys, rk)
	}
	return cfg, nil
}

// Rebuild recompiles the routing snapshot from the config file and the
// store and swaps it in atomically; requests in flight keep the snapshot
// they started with.
func (a *App) Rebuild(ctx context.Context) error {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	cfg := routing.Config{}
	if err := cfg.Merge(a.static, routing.FromCaddyfile); err != nil {
		return err
	}
	if a.store != nil {
		sc, err := a.storeConfig(ctx)
		if err != nil {
			return fmt.Errorf("reading the store: %v", err)
		}
		if err := cfg.Merge(sc, routing.FromStore); err != nil {
			return err
		}
	}
	snap, err := routing.Compile(cfg, a.shared.runtime)
	if err != nil {
		return err
	}
	a.snap.Store(snap)
	a.applyBodySettings(ctx)
	if svc := a.Prices(); svc != nil { // prices may have changed too
		if err := svc.Reload(ctx); err != nil {
			a.logger.Warn("reloading prices", zap.Error(err))
		}
	}
	snap.Retain(a.shared.runtime)
	return nil
}

// Changed is called after the admin API changed the store: it bumps the
// shared config version, so other instances pick the change up, and
// rebuilds this instance's snapshot at once.
func (a *App) Changed(ctx context.Context) error {
	if a.store == nil {
		return nil
	}
	v, err := a.store.BumpConfigVersion(ctx)
	if err != nil {
		return err
	}
	a.seenVersion.Store(v)
	return a.Rebuild(ctx)
}

// pollConfig rebuilds the snapshot when another instance changed the store.
func (a *App) pollConfig(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			a.logger.Error("config poller panicked", zap.Any("panic", r), zap.ByteString("stack", debug.Stack()))
		}
	}()
	t := time.NewTicker(configPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := a.store.ConfigVersion(ctx)
		if err != nil {
			if ctx.Err() == nil {
				a.logger.Warn("reading the config version", zap.Error(err))
			}
			continue
		}
		if v == a.seenVersion.Load() {
			continue
		}
		if err := a.Rebuild(ctx); err != nil {
			a.logger.Error("applying a config change from the store", zap.Error(err))
			continue
		}
		a.seenVersion.Store(v)
		a.logger.Info("applied config change from the store", zap.Int64("version", v))
	}
}

// Store returns the open store (nil before Start).
func (a *App) Store() *store.Store { return a.served.Load() }

// StaticConfig returns the definitions from the config file, secrets
// resolved.
func (a *App) StaticConfig() routing.Config { return a.static }

// Runtime returns the state shared across reloads.
func (a *App) Runtime() *routing.Runtime { return a.shared.runtime }

// Tokens returns the Antigravity token cache.
func (a *App) Tokens() *antigravity.Tokens { return a.shared.tokens }

// Options returns the gateway options in force, for the admin API: the
// Caddyfile sets them, the panel shows them. The database DSN and any
// query string of the price URL are left out, as they may hold secrets.
func (a *App) Options() map[string]string {
	price := "off"
	if !a.PriceSync.Disabled {
		u := a.PriceSync.URL
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		price = u + " " + time.Duration(a.PriceSync.Interval).String()
	}
	return map[string]string{
		"database":             a.Database.Driver,
		"stats_flush_interval": time.Duration(a.StatsFlushInterval).String(),
		"price_sync":           price,
		"model_sync_interval":  time.Duration(a.ModelSyncInterval).String(),
		"log_retention":        time.Duration(a.LogRetention).String(),
	}
}
