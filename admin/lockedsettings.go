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
