package pricing

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

// PriceLister lists the store's prices. *store.Store implements it.
type PriceLister interface {
	ListPrices(ctx context.Context) ([]*store.Price, error)
}

// UnpricedRecorder creates the unpriced placeholder price row of a model.
// *store.Store implements it.
type UnpricedRecorder interface {
	EnsureUnpricedPrice(ctx context.Context, model string) (created bool, err error)
}

// placeholderQueue bounds the models waiting for their placeholder row;
// placeholderTimeout bounds one write.
const (
	placeholderQueue   = 256
	placeholderTimeout = 30 * time.Second
)

// maxUnpriced bounds the set of unpriced (channel, model) pairs kept for
// the admin API, so a client inventing model names cannot grow it.
const maxUnpriced = 1000

// Config configures a Service.
type Config struct {
	// Store lists the user's prices. Nil: no user prices. When it also
	// implements UnpricedRecorder, a model served without any price gets
	// an unpriced placeholder row (written in the background, once).
	Store PriceLister
	// Logger receives placeholder write failures; nop when nil.
	Logger *zap.Logger
	// URL is the models.dev api.json URL; DefaultModelsDevURL when empty.
	URL string
	// Client fetches URL; a client with a 60s timeout when nil.
	Client *http.Client
	// MaxBytes caps the fetched body; 32 MiB when zero.
	MaxBytes int64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// SyncStatus describes the last models.dev sync.
type SyncStatus struct {
	// LastSuccess is when the models.dev prices in use were fetched.
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// LastAttempt is when the last sync ran.
	LastAttempt *time.Time `json:"last_attempt,omitempty"`
	// LastError is the last sync's error; empty when it succeeded.
	LastError string `json:"last_error,omitempty"`
	// Models is how many models.dev prices are in use.
	Models int `json:"models"`
}

// Service holds the current price table and rebuilds it when the store's
// prices change (Reload) or models.dev is synced (Sync). It is safe for
// concurrent use; Cost takes no lock.
type Service struct {
	cfg   Config
	table atomic.Pointer[Table]

	// mu serialises rebuilds and guards dev, stored and status.
	mu     sync.Mutex
	dev    []Entry
	stored []*store.Price
	status SyncStatus
	// syncMu serialises syncs, so two never fetch at once and the slower
	// cannot overwrite the newer result.
	syncMu sync.Mutex

	unpricedMu sync.RWMutex
	unpriced   map[chanModel]struct{}
	// queued are the models whose placeholder row was asked for
	// (guarded by unpricedMu); placeholders carries them to the writer.
	queued       map[string]struct{}
	recorder     UnpricedRecorder
	placeholders chan string
	stop         chan struct{}
	stopOnce     sync.Once
	wg           sync.WaitGroup
}

// NewService returns a service with an empty table; call Reload to read
// the store's prices and Sync (or a Syncer) for models.dev.
func NewService(cfg Config) *Service {
	if cfg.URL == "" {
		cfg.URL = DefaultModelsDevURL
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 60 * time.Second}
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 32 << 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	s := &Service{cfg: cfg, unpriced: map[chanModel]struct{}{}, queued: map[string]struct{}{}, stop: make(chan struct{})}
	s.table.Store(NewTable(nil, nil))
	if r, ok := cfg.Store.(UnpricedRecorder); ok && r != nil {
		s.recorder = r
		s.placeholders = make(chan string, placeholderQueue)
		s.wg.Add(1)
		go s.placeholderLoop()
	}
	return s
}

// Close stops the placeholder writer, after it finished the row it is
// writing. Later calls do nothing.
func (s *Service) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
}

// Table returns the current table.
func (s *Service) Table() *Table { return s.table.Load() }

// Cost prices a finished request in USD; priced is false when no price
// is known for its model. It has the signature of usage.CostFunc.
func (s *Service) Cost(rec *relay.Record) (usd float64, priced bool) {
	if rec == nil {
		return 0, false
	}
	t := s.table.Load()
	e, ok := t.Lookup(rec.Channel, rec.Model)
	if !ok {
		// A placeholder row is wanted for models actually served, not
		// for names a failed request merely tried.
		s.noteUnpriced(t, rec.Channel, rec.Model, rec.Status >= 200 && rec.Status < 300)
		return 0, false
	}
	u := &rec.Usage
	return e.Cost(Tokens{
		Input: u.InputTokens, Output: u.OutputTokens,
		CacheRead: u.CacheReadTokens, CacheWrite: u.CacheWriteTokens, Reasoning: u.ReasoningTokens,
	}), true
}

