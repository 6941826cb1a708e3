package admin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/store/storetest"
)

// keyBackend is a started app with a routing snapshot, stored usage and
// usage still in memory.
type keyBackend struct {
	statsBackend
	snap *routing.Snapshot
}

func (b keyBackend) Snapshot() *routing.Snapshot { return b.snap }

const (
	cfKeySecret    = "sk-caddyfile-view-0123456789"
	storeKeySecret = "sk-octo-store-view-abcdefghijkl"
	offKeySecret   = "sk-disabled-view-0123456789"
)

var keyNow = time.Date(2026, 3, 5, 12, 30, 0, 0, time.UTC)

// newKeyHandler: key "cf" from the Caddyfile (limit 10 USD, group
// "smart" only), "st" as the store keeps it (hash only, no limit), "off"
// disabled. Usage: cf 2 requests on 03-04 and 1 in memory today on m1;
// st 4 requests today on m2, which cf must never see.
func newKeyHandler(t *testing.T) *Handler {
	t.Helper()
	sum := sha256.Sum256([]byte(storeKeySecret))
	cfg := routing.Config{
		Channels: []routing.ChannelConfig{{Name: "oa", Type: "openai_chat", Keys: []string{"sk-1"}, Models: []string{"m1", "m2"}}},
		Groups: []routing.GroupConfig{
			{Name: "smart", Members: []routing.MemberConfig{{Channel: "oa", Model: "m1"}}},
			{Name: "other", Members: []routing.MemberConfig{{Channel: "oa", Model: "m2"}}},
		},
		Keys: []routing.APIKeyConfig{
			{Name: "cf", Secret: cfKeySecret, Models: []string{"smart"}, MaxCost: 10, Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
			{Name: "st", SecretHash: hex.EncodeToString(sum[:])},
			{Name: "off", Secret: offKeySecret, Disabled: true},
		},
	}
	snap, err := routing.Compile(cfg, routing.NewRuntime())
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Open(t, store.SQLite)
	d := func(at time.Time, model, key string, req int64) store.StatsDelta {
		return store.StatsDelta{Hour: at, Channel: "oa", Model: model, APIKey: key,
			Requests: req, Successes: req, InputTokens: 100 * req, OutputTokens: 10 * req, Cost: float64(req) / 4}
	}
	if err := s.AddStats(context.Background(), []store.StatsDelta{
		d(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), "m1", "cf", 2),
		d(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC), "m2", "st", 4),
		// Outside a 1-day window, inside the default 30 days.
		d(time.Date(2026, 2, 20, 9, 0, 0, 0, time.UTC), "m2", "cf", 1),
	}); err != nil {
		t.Fatal(err)
	}
	mem := []store.StatsDelta{d(time.Date(2026, 3, 5, 12, 10, 0, 0, time.UTC), "m1", "cf", 1)}
	b := keyBackend{statsBackend: statsBackend{s: s, mem: mem}, snap: snap}
	return New(Config{Backend: b, Now: func() time.Time { return keyNow }})
}

// keyGet serves target through the whole handler (routing, auth) with
// the Authorization header auth.
func keyGet(h *Handler, target, auth string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func TestKeyInfo(t *testing.T) {
	h := newKeyHandler(t)
	rec := keyGet(h, "/api/v1/key/info", "Bearer "+cfKeySecret)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), cfKeySecret) {
		t.Fatal("the answer holds the secret")
	}
	var got keyInfo
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	// 3 of cf's requests at 0.25 each (stored and in memory), not st's.
	if got.Name != "cf" || got.Spent != 1 || got.MaxCost == nil || *got.MaxCost != 10 || got.Remaining == nil || *got.Remaining != 9 {
		t.Fatalf("info %+v", got)
	}
	if got.AllModels || len(got.Models) != 1 || got.Models[0] != "smart" {
		t.Fatalf("models %v all=%v", got.Models, got.AllModels)
	}
	if got.ExpiresAt == nil || got.Expired || !strings.HasPrefix(got.KeyPrefix, "sk-") || !strings.Contains(got.KeyPrefix, "…") {
		t.Fatalf("info %+v", got)
	}

	// A store key (hash only) works the same way; no limit.
	rec = keyGet(h, "/api/v1/key/info", "bearer "+storeKeySecret)
	if rec.Code != http.StatusOK {
		t.Fatalf("store key: status %d: %s", rec.Code, rec.Body)
	}
	got = keyInfo{}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != "st" || got.Spent != 1 || got.MaxCost != nil || got.Remaining != nil || !got.AllModels || len(got.Models) != 2 {
		t.Fatalf("store key info %+v", got)
	}
}

