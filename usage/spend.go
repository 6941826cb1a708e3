package usage

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"github.com/octopuscaddy/octopus/ent"
	entstats "github.com/octopuscaddy/octopus/ent/statshourly"
	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
)

// Spend keeps what each client key has spent, for max_cost limits.
//
// A key's spend is what the store holds for it (every instance's flushed
// usage, as of the last Refresh) plus this instance's priced requests not
// yet flushed. Refresh runs at start and after every usage flush, so
// instances sharing a store converge: a request served elsewhere counts
// here once its instance flushed it and this one refreshed, that is within
// about two stats_flush_interval. It lives across reloads with the rest of
// the usage state.
type Spend struct {
	// keys is copy on write: lookups take no lock and allocate nothing;
	// a new key copies the map under mu.
	keys atomic.Pointer[map[string]*spendEntry]
	mu   sync.Mutex
	cost atomic.Pointer[CostFunc]
	// refreshMu serialises Refresh.
	refreshMu sync.Mutex
}

// spendEntry is one key's spend: adj + local.
type spendEntry struct {
	// local is the cost of this instance's priced requests since start
	// (float64 bits).
	local atomic.Uint64
	// adj is the stored total minus the part of local already flushed
	// into it, at the last Refresh (float64 bits).
	adj atomic.Uint64
}

// SetCost sets the pricing function (nil: nothing is priced).
func (s *Spend) SetCost(fn CostFunc) {
	if fn == nil {
		s.cost.Store(nil)
		return
	}
	s.cost.Store(&fn)
}

// Observe adds the cost of rec to its key. Implements relay.Observer.
func (s *Spend) Observe(rec *relay.Record) {
	fn := s.cost.Load()
	if fn == nil || rec.Key == "" {
		return
	}
	if usd, ok := (*fn)(rec); ok && usd > 0 {
		addFloat(&s.entry(rec.Key).local, usd)
	}
}

func addFloat(bits *atomic.Uint64, v float64) {
	for {
		old := bits.Load()
		if bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (s *Spend) lookup(key string) *spendEntry {
	if m := s.keys.Load(); m != nil {
		return (*m)[key]
	}
	return nil
}

// entry returns key's entry, creating it.
func (s *Spend) entry(key string) *spendEntry {
	if e := s.lookup(key); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.keys.Load()
	if old != nil {
		if e := (*old)[key]; e != nil {
			return e
		}
	}
	m := make(map[string]*spendEntry, 1+lenOf(old))
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	e := new(spendEntry)
	m[key] = e
	s.keys.Store(&m)
	return e
}

func lenOf(m *map[string]*spendEntry) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// Spent returns the USD spent by key.
func (s *Spend) Spent(key string) float64 {
	e := s.lookup(key)
	if e == nil {
		return 0
	}
	return math.Float64frombits(e.adj.Load()) + math.Float64frombits(e.local.Load())
}

// Refresh re-reads the per-key totals from st. c are the counters this
// instance flushes (nil: none), whose flushed part of the local spend the
// stored totals already hold. Calls may repeat (every reload, every
// flush): each replaces the last, nothing is counted twice.
func (s *Spend) Refresh(ctx context.Context, st *store.Store, c *Counters) error {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	read := func(flushed map[string]float64) error {
		var rows []struct {
			APIKey string  `json:"api_key"`
			Sum    float64 `json:"sum"`
		}
		err := st.Client().StatsHourly.Query().
			GroupBy(entstats.FieldAPIKey).
			Aggregate(ent.Sum(entstats.FieldCost)).
			Scan(ctx, &rows)
		if err != nil {
			return err
		}
		stored := make(map[string]float64, len(rows))
		for _, r := range rows {
			stored[r.APIKey] = r.Sum
			s.entry(r.APIKey) // known from now on
		}
		if m := s.keys.Load(); m != nil {
			for k, e := range *m {
				e.adj.Store(math.Float64bits(stored[k] - flushed[k]))
			}
		}
		return nil
	}
	if c == nil {
		return read(nil)
	}
	return c.withFlushed(read)
}
