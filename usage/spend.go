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

// Spend keeps what each client key has spent, for max_cost limits: the
// total already in the store (read once per process) plus every priced
// request since. It lives across reloads with the rest of the usage state.
// Instances sharing a store each add their own requests to the stored
// total they started from; a limit is therefore exact per instance and
// approximate across instances until they restart.
type Spend struct {
	keys   sync.Map // key name → *atomic.Uint64 (float64 bits)
	cost   atomic.Pointer[CostFunc]
	seeded atomic.Bool
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
		s.add(rec.Key, usd)
	}
}

func (s *Spend) add(key string, usd float64) {
	v, _ := s.keys.LoadOrStore(key, new(atomic.Uint64))
	bits := v.(*atomic.Uint64)
	for {
		old := bits.Load()
		if bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+usd)) {
			return
		}
	}
}

// Spent returns the USD spent by key.
func (s *Spend) Spent(key string) float64 {
	if v, ok := s.keys.Load(key); ok {
		return math.Float64frombits(v.(*atomic.Uint64).Load())
	}
	return 0
}

// Seed adds the stored per-key totals, once per process (later calls do
// nothing, so a reload does not count the store twice).
func (s *Spend) Seed(ctx context.Context, st *store.Store) error {
	if !s.seeded.CompareAndSwap(false, true) {
		return nil
	}
	var rows []struct {
		APIKey string  `json:"api_key"`
		Sum    float64 `json:"sum"`
	}
	err := st.Client().StatsHourly.Query().
		GroupBy(entstats.FieldAPIKey).
		Aggregate(ent.Sum(entstats.FieldCost)).
		Scan(ctx, &rows)
	if err != nil {
		s.seeded.Store(false)
		return err
	}
	for _, r := range rows {
		if r.Sum > 0 {
			s.add(r.APIKey, r.Sum)
		}
	}
	return nil
}