func TestKeyUsage(t *testing.T) {
	h := newKeyHandler(t)
	var got keyUsage
	rec := keyGet(h, "/api/v1/key/usage", "Bearer "+cfKeySecret)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Days) != 30 || !got.Days[29].Time.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days %d, last %v", len(got.Days), got.Days[len(got.Days)-1].Time)
	}
	if got.Totals.Requests != 4 || got.Days[29].Requests != 1 || got.Days[28].Requests != 2 {
		t.Fatalf("totals %+v today %+v yesterday %+v", got.Totals, got.Days[29], got.Days[28])
	}
	if len(got.Models) != 2 || got.Models[0].Name != "m1" || got.Models[0].Requests != 3 || got.Models[1].Name != "m2" {
		t.Fatalf("models %+v", got.Models)
	}

	rec = keyGet(h, "/api/v1/key/usage?days=1", "Bearer "+cfKeySecret)
	got = keyUsage{}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Days) != 1 || got.Totals.Requests != 1 || len(got.Models) != 1 {
		t.Fatalf("one day: %+v", got)
	}
	for _, bad := range []string{"0", "x", "367"} {
		if rec := keyGet(h, "/api/v1/key/usage?days="+bad, "Bearer "+cfKeySecret); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"field":"days"`) {
			t.Fatalf("days=%s: %d %s", bad, rec.Code, rec.Body)
		}
	}
}

func TestKeyViewRefuses(t *testing.T) {
	h := newKeyHandler(t)
	for _, auth := range []string{"", "Bearer ", "Bearer " + cfKeySecret + "x", "Basic " + cfKeySecret, "Bearer " + offKeySecret} {
		for _, p := range []string{"/api/v1/key/info", "/api/v1/key/usage"} {
			if rec := keyGet(h, p, auth); rec.Code != http.StatusUnauthorized {
				t.Fatalf("%s with %q: status %d", p, auth, rec.Code)
			}
		}
	}
	// The key does not open the admin API.
	if rec := keyGet(h, "/api/v1/api-keys", "Bearer "+cfKeySecret); rec.Code != http.StatusUnauthorized {
		t.Fatalf("admin route with a client key: %d", rec.Code)
	}
	// Wrong keys are throttled per address like failed logins; the
	// earlier failures above count too.
	var last *httptest.ResponseRecorder
	for range ipFreeFailures + 1 {
		last = keyGet(h, "/api/v1/key/info", "Bearer sk-guess-0000000000")
	}
	if last.Code != http.StatusTooManyRequests {
		t.Fatalf("after many wrong keys: %d", last.Code)
	}
	if rec := keyGet(h, "/api/v1/key/info", "Bearer "+cfKeySecret); rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("locked out, even the right key waits: %d", rec.Code)
	}
}

func TestInFlightRoute(t *testing.T) {
	h := New(Config{Backend: nilBackend{}})
	rec := httptest.NewRecorder()
	if err := h.inFlight(&call{w: rec, r: httptest.NewRequest(http.MethodGet, "/api/v1/stats/inflight", nil)}); err != nil {
		t.Fatal(err)
	}
	var got map[string]int64
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if v, ok := got["in_flight"]; !ok || v != 0 {
		t.Fatalf("%s", rec.Body)
	}
}
