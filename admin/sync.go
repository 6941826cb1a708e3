package admin

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/octopuscaddy/octopus/store"
)

// SyncChannel refreshes the model list of stored channel ch from its
// upstream's list endpoint and records the outcome: the models added and
// removed, or why the fetch failed. The store marks group members whose
// model vanished as missing rather than deleting them. The relay picks the
// new list up through b.Changed. Both the sync route and the app's
// periodic model sync call it.
func SyncChannel(ctx context.Context, b Backend, ch *store.Channel) (store.SyncResult, error) {
	h := &Handler{b: b}
	st, err := h.store()
	if err != nil {
		return store.SyncResult{}, err
	}
	start := time.Now()
	u, err := h.liveUpstream(RoutingChannel(ch))
	if err != nil {
		return store.SyncResult{}, err
	}
	defer u.close()
	fctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	models, ferr := FetchModels(fctx, u.ch, u.key, u.tokenSource())
	res := store.SyncResult{OK: ferr == nil, Duration: time.Since(start)}
	if ferr != nil {
		res.Error = ferr.Error()
	} else {
		for _, m := range models {
			if !slices.Contains(ch.Models, m) {
				res.Added = append(res.Added, m)
			}
		}
		for _, m := range ch.Models {
			if !slices.Contains(models, m) {
				res.Removed = append(res.Removed, m)
			}
		}
	}
	if err := st.RecordChannelSync(ctx, ch.ID, models, res); err != nil {
		return res, err
	}
	if err := b.Changed(ctx); err != nil {
		return res, err
	}
	return res, nil
}

// syncChannel is POST /channels/{id}/sync: a model sync now, answered with
// its result (also when the upstream could not be reached: the result says
// why, and the channel keeps its models).
func (h *Handler) syncChannel(c *call) error {
	ref, err := h.findChannel(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if ref.stored == nil {
		return &apiError{Status: http.StatusConflict, Message: "channels from the Caddyfile list their models there; edit the Caddyfile"}
	}
	res, err := SyncChannel(c.r.Context(), h.b, ref.stored)
	if err != nil {
		return err
	}
	return c.ok(res)
}
