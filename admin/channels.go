package admin

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"

	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// Sources of listed objects.
const (
	SourceStore     = "store"
	SourceCaddyfile = "caddyfile"
)

// channelOutput is a channel as the API shows it: secrets masked, with
// its health.
type channelOutput struct {
	// ID is a number for store channels, "caddyfile:<name>" otherwise.
	ID               any               `json:"id"`
	Source           string            `json:"source"`
	Name             string            `json:"name"`
	Type             string            `json:"type"`
	BaseURL          string            `json:"base_url"`
	Keys             []string          `json:"keys"`
	Models           []string          `json:"models"`
	Headers          map[string]string `json:"headers"`
	Proxy            string            `json:"proxy"`
	Timeout          Duration          `json:"timeout"`
	IdleTimeout      Duration          `json:"idle_timeout"`
	Enabled          bool              `json:"enabled"`
	AutoSync         bool              `json:"auto_sync"`
	AnthropicVersion string            `json:"anthropic_version"`
	Project          string            `json:"project"`
	TokenURL         string            `json:"token_url"`
	ClientID         string            `json:"client_id"`
	ClientSecret     string            `json:"client_secret"`
	LastSyncAt       *time.Time        `json:"last_sync_at,omitempty"`
	LastSyncResult   *store.SyncResult `json:"last_sync_result,omitempty"`
	CreatedAt        *time.Time        `json:"created_at,omitempty"`
	UpdatedAt        *time.Time        `json:"updated_at,omitempty"`
	Health           *channelHealth    `json:"health"`
}

// channelInput is the body of POST and PUT /channels. On PUT only the
// fields sent change; arrays and objects sent replace the stored ones.
type channelInput struct {
	Name             opt[string]            `json:"name"`
	Type             opt[string]            `json:"type"`
	BaseURL          opt[string]            `json:"base_url"`
	Keys             opt[[]string]          `json:"keys"`
	Models           opt[[]string]          `json:"models"`
	Headers          opt[map[string]string] `json:"headers"`
	Proxy            opt[string]            `json:"proxy"`
	Timeout          opt[Duration]          `json:"timeout"`
	IdleTimeout      opt[Duration]          `json:"idle_timeout"`
	Enabled          opt[bool]              `json:"enabled"`
	AutoSync         opt[bool]              `json:"auto_sync"`
	AnthropicVersion opt[string]            `json:"anthropic_version"`
	Project          opt[string]            `json:"project"`
	TokenURL         opt[string]            `json:"token_url"`
	ClientID         opt[string]            `json:"client_id"`
	ClientSecret     opt[string]            `json:"client_secret"`
	channelReadOnly
}

// channelReadOnly are output fields a client may send back (a GET body
// edited and PUT); they are ignored.
type channelReadOnly struct {
	ID             json.RawMessage `json:"id"`
	Source         json.RawMessage `json:"source"`
	LastSyncAt     json.RawMessage `json:"last_sync_at"`
	LastSyncResult json.RawMessage `json:"last_sync_result"`
	CreatedAt      json.RawMessage `json:"created_at"`
	UpdatedAt      json.RawMessage `json:"updated_at"`
	Health         json.RawMessage `json:"health"`
}

// applyTo overlays the sent fields on c. Masked secrets sent back are
// replaced by the stored ones (prev; nil on create, where masks are
// refused).
func (in *channelInput) applyTo(c *store.Channel, prev *store.Channel) error {
	if prev == nil {
		prev = &store.Channel{}
	}
	in.Name.apply(&c.Name)
	in.Type.apply(&c.Type)
	in.BaseURL.apply(&c.BaseURL)
	in.Models.apply(&c.Models)
	in.Proxy.apply(&c.Proxy)
	if in.Timeout.Set {
		c.Timeout = time.Duration(in.Timeout.V)
	}
	if in.IdleTimeout.Set {
		c.IdleTimeout = time.Duration(in.IdleTimeout.V)
	}
	in.Enabled.apply(&c.Enabled)
	in.AutoSync.apply(&c.AutoSync)
	in.AnthropicVersion.apply(&c.AnthropicVersion)
	in.Project.apply(&c.Project)
	in.TokenURL.apply(&c.TokenURL)
	in.ClientID.apply(&c.ClientID)
	var err error
	if in.Keys.Set {
		if c.Keys, err = unmaskKeys("keys", in.Keys.V, prev.Keys); err != nil {
			return err
		}
	}
	if in.Headers.Set {
		if c.Headers, err = unmaskHeaders(in.Headers.V, prev.Headers); err != nil {
			return err
		}
	}
	if in.ClientSecret.Set {
		if c.ClientSecret, err = unmaskValue("client_secret", in.ClientSecret.V, prev.ClientSecret); err != nil {
			return err
		}
	}
	if in.Proxy.Set {
		if c.Proxy, err = unmaskProxy(in.Proxy.V, prev.Proxy); err != nil {
			return err
		}
	}
	return nil
}

