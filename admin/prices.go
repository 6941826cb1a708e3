package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/pricing"
	"github.com/octopuscaddy/octopus/store"
)

// PriceBackend is implemented by a Backend that prices requests. The
// price routes answer 503 when the Backend does not implement it or has
// no pricing service yet.
type PriceBackend interface {
	// Prices returns the pricing service, or nil before the app started.
	Prices() *pricing.Service
}

// priceSyncTimeout bounds POST /prices/sync, which waits for models.dev.
const priceSyncTimeout = 2 * time.Minute

// priceOutput is one price as the API shows it.
type priceOutput struct {
	// ID is the store row's id; absent for synced models.dev prices.
	ID      int            `json:"id,omitempty"`
	Model   string         `json:"model"`
	Channel string         `json:"channel,omitempty"`
	Source  pricing.Source `json:"source"`
	// Provider is the models.dev provider of a synced price.
	Provider string `json:"provider,omitempty"`
	// Unpriced marks the zero-price placeholder created for a model
	// served without any price: fill it in with PUT /prices (same model,
	// no channel) and later requests are priced.
	Unpriced bool `json:"unpriced,omitempty"`
	pricing.Price
}

// priceList is the answer of GET /prices.
type priceList struct {
	Prices []priceOutput `json:"prices"`
	// Unpriced are the channel models, and the models seen in requests,
	// that no price covers: their requests add no cost.
	Unpriced []pricing.ChannelModel `json:"unpriced"`
	Sync     pricing.SyncStatus     `json:"sync"`
}

// priceInput is the body of PUT /prices: a default price (no channel) or
// a channel's price for one model, created or replaced whole.
type priceInput struct {
	Model                string   `json:"model"`
	Channel              string   `json:"channel"`
	Input                *float64 `json:"input"`
	Output               *float64 `json:"output"`
	CacheRead            *float64 `json:"cache_read"`
	CacheWrite           *float64 `json:"cache_write"`
	Reasoning            *float64 `json:"reasoning"`
	LongContextThreshold *int64   `json:"long_context_threshold"`
	LongInput            *float64 `json:"long_input"`
	LongOutput           *float64 `json:"long_output"`
	LongCacheRead        *float64 `json:"long_cache_read"`
	LongCacheWrite       *float64 `json:"long_cache_write"`
	// Output fields a client may send back from GET; ignored.
	ID       json.RawMessage `json:"id"`
	Source   json.RawMessage `json:"source"`
	Provider json.RawMessage `json:"provider"`
}

// pricing returns the pricing service or a 503.
func (h *Handler) pricing() (*pricing.Service, error) {
	if pb, ok := h.b.(PriceBackend); ok {
		if svc := pb.Prices(); svc != nil {
			return svc, nil
		}
	}
	return nil, &apiError{Status: http.StatusServiceUnavailable, Message: "pricing is not running yet"}
}

