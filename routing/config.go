// Package routing holds the configuration of channels, groups and client
// keys (from the Caddyfile or the store) and compiles them into one
// immutable Snapshot that the relay reads without locks.
package routing

import (
	"fmt"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// ChannelConfig is one upstream provider account (or several keys of one).
type ChannelConfig struct {
	// Name identifies the channel in groups, logs and metrics.
	Name string `json:"name"`
	// Type is the channel type: openai_chat, openai_responses, anthropic,
	// gemini or antigravity.
	Type string `json:"type"`
	// BaseURL is the API root the type's paths are appended to; the type's
	// default when empty.
	BaseURL string `json:"base_url,omitempty"`
	// Keys are the upstream API keys (Antigravity: OAuth refresh tokens
	// "1//…" or access tokens "ya29.…"). Requests rotate over them.
	// Placeholders such as {env.KEY} are resolved when the config loads.
	Keys []string `json:"keys,omitempty"`
	// Models are the upstream model names this channel serves.
	Models []string `json:"models,omitempty"`
	// Headers are extra request headers sent upstream, such as
	// OpenAI-Organization or anthropic-version.
	Headers map[string]string `json:"headers,omitempty"`
	// Proxy is an optional http, https or socks5 proxy URL.
	Proxy string `json:"proxy,omitempty"`
	// Timeout is the longest wait for the upstream's response headers
	// (time to first byte). Default 5m.
	Timeout caddy.Duration `json:"timeout,omitempty"`
	// IdleTimeout is the longest silence between two events of a stream.
	// Default 5m.
	IdleTimeout caddy.Duration `json:"idle_timeout,omitempty"`
	// TokenURL is the OAuth token endpoint (Antigravity). Default
	// https://oauth2.googleapis.com/token.
	TokenURL string `json:"token_url,omitempty"`
	// ClientID is the OAuth client id (Antigravity).
	ClientID string `json:"client_id,omitempty"`
	// ClientSecret is the OAuth client secret (Antigravity).
	ClientSecret string `json:"client_secret,omitempty"`
	// Project is the Cloud Code project (Antigravity); discovered with
	// loadCodeAssist when empty.
	Project string `json:"project,omitempty"`
	// Disabled takes the channel out of rotation.
	Disabled bool `json:"disabled,omitempty"`
}

// MemberConfig is one entry of a group: a channel and the upstream model to ask
// it for.
type MemberConfig struct {
	// Channel names the channel.
	Channel string `json:"channel"`
	// Model is the upstream model name sent to the channel.
	Model string `json:"model"`
	// Priority orders members in failover mode: lower first. Default 0.
	Priority int `json:"priority,omitempty"`
	// Weight is the share in weighted mode. Default 1.
	Weight int `json:"weight,omitempty"`
}

// GroupConfig is a public model name served by one or more members.
type GroupConfig struct {
	// Name is the model name clients send.
	Name string `json:"name"`
	// Mode is round_robin (default), random, failover or weighted.
	Mode string `json:"mode,omitempty"`
	// Members are the channels serving the group.
	Members []MemberConfig `json:"members,omitempty"`
	// MaxAttempts bounds the attempts of one request; default: each
	// member once.
	MaxAttempts int `json:"max_attempts,omitempty"`
}

// APIKeyConfig is a client key of the gateway.
type APIKeyConfig struct {
	// Name identifies the key in logs and stats (never the secret).
	Name string `json:"name"`
	// Secret is the key clients send. Use a placeholder such as
	// {env.TEAM_A_KEY} to keep it out of the config.
	Secret string `json:"secret"`
	// SecretHash is the hex SHA-256 of the secret, for keys from the store,
	// which keeps no secrets; used when Secret is empty.
	SecretHash string `json:"-"`
	// Models lists the groups this key may use; all when empty.
	Models []string `json:"models,omitempty"`
	// MaxCost is the spend limit in USD; unlimited when zero.
	MaxCost float64 `json:"max_cost,omitempty"`
	// Expires is when the key stops working; never when zero.
	Expires time.Time `json:"expires,omitzero"`
	// Disabled refuses every request with this key.
	Disabled bool `json:"disabled,omitempty"`
}

// Modes are the balancing modes a group may use.
var Modes = []string{"round_robin", "random", "failover", "weighted"}

// ValidMode reports whether m is a known mode ("" means round_robin).
func ValidMode(m string) bool {
	if m == "" {
		return true
	}
	for _, x := range Modes {
		if x == m {
			return true
		}
	}
	return false
}

// Source says where a definition came from, for clash messages.
type Source string

const (
	FromCaddyfile Source = "Caddyfile"
	FromStore     Source = "store"
)

// Config is every definition the relay serves from.
type Config struct {
	Channels []ChannelConfig
	Groups   []GroupConfig
	Keys     []APIKeyConfig
	// Sources records where each channel, group and key came from, by
	// kind and name ("channel/x"), so a clash can name both places.
	Sources map[string]Source
}

// Merge adds other's definitions to c, failing on a name clash between the
// two sets with an error that names both places.
func (c *Config) Merge(other Config, src Source) error {
	if c.Sources == nil {
		c.Sources = map[string]Source{}
	}
	for _, ch := range other.Channels {
		if prev, ok := c.Sources["channel/"+ch.Name]; ok {
			return fmt.Errorf("channel %q is defined both in the %s and in the %s", ch.Name, prev, src)
		}
		c.Sources["channel/"+ch.Name] = src
		c.Channels = append(c.Channels, ch)
	}
	for _, g := range other.Groups {
		if prev, ok := c.Sources["group/"+g.Name]; ok {
			return fmt.Errorf("group %q is defined both in the %s and in the %s", g.Name, prev, src)
		}
		c.Sources["group/"+g.Name] = src
		c.Groups = append(c.Groups, g)
	}
	for _, k := range other.Keys {
		if prev, ok := c.Sources["api_key/"+k.Name]; ok {
			return fmt.Errorf("api_key %q is defined both in the %s and in the %s", k.Name, prev, src)
		}
		c.Sources["api_key/"+k.Name] = src
		c.Keys = append(c.Keys, k)
	}
	return nil
}
