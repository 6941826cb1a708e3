package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// lockingBackend is an app whose Caddyfile sets log_bodies.
type lockingBackend struct{ nilBackend }

func (lockingBackend) LockedSettings() map[string]string {
	return map[string]string{"log_bodies": "on", "log_body_max_bytes": "65536"}
}

func TestLockedSettingsRoute(t *testing.T) {
	for _, tc := range []struct {
		b    Backend
		want map[string]string
	}{
		{nilBackend{}, map[string]string{}},
		{lockingBackend{}, map[string]string{"log_bodies": "on", "log_body_max_bytes": "65536"}},
	} {
		rec := httptest.NewRecorder()
		c := &call{w: rec, r: httptest.NewRequest(http.MethodGet, "/api/v1/locked-settings", nil)}
		if err := New(Config{Backend: tc.b}).lockedSettingsRoute(c); err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("%v in %s", err, rec.Body)
		}
		if len(got) != len(tc.want) || got["log_bodies"] != tc.want["log_bodies"] || got["log_body_max_bytes"] != tc.want["log_body_max_bytes"] {
			t.Fatalf("got %v, want %v", got, tc.want)
		}
	}
}
