package pricing

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/transform"
)

func f(v float64) *float64 { return &v }

func fixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/models-dev-api.sample.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestParseModelsDev(t *testing.T) {
	es, err := ParseModelsDev(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 11 {
		t.Errorf("got %d entries, want 11", len(es))
	}
	tab := NewTable(nil, es)
	for _, tc := range []struct {
		model, provider   string
		input, output     float64
		cacheRead, cacheW *float64
		long              int64
	}{
		{"gpt-4o", "openai", 2.5, 10, f(1.25), nil, 0},
		{"claude-sonnet-4-5", "anthropic", 3, 15, f(0.3), f(3.75), 0},
		{"gemini-2.5-pro", "google", 1.25, 10, f(0.31), nil, 200_000},
		{"text-embedding-3-small", "openai", 0.02, 0, nil, nil, 0},
	} {
		e, ok := tab.Lookup("", tc.model)
		if !ok {
			t.Errorf("%s: not found", tc.model)
			continue
		}
		p := e.Price
		if e.Provider != tc.provider || e.Source != SourceModelsDev || p.Input != tc.input || p.Output != tc.output ||
			!eqPtr(p.CacheRead, tc.cacheRead) || !eqPtr(p.CacheWrite, tc.cacheW) || p.LongContextThreshold != tc.long {
			t.Errorf("%s: got %+v from %s", tc.model, p, e.Provider)
		}
	}
	e, _ := tab.Lookup("", "gemini-2.5-pro")
	if !eqPtr(e.Price.LongInput, f(2.5)) || !eqPtr(e.Price.LongOutput, f(15)) || !eqPtr(e.Price.LongCacheRead, f(0.625)) {
		t.Errorf("gemini long tier: %+v", e.Price)
	}
}

func eqPtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestParseModelsDevErrors(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"x":`, `{}`, `{"p":{"models":{"m":{"id":"m"}}}}`, `{"p":{"models":{"m":{"cost":{"input":-1,"output":1}}}}}`} {
		if _, err := ParseModelsDev([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestParseModelsDevDuplicates(t *testing.T) {
	in := `{
	 "zz-reseller": {"models": {"gpt-x": {"id": "gpt-x", "cost": {"input": 9, "output": 9}}}},
	 "github-copilot": {"models": {"gpt-x": {"id": "gpt-x", "cost": {"input": 0, "output": 0}},
	                               "free": {"id": "free", "cost": {"input": 0, "output": 0}}}},
	 "openai": {"models": {"gpt-x": {"id": "gpt-x", "cost": {"input": 1, "output": 2}}}},
	 "aa": {"models": {"free": {"id": "free", "cost": {"input": 0, "output": 0}},
	                   "third": {"id": "third", "cost": {"input": 0, "output": 0}}}},
	 "bb": {"models": {"third": {"id": "third", "cost": {"input": 3, "output": 3}},
	                   "openrouter/only": {"id": "vendor/Only-Slash", "cost": {"input": 4, "output": 4}}}}
	}`
	es, err := ParseModelsDev([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	tab := NewTable(nil, es)
	for model, want := range map[string]string{"gpt-x": "openai", "free": "aa", "third": "bb", "only-slash": "bb", "other/vendor/Only-Slash": "bb", "GPT-X": "openai"} {
		e, ok := tab.Lookup("", model)
		if !ok || e.Provider != want {
			t.Errorf("%s: got %+v, want from %s", model, e, want)
		}
	}
}

func TestLookupPriority(t *testing.T) {
	dev, err := ParseModelsDev(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	stored := []*store.Price{
		{ID: 1, Model: "gpt-4o", Channel: "a", Source: store.PriceSourceUser, Input: 1, Output: 1},
		{ID: 2, Model: "gpt-4o", Source: store.PriceSourceUser, Input: 2, Output: 2},
		{ID: 3, Model: "gpt-4o-mini", Channel: "a", Source: store.PriceSourceUser, Input: 3, Output: 3},
		// A models.dev row in the store yields to the synced one, and
		// fills in models the sync lacks.
		{ID: 4, Model: "gpt-4o", Source: store.PriceSourceModelsDev, Input: 4, Output: 4},
		{ID: 5, Model: "old-model", Source: store.PriceSourceModelsDev, Input: 5, Output: 5},
	}
	tab := NewTable(stored, dev)
	for _, tc := range []struct {
		channel, model string
		want           Source
		input          float64
	}{
		{"a", "gpt-4o", SourceChannel, 1},
		{"b", "gpt-4o", SourceDefault, 2},
		{"", "gpt-4o", SourceDefault, 2},
		{"a", "gpt-4o-mini", SourceChannel, 3},
		{"b", "gpt-4o-mini", SourceModelsDev, 0.15},
		{"a", "claude-haiku-4-5", SourceModelsDev, 1},
		{"a", "old-model", SourceModelsDev, 5},
	} {
		e, ok := tab.Lookup(tc.channel, tc.model)
		if !ok || e.Source != tc.want || e.Price.Input != tc.input {
			t.Errorf("%s/%s: got %+v %v, want %s input %v", tc.channel, tc.model, e, ok, tc.want, tc.input)
		}
	}
	if e, ok := tab.Lookup("a", "unknown"); ok {
		t.Errorf("unknown model priced: %+v", e)
	}
	if _, ok := (*Table)(nil).Lookup("a", "gpt-4o"); ok {
		t.Error("nil table priced")
	}
	if tab.Len() != 3+len(dev)+1 {
		t.Errorf("Len %d", tab.Len())
	}
}

func TestCost(t *testing.T) {
	full := Price{Input: 3, Output: 15, CacheRead: f(0.3), CacheWrite: f(3.75), Reasoning: f(20)}
	plain := Price{Input: 2, Output: 8}
	long := Price{Input: 1.25, Output: 10, CacheRead: f(0.31),
		LongContextThreshold: 200_000, LongInput: f(2.5), LongOutput: f(15), LongCacheRead: f(0.625)}
	for _, tc := range []struct {
		name string
		p    Price
		tok  Tokens
		want float64 // USD
	}{
		{"input only", plain, Tokens{Input: 1_000_000}, 2},
		{"output only", plain, Tokens{Output: 1_000_000}, 8},
		{"cache read", full, Tokens{Input: 1_000_000, CacheRead: 1_000_000}, 0.3},
		{"cache write", full, Tokens{Input: 1_000_000, CacheWrite: 1_000_000}, 3.75},
		{"mixed input", full, Tokens{Input: 3_000_000, CacheRead: 1_000_000, CacheWrite: 1_000_000}, 3 + 0.3 + 3.75},
		{"cache without price at input price", plain, Tokens{Input: 2_000_000, CacheRead: 500_000, CacheWrite: 500_000}, 4},
		{"reasoning at its price", full, Tokens{Output: 3_000_000, Reasoning: 1_000_000}, 2*15 + 20},
		{"reasoning without price at output price", plain, Tokens{Output: 3_000_000, Reasoning: 1_000_000}, 24},
		{"reasoning above output clamped", full, Tokens{Output: 1_000_000, Reasoning: 5_000_000}, 20},
		{"cache above input clamped", full, Tokens{Input: 1_000_000, CacheRead: 2_000_000}, 0.6},
		{"long tier not crossed", long, Tokens{Input: 200_000, Output: 1_000_000}, 0.2*1.25 + 10},
		{"long tier crossed", long, Tokens{Input: 400_000, CacheRead: 100_000, Output: 1_000_000}, 0.3*2.5 + 0.1*0.625 + 15},
		{"long tier missing kind falls back to base", Price{Input: 1, Output: 2, CacheWrite: f(5), LongContextThreshold: 10, LongInput: f(3)},
			Tokens{Input: 2_000_000, CacheWrite: 1_000_000, Output: 1_000_000}, 3 + 5 + 2},
		{"zero", full, Tokens{}, 0},
	} {
		r := tc.p.resolve()
		if got := r.cost(tc.tok); !near(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestServiceCost(t *testing.T) {
	st := &fakeStore{prices: []*store.Price{{Model: "m", Input: 1, Output: 2}}}
	s := NewService(Config{Store: st})
	rec := &relay.Record{Channel: "c", Model: "m", Usage: transform.Usage{InputTokens: 1_000_000, OutputTokens: 1_000_000}}
	if _, ok := s.Cost(rec); ok {
		t.Fatal("priced before Reload")
	}
	if got := s.Unpriced(); len(got) != 1 || got[0] != (ChannelModel{"c", "m"}) {
		t.Errorf("unpriced %v", got)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if usd, ok := s.Cost(rec); !ok || !near(usd, 3) {
		t.Errorf("cost %v %v, want 3", usd, ok)
	}
	if got := s.Unpriced(); len(got) != 0 {
		t.Errorf("unpriced after pricing: %v", got)
	}
	if _, ok := s.Cost(nil); ok {
		t.Error("nil record priced")
	}
	st.err = errors.New("db down")
	if err := s.Reload(context.Background()); err == nil {
		t.Error("Reload hid the store error")
	}
	if _, ok := s.Cost(rec); !ok {
		t.Error("failed Reload dropped the table")
	}
}

type fakeStore struct {
	prices []*store.Price
	err    error
}

func (f *fakeStore) ListPrices(context.Context) ([]*store.Price, error) { return f.prices, f.err }

func TestSyncKeepsLastGood(t *testing.T) {
	data := fixture(t)
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	s := NewService(Config{URL: srv.URL, Client: srv.Client()})
	st, err := s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Models != 11 || st.LastSuccess == nil || st.LastError != "" {
		t.Errorf("status %+v", st)
	}
	rec := &relay.Record{Model: "gpt-4o", Usage: transform.Usage{InputTokens: 1_000_000}}
	if usd, ok := s.Cost(rec); !ok || !near(usd, 2.5) {
		t.Fatalf("cost %v %v", usd, ok)
	}
	fail.Store(true)
	st, err = s.Sync(context.Background())
	if err == nil {
		t.Fatal("no error on 500")
	}
	if st.LastError == "" || st.Models != 11 || st.LastAttempt == nil || st.LastAttempt.Before(*st.LastSuccess) {
		t.Errorf("status after failure %+v", st)
	}
	if usd, ok := s.Cost(rec); !ok || !near(usd, 2.5) {
		t.Errorf("last good prices lost: %v %v", usd, ok)
	}
}

func TestSyncSizeCapAndBadJSON(t *testing.T) {
	body := `{"p":{"models":{"m":{"cost":{"input":1,"output":1}}}}}`
	for _, tc := range []struct {
		name, body string
		max        int64
		ok         bool
	}{
		{"fits", body, int64(len(body)), true},
		{"too large", body, int64(len(body)) - 1, false},
		{"not json", "<html>", 1 << 20, false},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(tc.body)) }))
		s := NewService(Config{URL: srv.URL, Client: srv.Client(), MaxBytes: tc.max})
		_, err := s.Sync(context.Background())
		srv.Close()
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}

func TestSyncerStop(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	s := NewService(Config{URL: srv.URL, Client: srv.Client()})
	y := StartSyncer(s, time.Millisecond, nil)
	deadline := time.Now().Add(5 * time.Second)
	for hits.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	y.Stop()
	y.Stop()
	n := hits.Load()
	if n < 2 {
		t.Fatalf("syncer ran %d times", n)
	}
	// A request cancelled by Stop may still reach the server after Stop
	// returns (it was already on the wire), so one more hit is allowed; a
	// syncer still ticking every millisecond would make many.
	time.Sleep(50 * time.Millisecond)
	if got := hits.Load(); got > n+1 {
		t.Errorf("syncer ran after Stop: %d hits, then %d", n, got)
	}
	if s.Status().LastError == "" {
		t.Error("failure not recorded")
	}
}

func BenchmarkCost(b *testing.B) {
	dev, err := ParseModelsDev(mustRead(b))
	if err != nil {
		b.Fatal(err)
	}
	s := NewService(Config{})
	s.setDev(dev, time.Now())
	rec := &relay.Record{Channel: "c", Model: "claude-sonnet-4-5", Usage: transform.Usage{InputTokens: 5000, CacheReadTokens: 3000, OutputTokens: 800}}
	b.ReportAllocs()
	for b.Loop() {
		s.Cost(rec)
	}
}

func mustRead(b *testing.B) []byte {
	d, err := os.ReadFile("testdata/models-dev-api.sample.json")
	if err != nil {
		b.Fatal(err)
	}
	return d
}