// checkChannel validates what the store does not know about: the type
// registry, the Caddyfile's names and what the routing compiler demands,
// so a stored channel can never make the snapshot fail to build.
func (h *Handler) checkChannel(c *store.Channel) error {
	if c.Name == "" {
		return badField("name", "must not be empty")
	}
	if c.Type == "" {
		return badField("type", "must not be empty (want one of "+provider.TypeNames()+")")
	}
	if provider.Lookup(c.Type) == nil {
		return badField("type", "unknown channel type "+quote(c.Type)+" (want one of "+provider.TypeNames()+")")
	}
	if len(c.Keys) == 0 {
		return badField("keys", "at least one key is required")
	}
	for i, k := range c.Keys {
		if strings.TrimSpace(k) == "" {
			return badField(indexed("keys", i), "must not be empty")
		}
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return badField("base_url", "must start with http:// or https://")
	}
	if c.Proxy != "" {
		if u, err := url.Parse(c.Proxy); err != nil || u.Host == "" || !slices.Contains([]string{"http", "https", "socks5", "socks5h"}, u.Scheme) {
			return badField("proxy", "want a URL such as socks5://127.0.0.1:1080 (schemes http, https, socks5, socks5h)")
		}
	}
	for _, s := range h.b.StaticConfig().Channels {
		if s.Name == c.Name {
			return staticClash("channel", c.Name)
		}
	}
	// The compiler's own checks, on a throwaway runtime so nothing of the
	// live state is touched.
	cfg := RoutingChannel(c)
	cfg.Models = nil
	rt := routing.NewRuntime()
	defer rt.Close()
	if _, err := routing.Compile(routing.Config{Channels: []routing.ChannelConfig{cfg}}, rt); err != nil {
		return &apiError{Status: 400, Message: err.Error()}
	}
	return nil
}

// RoutingChannel converts a stored channel to the router's config; the app
// uses it to build the snapshot, and the admin API to compile channels the
// same way (the anthropic_version field becomes the header of that name).
func RoutingChannel(c *store.Channel) routing.ChannelConfig {
	headers := c.Headers
	if c.AnthropicVersion != "" {
		headers = make(map[string]string, len(c.Headers)+1)
		for k, v := range c.Headers {
			headers[k] = v
		}
		headers["anthropic-version"] = c.AnthropicVersion
	}
	return routing.ChannelConfig{
		Name: c.Name, Type: c.Type, BaseURL: c.BaseURL, Keys: c.Keys, Models: c.Models,
		Headers: headers, Proxy: c.Proxy, Timeout: caddy.Duration(c.Timeout), IdleTimeout: caddy.Duration(c.IdleTimeout),
		TokenURL: c.TokenURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret, Project: c.Project,
		Disabled: !c.Enabled,
	}
}

// storedChannelOutput shows a store channel.
func storedChannelOutput(c *store.Channel, hi healthIndex) channelOutput {
	created, updated := c.CreatedAt, c.UpdatedAt
	return channelOutput{
		ID: c.ID, Source: SourceStore, Name: c.Name, Type: c.Type, BaseURL: c.BaseURL,
		Keys: maskAll(c.Keys), Models: nonNil(c.Models), Headers: maskHeaders(c.Headers),
		Proxy: maskProxy(c.Proxy), Timeout: Duration(c.Timeout), IdleTimeout: Duration(c.IdleTimeout),
		Enabled: c.Enabled, AutoSync: c.AutoSync, AnthropicVersion: c.AnthropicVersion,
		Project: c.Project, TokenURL: c.TokenURL, ClientID: c.ClientID, ClientSecret: Mask(c.ClientSecret),
		LastSyncAt: c.LastSyncAt, LastSyncResult: c.LastSyncResult,
		CreatedAt: &created, UpdatedAt: &updated,
		Health: hi.channel(c.Name, c.Keys),
	}
}

