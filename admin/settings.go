package admin

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"

	"github.com/octopuscaddy/octopus/store"
)

// Settings are free-form string values kept in the store for the UI and
// the workers, such as a default price policy.

// settingValue is the body of GET and PUT /settings/{key}.
type settingValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// settingInput is the body of PUT /settings/{key}.
type settingInput struct {
	Value opt[string] `json:"value"`
	// Key may be sent back from a GET answer; the path's key wins.
	Key string `json:"key"`
}

// listSettings answers every setting as one object.
func (h *Handler) listSettings(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	all, err := st.Settings(c.r.Context())
	if err != nil {
		return err
	}
	maps.Copy(all, h.lockedSettings()) // effective values of Caddyfile settings
	return c.ok(all)
}

// putSettings creates or replaces the settings sent, in one transaction,
// and answers every setting.
func (h *Handler) putSettings(c *call) error {
	var raw map[string]json.RawMessage
	if err := decodeBody(c, &raw); err != nil {
		return err
	}
	// Decoded value by value: encoding/json names no field for a wrong
	// type inside a map.
	in := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return badField(k, "want a string")
		}
		in[k] = s
	}
	if err := h.checkUnlocked(slices.Collect(maps.Keys(in))...); err != nil {
		return err
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	if err := st.SetSettings(c.r.Context(), in); err != nil {
		return err
	}
	for k := range in {
		h.audit(c, "set setting", k)
	}
	if err := h.changed(c.r); err != nil {
		return err
	}
	return h.listSettings(c)
}

func (h *Handler) getSetting(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	v, err := st.GetSetting(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	return c.ok(settingValue{Key: c.param, Value: v})
}

func (h *Handler) putSetting(c *call) error {
	var in settingInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	if !in.Value.Set || in.Value.Null {
		return badField("value", "is required (a string)")
	}
	if err := h.checkUnlocked(c.param); err != nil {
		return err
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	if err := st.SetSetting(c.r.Context(), c.param, in.Value.V); err != nil {
		return err
	}
	h.audit(c, "set setting", c.param)
	if err := h.changed(c.r); err != nil {
		return err
	}
	return c.ok(settingValue{Key: c.param, Value: in.Value.V})
}

// deleteSetting deletes a setting; a missing one is a 404.
func (h *Handler) deleteSetting(c *call) error {
	if err := h.checkUnlocked(c.param); err != nil {
		return err
	}
	st, err := h.store()
	if err != nil {
		return err
	}
	if _, err := st.GetSetting(c.r.Context(), c.param); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return notFound("no setting " + quote(c.param))
		}
		return err
	}
	if err := st.DeleteSetting(c.r.Context(), c.param); err != nil {
		return err
	}
	h.audit(c, "deleted setting", c.param)
	if err := h.changed(c.r); err != nil {
		return err
	}
	return c.noContent()
}
