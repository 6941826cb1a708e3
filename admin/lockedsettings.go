package admin

// lockedSettingsRoute serves GET /api/v1/locked-settings: the settings the
// Caddyfile decides (see SettingsLocker), with their effective values, so
// the UI can show them read-only before a change is refused with 409.
// An empty object when the config file decides none.
func (h *Handler) lockedSettingsRoute(c *call) error {
	out := h.lockedSettings()
	if out == nil {
		out = map[string]string{}
	}
	return c.ok(out)
}

// OptionsReporter is implemented by a Backend that can tell the gateway
// options its config file sets (worker intervals, retention), so the
// panel shows the values in force, read-only.
type OptionsReporter interface {
	// Options returns option name → effective value, secrets left out.
	Options() map[string]string
}

// optionsRoute serves GET /api/v1/options; an empty object when the
// Backend reports none.
func (h *Handler) optionsRoute(c *call) error {
	out := map[string]string{}
	if r, ok := h.b.(OptionsReporter); ok {
		out = r.Options()
	}
	return c.ok(out)
}
