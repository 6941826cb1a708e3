package schema

import "time"

// SyncResult is what the last automatic model sync of a channel found. It is
// stored as JSON on the channel so the UI can show it without a join.
type SyncResult struct {
	// OK is false when the upstream model list could not be fetched.
	OK bool `json:"ok"`
	// Error is the reason the sync failed, empty when OK.
	Error string `json:"error,omitempty"`
	// Added are models the upstream lists that the channel did not have.
	Added []string `json:"added,omitempty"`
	// Removed are models the channel had that the upstream no longer lists.
	Removed []string `json:"removed,omitempty"`
	// Duration is how long the sync took.
	Duration time.Duration `json:"duration,omitempty"`
}

// Attempt is one upstream try of a relayed request, kept in the request log
// so failovers can be traced.
type Attempt struct {
	// Channel names the channel tried.
	Channel string `json:"channel"`
	// Model is the upstream model asked for.
	Model string `json:"model"`
	// Key is a short, non-secret label of the upstream key used (its index
	// or a masked prefix), never the key itself.
	Key string `json:"key,omitempty"`
	// Status is the upstream HTTP status, 0 when no response arrived.
	Status int `json:"status"`
	// Error says why the attempt failed, empty on success.
	Error string `json:"error,omitempty"`
	// DurationMS is how long the attempt took, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
}