// staticChannelOutput shows a Caddyfile channel.
func staticChannelOutput(c *routing.ChannelConfig, hi healthIndex) channelOutput {
	return channelOutput{
		ID: staticID(c.Name), Source: SourceCaddyfile, Name: c.Name, Type: c.Type, BaseURL: c.BaseURL,
		Keys: maskAll(c.Keys), Models: nonNil(c.Models), Headers: maskHeaders(c.Headers),
		Proxy: maskProxy(c.Proxy), Timeout: Duration(c.Timeout), IdleTimeout: Duration(c.IdleTimeout),
		Enabled: !c.Disabled, Project: c.Project, TokenURL: c.TokenURL, ClientID: c.ClientID,
		ClientSecret: Mask(c.ClientSecret),
		Health:       hi.channel(c.Name, c.Keys),
	}
}

// listChannelTypes lists the channel types this binary supports.
func (h *Handler) listChannelTypes(c *call) error { return c.ok(provider.Types()) }

// listChannels lists Caddyfile and store channels by name.
func (h *Handler) listChannels(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	stored, err := st.ListChannels(c.r.Context())
	if err != nil {
		return err
	}
	hi := h.health()
	static := h.b.StaticConfig().Channels
	out := make([]channelOutput, 0, len(static)+len(stored))
	for i := range static {
		out = append(out, staticChannelOutput(&static[i], hi))
	}
	for _, s := range stored {
		out = append(out, storedChannelOutput(s, hi))
	}
	slices.SortStableFunc(out, func(a, b channelOutput) int { return strings.Compare(a.Name, b.Name) })
	return c.ok(out)
}

// channelRef is a channel found by id, from the store or the Caddyfile.
type channelRef struct {
	stored *store.Channel
	static *routing.ChannelConfig
}

// config returns the channel as the router sees it, secrets included.
func (r *channelRef) config() routing.ChannelConfig {
	if r.static != nil {
		return *r.static
	}
	return RoutingChannel(r.stored)
}

// findChannel resolves an id path segment.
func (h *Handler) findChannel(ctx context.Context, param string) (*channelRef, error) {
	id, err := parseID("channel", param)
	if err != nil {
		return nil, err
	}
	if id.static != "" {
		static := h.b.StaticConfig().Channels
		for i := range static {
			if static[i].Name == id.static {
				return &channelRef{static: &static[i]}, nil
			}
		}
		return nil, notFound("no channel " + quote(id.static) + " in the Caddyfile")
	}
	st, err := h.store()
	if err != nil {
		return nil, err
	}
	ch, err := st.GetChannel(ctx, id.n)
	if err != nil {
		return nil, err
	}
	return &channelRef{stored: ch}, nil
}

// getChannel shows one channel.
func (h *Handler) getChannel(c *call) error {
	ref, err := h.findChannel(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if ref.static != nil {
		return c.ok(staticChannelOutput(ref.static, h.health()))
	}
	return c.ok(storedChannelOutput(ref.stored, h.health()))
}

// createChannel stores a new channel; it serves as soon as this answers.
func (h *Handler) createChannel(c *call) error {
	var in channelInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	ch := store.Channel{Enabled: true}
	if err := in.applyTo(&ch, nil); err != nil {
		return err
	}
	if err := h.checkChannel(&ch); err != nil {
		return err
	}
	out, err := write(h, c, "created channel", func(ctx context.Context, st *store.Store) (*store.Channel, error) {
		return st.CreateChannel(ctx, ch)
	}, channelName)
	if err != nil {
		return err
	}
	return c.created(storedChannelOutput(out, h.health()))
}

// updateChannel changes the fields sent of a store channel.
func (h *Handler) updateChannel(c *call) error {
	ref, err := h.findChannel(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if ref.static != nil {
		return readOnly("channel", ref.static.Name)
	}
	var in channelInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	ch := *ref.stored
	if err := in.applyTo(&ch, ref.stored); err != nil {
		return err
	}
	if err := h.checkChannel(&ch); err != nil {
		return err
	}
	out, err := write(h, c, "updated channel", func(ctx context.Context, st *store.Store) (*store.Channel, error) {
		return st.UpdateChannel(ctx, ch.ID, ch)
	}, channelName)
	if err != nil {
		return err
	}
	return c.ok(storedChannelOutput(out, h.health()))
}

// deleteChannel deletes a store channel no group uses.
func (h *Handler) deleteChannel(c *call) error {
	ref, err := h.findChannel(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if ref.static != nil {
		return readOnly("channel", ref.static.Name)
	}
	if err := remove(h, c, "deleted channel", ref.stored.Name, func(ctx context.Context, st *store.Store) error {
		return st.DeleteChannel(ctx, ref.stored.ID)
	}); err != nil {
		return err
	}
	return c.noContent()
}
