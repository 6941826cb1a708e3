package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/octopuscaddy/octopus/pricing"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// priceBackend is a started app with a store, one Caddyfile channel and
// a pricing service.
type priceBackend struct {
	nilBackend
	st  *store.Store
	svc *pricing.Service
}

func (b *priceBackend) Store() *store.Store { return b.st }
func (b *priceBackend) StaticConfig() routing.Config {
	return routing.Config{Channels: []routing.ChannelConfig{{Name: "main", Models: []string{"gpt-4o", "claude-haiku-4-5", "mystery"}}}}
}
func (b *priceBackend) Prices() *pricing.Service { return b.svc }

// serveRoute runs the route for method and path, past authentication.
func serveRoute(t *testing.T, h *Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, APIPrefix+path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	p, _, _ := strings.Cut(path, "?")
	rt, param, _, ok := h.match(method, p)
	if !ok {
		t.Fatalf("no route for %s %s", method, path)
	}
	if err := rt.fn(h, &call{w: w, r: r, param: param}); err != nil {
		writeError(h, &call{w: w, r: r}, err)
	}
	return w
}

func TestPriceRoutes(t *testing.T) {
	data, err := os.ReadFile("../pricing/testdata/models-dev-api.sample.json")
	if err != nil {
		t.Fatal(err)
	}
	var fail atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	st := storetest.Open(t, store.SQLite)
	svc := pricing.NewService(pricing.Config{Store: st, URL: srv.URL, Client: srv.Client()})
	h := New(Config{Backend: &priceBackend{st: st, svc: svc}})

	// Before any price: every channel model is unpriced.
	var list priceList
	decodeAnswer(t, serveRoute(t, h, "GET", "prices", ""), http.StatusOK, &list)
	if len(list.Prices) != 0 || len(list.Unpriced) != 3 {
		t.Errorf("empty list: %+v", list)
	}

	var sync pricing.SyncStatus
	decodeAnswer(t, serveRoute(t, h, "POST", "prices/sync", ""), http.StatusOK, &sync)
	if sync.Models != 11 || sync.LastError != "" {
		t.Errorf("sync: %+v", sync)
	}

	var saved priceOutput
	decodeAnswer(t, serveRoute(t, h, "PUT", "prices", `{"model":"gpt-4o","channel":"main","input":1,"output":2,"cache_read":0.5}`), http.StatusOK, &saved)
	if saved.ID == 0 || saved.Source != pricing.SourceChannel || saved.Input != 1 || saved.CacheRead == nil || *saved.CacheRead != 0.5 {
		t.Errorf("saved: %+v", saved)
	}
	decodeAnswer(t, serveRoute(t, h, "PUT", "prices", `{"model":"mystery","input":3,"output":4}`), http.StatusOK, &saved)
	if saved.Source != pricing.SourceDefault {
		t.Errorf("default saved as %s", saved.Source)
	}
	// Applied at once, no reload needed.
	if e, ok := svc.Table().Lookup("main", "gpt-4o"); !ok || e.Source != pricing.SourceChannel {
		t.Errorf("lookup after PUT: %+v", e)
	}

	decodeAnswer(t, serveRoute(t, h, "GET", "prices", ""), http.StatusOK, &list)
	got := map[string]pricing.Source{}
	for _, p := range list.Prices {
		got[p.Channel+"/"+p.Model] = p.Source
	}
	want := map[string]pricing.Source{"main/gpt-4o": "channel", "/mystery": "default", "/claude-haiku-4-5": "models.dev"}
	if len(got) != len(want) || len(list.Unpriced) != 0 || list.Sync.Models != 11 {
		t.Errorf("list: %+v", list)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: source %q, want %q", k, got[k], v)
		}
	}
	decodeAnswer(t, serveRoute(t, h, "GET", "prices?all=true", ""), http.StatusOK, &list)
	if len(list.Prices) != 2+11 {
		t.Errorf("all: %d prices", len(list.Prices))
	}

	// A failed sync is a 502 and keeps the prices.
	fail.Store(true)
	if w := serveRoute(t, h, "POST", "prices/sync", ""); w.Code != http.StatusBadGateway {
		t.Errorf("failed sync: %d %s", w.Code, w.Body)
	}
	if _, ok := svc.Table().Lookup("main", "claude-haiku-4-5"); !ok {
		t.Error("failed sync dropped the prices")
	}

	w := serveRoute(t, h, "DELETE", "prices/"+strconv.Itoa(saved.ID), "")
	if w.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if _, ok := svc.Table().Lookup("main", "mystery"); ok {
		t.Error("deleted price still applies")
	}
	if w := serveRoute(t, h, "DELETE", "prices/"+strconv.Itoa(saved.ID), ""); w.Code != http.StatusNotFound {
		t.Errorf("second delete: %d", w.Code)
	}
}

func TestPutPriceErrors(t *testing.T) {
	st := storetest.Open(t, store.SQLite)
	h := New(Config{Backend: &priceBackend{st: st, svc: pricing.NewService(pricing.Config{Store: st})}})
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"input":1,"output":1}`, "model"},
		{`{"model":"m","output":1}`, "input"},
		{`{"model":"m","input":1}`, "output"},
		{`{"model":"m","input":-1,"output":1}`, "input"},
		{`{"model":"m","input":1,"output":1,"channel":"nope"}`, "channel"},
		{`{"model":"m","input":1,"output":1,"long_context_threshold":0}`, "long_context_threshold"},
		{`{"model":"m","input":1,"output":1,"bogus":1}`, "bogus"},
	} {
		var e errorBody
		decodeAnswer(t, serveRoute(t, h, "PUT", "prices", tc.body), http.StatusBadRequest, &e)
		if e.Error.Field != tc.field {
			t.Errorf("%s: field %q, want %q (%s)", tc.body, e.Error.Field, tc.field, e.Error.Message)
		}
	}
}

func TestPricesWithoutPricing(t *testing.T) {
	h := New(Config{Backend: nilBackend{}})
	for _, rq := range [][2]string{{"GET", "prices"}, {"POST", "prices/sync"}} {
		if w := serveRoute(t, h, rq[0], rq[1], ""); w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s %s: %d", rq[0], rq[1], w.Code)
		}
	}
}

func decodeAnswer(t *testing.T, w *httptest.ResponseRecorder, status int, v any) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
}