// listPrices answers the user's prices (from the store), the models.dev
// prices of the models channels serve (every synced one with ?all=true),
// the unpriced models and the sync state.
func (h *Handler) listPrices(c *call) error {
	svc, err := h.pricing()
	if err != nil {
		return err
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	rows, err := st.ListPrices(ctx)
	if err != nil {
		return err
	}
	served, err := h.channelModels(ctx, st)
	if err != nil {
		return err
	}
	all, _ := strconv.ParseBool(c.r.URL.Query().Get("all"))
	tab := svc.Table()

	out := priceList{Prices: make([]priceOutput, 0, len(rows)), Sync: svc.Status()}
	for _, p := range rows {
		if p.Unpriced {
			if _, ok := tab.Lookup("", p.Model); ok {
				continue // priced since (models.dev): the placeholder is moot
			}
		}
		out.Prices = append(out.Prices, storedPriceOutput(p))
	}
	// The models.dev prices shown are the ones lookups would use, so a
	// model served under a "vendor/" name shows the price it resolves to.
	shown := map[string]bool{}
	addDev := func(e *pricing.Entry) {
		if e.ID != 0 || shown[e.Model] {
			return // store rows are listed above
		}
		shown[e.Model] = true
		out.Prices = append(out.Prices, priceOutput{Model: e.Model, Source: e.Source, Provider: e.Provider, Price: e.Price})
	}
	unpriced := map[pricing.ChannelModel]bool{}
	for _, cm := range served {
		e, ok := tab.Lookup(cm.Channel, cm.Model)
		switch {
		case !ok:
			unpriced[cm] = true
		case e.Source == pricing.SourceModelsDev && !all:
			addDev(e)
		}
	}
	if all {
		for _, e := range tab.Entries() {
			if e.Source == pricing.SourceModelsDev {
				addDev(e)
			}
		}
	}
	for _, cm := range svc.Unpriced() {
		unpriced[cm] = true
	}
	out.Unpriced = make([]pricing.ChannelModel, 0, len(unpriced))
	for cm := range unpriced {
		out.Unpriced = append(out.Unpriced, cm)
	}
	slices.SortFunc(out.Unpriced, func(a, b pricing.ChannelModel) int {
		if d := strings.Compare(a.Channel, b.Channel); d != 0 {
			return d
		}
		return strings.Compare(a.Model, b.Model)
	})
	return c.ok(out)
}

// channelModels lists the models of every channel, Caddyfile and store.
func (h *Handler) channelModels(ctx context.Context, st *store.Store) ([]pricing.ChannelModel, error) {
	stored, err := st.ListChannels(ctx)
	if err != nil {
		return nil, err
	}
	var out []pricing.ChannelModel
	for _, ch := range h.b.StaticConfig().Channels {
		for _, m := range ch.Models {
			out = append(out, pricing.ChannelModel{Channel: ch.Name, Model: m})
		}
	}
	for _, ch := range stored {
		for _, m := range ch.Models {
			out = append(out, pricing.ChannelModel{Channel: ch.Name, Model: m})
		}
	}
	return out, nil
}

// storedPriceOutput shows a store row with where it comes from.
func storedPriceOutput(p *store.Price) priceOutput {
	src := pricing.SourceDefault
	switch {
	case p.Source == store.PriceSourceModelsDev:
		src = pricing.SourceModelsDev
	case p.Channel != "":
		src = pricing.SourceChannel
	}
	out := priceOutput{ID: p.ID, Model: p.Model, Channel: p.Channel, Source: src, Unpriced: p.Unpriced, Price: pricing.Price{
		Input: p.Input, Output: p.Output, CacheRead: p.CacheRead, CacheWrite: p.CacheWrite, Reasoning: p.Reasoning,
		LongInput: p.LongInput, LongOutput: p.LongOutput, LongCacheRead: p.LongCacheRead, LongCacheWrite: p.LongCacheWrite,
	}}
	if p.LongContextThreshold != nil {
		out.LongContextThreshold = *p.LongContextThreshold
	}
	return out
}

// putPrice creates or replaces a user price and applies it at once.
func (h *Handler) putPrice(c *call) error {
	var in priceInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if in.Model == "" {
		return badField("model", "must not be empty")
	}
	if in.Input == nil {
		return badField("input", "is required (USD per million tokens)")
	}
	if in.Output == nil {
		return badField("output", "is required (USD per million tokens)")
	}
	svc, err := h.pricing()
	if err != nil {
		return err
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	if in.Channel != "" {
		// A price for a channel that does not exist would never apply;
		// most likely the name is mistyped.
		if ok, err := h.channelExists(ctx, st, in.Channel); err != nil {
			return err
		} else if !ok {
			return badField("channel", "no channel named "+quote(in.Channel)+"; leave it empty for a default price")
		}
	}
	saved, err := st.SetPrice(ctx, store.Price{
		Model: in.Model, Channel: in.Channel, Source: store.PriceSourceUser,
		Input: *in.Input, Output: *in.Output,
		CacheRead: in.CacheRead, CacheWrite: in.CacheWrite, Reasoning: in.Reasoning,
		LongContextThreshold: in.LongContextThreshold,
		LongInput:            in.LongInput, LongOutput: in.LongOutput,
		LongCacheRead: in.LongCacheRead, LongCacheWrite: in.LongCacheWrite,
	})
	if err != nil {
		return err
	}
	h.audit(c, "set price", in.Channel+"/"+in.Model)
	if err := h.pricesChanged(c, svc); err != nil {
		return err
	}
	return c.ok(storedPriceOutput(saved))
}

// deletePrice deletes a store price by id.
func (h *Handler) deletePrice(c *call) error {
	id, err := strconv.Atoi(c.param)
	if err != nil || id <= 0 {
		return notFound("no price with id " + quote(c.param))
	}
	svc, err := h.pricing()
	if err != nil {
		return err
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	if err := st.DeletePrice(c.r.Context(), id); err != nil {
		return err
	}
	h.audit(c, "delete price", c.param)
	if err := h.pricesChanged(c, svc); err != nil {
		return err
	}
	return c.noContent()
}

// pricesChanged applies a price change here at once and announces it to
// other instances. Like changed, it survives a client hanging up.
func (h *Handler) pricesChanged(c *call, svc *pricing.Service) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.r.Context()), 30*time.Second)
	defer cancel()
	if err := svc.Reload(ctx); err != nil {
		return &apiError{Status: http.StatusInternalServerError, Message: "saved, but reloading the prices failed: " + err.Error()}
	}
	return h.changed(c.r)
}

// channelExists reports whether a Caddyfile or store channel has name.
func (h *Handler) channelExists(ctx context.Context, st *store.Store, name string) (bool, error) {
	for _, ch := range h.b.StaticConfig().Channels {
		if ch.Name == name {
			return true, nil
		}
	}
	stored, err := st.ListChannels(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(stored, func(ch *store.Channel) bool { return ch.Name == name }), nil
}

// syncPrices runs the models.dev sync now and answers its status; on
// failure a 502 says why, and the last good prices stay in use.
func (h *Handler) syncPrices(c *call) error {
	svc, err := h.pricing()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.r.Context(), priceSyncTimeout)
	defer cancel()
	st, err := svc.Sync(ctx)
	if err != nil {
		return &apiError{Status: http.StatusBadGateway, Message: "models.dev price sync failed; the last good prices stay in use: " + err.Error()}
	}
	h.audit(c, "sync prices", strconv.Itoa(st.Models)+" models")
	return c.ok(st)
}