// noteUnpriced remembers a pair that had no price and, for a model
// served (placeholder), asks once for its placeholder row. A pair already
// known costs only a shared read lock, so a busy unpriced model does not
// serialise its requests; the row is written off the request path.
func (s *Service) noteUnpriced(t *Table, channel, model string, placeholder bool) {
	if model == "" {
		return
	}
	placeholder = placeholder && s.recorder != nil && !t.HasPlaceholder(model)
	k := chanModel{channel, model}
	s.unpricedMu.RLock()
	_, known := s.unpriced[k]
	_, queued := s.queued[model]
	s.unpricedMu.RUnlock()
	if known && (queued || !placeholder) {
		return
	}
	s.unpricedMu.Lock()
	defer s.unpricedMu.Unlock()
	if _, ok := s.unpriced[k]; !ok && len(s.unpriced) < maxUnpriced {
		s.unpriced[k] = struct{}{}
	}
	if _, ok := s.queued[model]; !placeholder || ok || len(s.queued) >= maxUnpriced {
		return
	}
	select {
	case s.placeholders <- model:
		s.queued[model] = struct{}{}
	default: // writer busy: a later request asks again
	}
}

// placeholderLoop writes the placeholder rows asked for, then reloads
// the prices once per batch so the table knows them.
func (s *Service) placeholderLoop() {
	defer s.wg.Done()
	for {
		var model string
		select {
		case <-s.stop:
			return
		case model = <-s.placeholders:
		}
		batch := []string{model}
	drain:
		for len(batch) < placeholderQueue {
			select {
			case m := <-s.placeholders:
				batch = append(batch, m)
			default:
				break drain
			}
		}
		created := false
		for _, m := range batch {
			ctx, cancel := context.WithTimeout(context.Background(), placeholderTimeout)
			ok, err := s.recorder.EnsureUnpricedPrice(ctx, m)
			cancel()
			if err != nil {
				s.cfg.Logger.Warn("creating the unpriced placeholder price", zap.String("model", m), zap.Error(err))
				s.unpricedMu.Lock()
				delete(s.queued, m) // a later request tries again
				s.unpricedMu.Unlock()
				continue
			}
			created = created || ok
		}
		if created {
			ctx, cancel := context.WithTimeout(context.Background(), placeholderTimeout)
			if err := s.Reload(ctx); err != nil {
				s.cfg.Logger.Warn("reloading prices after adding placeholders", zap.Error(err))
			}
			cancel()
		}
	}
}

// ChannelModel is a model as served by a channel.
type ChannelModel struct {
	Channel string `json:"channel"`
	Model   string `json:"model"`
}

// Unpriced returns the (channel, model) pairs seen by Cost that still
// have no price, sorted.
func (s *Service) Unpriced() []ChannelModel {
	t := s.table.Load()
	s.unpricedMu.Lock()
	out := make([]ChannelModel, 0, len(s.unpriced))
	for k := range s.unpriced {
		if _, ok := t.Lookup(k.channel, k.model); ok {
			// Priced since: forget it.
			delete(s.unpriced, k)
			continue
		}
		out = append(out, ChannelModel{k.channel, k.model})
	}
	s.unpricedMu.Unlock()
	slices.SortFunc(out, func(a, b ChannelModel) int {
		if c := strings.Compare(a.Channel, b.Channel); c != 0 {
			return c
		}
		return strings.Compare(a.Model, b.Model)
	})
	return out
}

// Reload re-reads the store's prices and swaps in a new table. On error
// the current table stays.
func (s *Service) Reload(ctx context.Context) error {
	var stored []*store.Price
	if s.cfg.Store != nil {
		var err error
		if stored, err = s.cfg.Store.ListPrices(ctx); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stored = stored
	s.table.Store(NewTable(s.stored, s.dev))
	return nil
}

// Status returns the state of the models.dev sync.
func (s *Service) Status() SyncStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// setDev swaps in new models.dev prices.
func (s *Service) setDev(dev []Entry, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dev = dev
	s.status = SyncStatus{LastSuccess: &at, LastAttempt: &at, Models: len(dev)}
	s.table.Store(NewTable(s.stored, s.dev))
}

// syncFailed records a failed sync; the prices in use stay.
func (s *Service) syncFailed(err error, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status.LastAttempt = &at
	s.status.LastError = err.Error()
}
