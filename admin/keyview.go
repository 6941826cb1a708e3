package admin

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/relay"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// Key view: the holder of a client API key reads that key's own limits and
// usage, authenticated by the key itself (Authorization: Bearer <key>), not
// by an admin session. The key is looked up exactly as the relay does it
// (routing.Snapshot.Authenticate: SHA-256 lookup, constant-time compare),
// so Caddyfile and store keys both work, and the secret is never echoed.

// keyInfo is the answer of GET /api/v1/key/info.
type keyInfo struct {
	Name string `json:"name"`
	// KeyPrefix is the masked secret, to tell keys apart.
	KeyPrefix string     `json:"key_prefix"`
	Models    []string   `json:"models"`
	AllModels bool       `json:"all_models"`
	MaxCost   *float64   `json:"max_cost"`
	Spent     float64    `json:"spent"`
	Remaining *float64   `json:"remaining"`
	ExpiresAt *time.Time `json:"expires_at"`
	Expired   bool       `json:"expired"`
}

// keyUsage is the answer of GET /api/v1/key/usage.
type keyUsage struct {
	From   time.Time         `json:"from"`
	To     time.Time         `json:"to"`
	Totals store.StatsTotals `json:"totals"`
	Days   []seriesPoint     `json:"days"`
	Models []*rankingRow     `json:"models"`
}

// maxKeyUsageDays bounds the usage window a key may ask for.
const maxKeyUsageDays = 366

// keyAuth authenticates the client key in the Authorization header. A
// wrong key counts as a failed login of the client address, so the route
// cannot be used to guess keys faster than the login form allows.
func (h *Handler) keyAuth(c *call) (*routing.Key, string, error) {
	a := c.r.Header.Get("Authorization")
	secret := ""
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		secret = strings.TrimSpace(a[7:])
	}
	if secret == "" {
		return nil, "", &apiError{Status: http.StatusUnauthorized, Message: "send the client API key as Authorization: Bearer <key>"}
	}
	ip := ipKey(h.clientIP(c.r))
	if d := h.throttle.wait(ip); d > 0 {
		return nil, "", tooManyLogins(d)
	}
	snap := h.b.Snapshot()
	if snap == nil {
		return nil, "", &apiError{Status: http.StatusServiceUnavailable, Message: "the gateway is not running yet"}
	}
	k, ok := snap.Authenticate(secret)
	// A disabled key is treated as unknown: it may have been disabled
	// because it leaked.
	if !ok || k.Disabled {
		h.throttle.fail(ip)
		return nil, "", &apiError{Status: http.StatusUnauthorized, Message: "invalid API key"}
	}
	return k, secret, nil
}

// keySpent is the key's all-time cost: stored usage plus what this
// instance has not flushed yet (the stats summary for the key).
func (h *Handler) keySpent(c *call, name string) (float64, error) {
	st, err := h.store()
	if err != nil {
		return 0, err
	}
	f := store.StatsFilter{APIKey: name}
	rows, err := st.QueryStats(c.r.Context(), f, store.StatsTotal)
	if err != nil {
		return 0, err
	}
	var total store.StatsTotals
	for _, r := range rows {
		total.Add(r.StatsTotals)
	}
	for _, d := range h.unflushed(f) {
		total.AddDelta(&d)
	}
	return total.Cost, nil
}

// keyInfo serves GET /api/v1/key/info.
func (h *Handler) keyInfo(c *call) error {
	k, secret, err := h.keyAuth(c)
	if err != nil {
		return err
	}
	spent, err := h.keySpent(c, k.Name)
	if err != nil {
		return err
	}
	snap := h.b.Snapshot()
	// No group name holds a NUL, so only an unrestricted key allows "\x00".
	out := keyInfo{
		Name: k.Name, KeyPrefix: Mask(secret), Models: nonNil(snap.Models(k)),
		// No group can be named with a NUL, so only an unrestricted key allows it.
		AllModels: k.Allows("\x00"), Spent: spent, Expired: k.Expired(h.now()),
	}
	if k.MaxCost > 0 {
		limit, left := k.MaxCost, max(k.MaxCost-spent, 0)
		out.MaxCost, out.Remaining = &limit, &left
	}
	if !k.Expires.IsZero() {
		t := k.Expires.UTC()
		out.ExpiresAt = &t
	}
	return c.ok(out)
}

// keyUsage serves GET /api/v1/key/usage?days=N: the key's totals, one
// point per UTC day and its models over the last N days (default 30),
// today included.
func (h *Handler) keyUsage(c *call) error {
	k, _, err := h.keyAuth(c)
	if err != nil {
		return err
	}
	days := 30
	if v := c.r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxKeyUsageDays {
			return badField("days", "must be a whole number from 1 to "+strconv.Itoa(maxKeyUsageDays))
		}
		days = n
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	const day = 24 * time.Hour
	to := h.now().UTC().Truncate(day).Add(day)
	f := store.StatsFilter{APIKey: k.Name, From: to.Add(-time.Duration(days) * day), To: to}
	out := keyUsage{From: f.From, To: f.To, Days: make([]seriesPoint, days), Models: []*rankingRow{}}
	for i := range out.Days {
		out.Days[i].Time = f.From.Add(time.Duration(i) * day)
	}
	at := func(hour time.Time) *seriesPoint {
		i := int(hour.UTC().Sub(f.From) / day)
		if hour.Before(f.From) || i >= days {
			return nil
		}
		return &out.Days[i]
	}
	rows, err := st.QueryStats(c.r.Context(), f, store.StatsByHour)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if p := at(r.Hour); p != nil {
			p.Add(r.StatsTotals)
			out.Totals.Add(r.StatsTotals)
		}
	}
	rows, err = st.QueryStats(c.r.Context(), f, store.StatsByModel)
	if err != nil {
		return err
	}
	byModel := map[string]*rankingRow{}
	model := func(name string) *rankingRow {
		r := byModel[name]
		if r == nil {
			r = &rankingRow{Name: name}
			byModel[name] = r
			out.Models = append(out.Models, r)
		}
		return r
	}
	for _, r := range rows {
		model(r.Name).Add(r.StatsTotals)
	}
	for _, d := range h.unflushed(f) {
		if p := at(d.Hour); p != nil {
			p.AddDelta(&d)
			out.Totals.AddDelta(&d)
			model(d.Model).AddDelta(&d)
		}
	}
	slices.SortFunc(out.Models, func(a, b *rankingRow) int {
		return cmp.Or(cmp.Compare(b.Requests, a.Requests), cmp.Compare(b.Cost, a.Cost), strings.Compare(a.Name, b.Name))
	})
	return c.ok(out)
}

// inFlight serves GET /api/v1/stats/inflight: relay requests this process
// is serving right now.
func (h *Handler) inFlight(c *call) error {
	return c.ok(map[string]int64{"in_flight": relay.InFlight()})
}
