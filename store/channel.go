package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	entchannel "github.com/octopuscaddy/octopus/ent/channel"
	"github.com/octopuscaddy/octopus/ent/groupmember"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// SyncResult is what the last automatic model sync of a channel found.
type SyncResult = schema.SyncResult

// Channel is an upstream provider account stored in the database. As input
// to CreateChannel and UpdateChannel, ID, CreatedAt, UpdatedAt, LastSyncAt
// and LastSyncResult are ignored.
type Channel struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	// Type is a channel type name (see SetChannelTypes).
	Type string `json:"type"`
	// BaseURL is empty when the type's default applies.
	BaseURL string `json:"base_url"`
	// Keys are the upstream secrets, used in rotation.
	Keys []string `json:"keys"`
	// Models are the upstream model names the channel serves.
	Models []string `json:"models"`
	// Headers are extra request headers sent upstream.
	Headers map[string]string `json:"headers"`
	// Proxy is an optional http, https, socks5 or socks5h proxy URL.
	Proxy string `json:"proxy"`
	// Timeout and IdleTimeout are zero for the defaults.
	Timeout     time.Duration `json:"timeout"`
	IdleTimeout time.Duration `json:"idle_timeout"`
	Enabled     bool          `json:"enabled"`
	// AutoSync lets the model sync worker refresh Models.
	AutoSync         bool   `json:"auto_sync"`
	AnthropicVersion string `json:"anthropic_version,omitempty"`
	// Project, TokenURL, ClientID and ClientSecret are for OAuth channel
	// types (antigravity).
	Project        string      `json:"project,omitempty"`
	TokenURL       string      `json:"token_url,omitempty"`
	ClientID       string      `json:"client_id,omitempty"`
	ClientSecret   string      `json:"client_secret,omitempty"`
	LastSyncAt     *time.Time  `json:"last_sync_at,omitempty"`
	LastSyncResult *SyncResult `json:"last_sync_result,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
}

// CreateChannel validates c and stores it as a new channel.
func (s *Store) CreateChannel(ctx context.Context, c Channel) (*Channel, error) {
	if err := s.checkChannel(&c); err != nil {
		return nil, err
	}
	var out *ent.Channel
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := channelNameFree(ctx, tx, c.Name, 0); err != nil {
			return err
		}
		b := tx.Channel.Create()
		applyChannel(b.Mutation(), &c)
		var err error
		if out, err = b.Save(ctx); err != nil {
			return mapErr(err, "channel", c.Name)
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return channelFromEnt(out), nil
}

// UpdateChannel replaces every editable field of channel id with c's. The
// channel may be renamed: groups refer to it by id.
func (s *Store) UpdateChannel(ctx context.Context, id int, c Channel) (*Channel, error) {
	if err := s.checkChannel(&c); err != nil {
		return nil, err
	}
	var out *ent.Channel
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := channelNameFree(ctx, tx, c.Name, id); err != nil {
			return err
		}
		u := tx.Channel.UpdateOneID(id)
		applyChannel(u.Mutation(), &c)
		var err error
		if out, err = u.Save(ctx); err != nil {
			return mapErr(err, "channel", id)
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return channelFromEnt(out), nil
}

// GetChannel returns channel id.
func (s *Store) GetChannel(ctx context.Context, id int) (*Channel, error) {
	c, err := s.client.Channel.Get(ctx, id)
	if err != nil {
		return nil, mapErr(err, "channel", id)
	}
	return channelFromEnt(c), nil
}

// GetChannelByName returns the channel called name.
func (s *Store) GetChannelByName(ctx context.Context, name string) (*Channel, error) {
	c, err := s.client.Channel.Query().Where(entchannel.Name(name)).Only(ctx)
	if err != nil {
		return nil, mapErr(err, "channel", name)
	}
	return channelFromEnt(c), nil
}

// ListChannels returns every channel, ordered by name.
func (s *Store) ListChannels(ctx context.Context) ([]*Channel, error) {
	rows, err := s.client.Channel.Query().Order(ent.Asc(entchannel.FieldName)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list channels: %w", err)
	}
	out := make([]*Channel, len(rows))
	for i, r := range rows {
		out[i] = channelFromEnt(r)
	}
	return out, nil
}

// DeleteChannel deletes channel id. A channel that groups still use is not
// deleted: the error is a *ConflictError whose UsedBy names the groups.
func (s *Store) DeleteChannel(ctx context.Context, id int) error {
	return s.withTx(ctx, func(tx *ent.Tx) error {
		c, err := tx.Channel.Get(ctx, id)
		if err != nil {
			return mapErr(err, "channel", id)
		}
		groups, err := tx.GroupMember.Query().
			Where(groupmember.ChannelID(id)).
			QueryGroup().
			Select("name").
			Strings(ctx)
		if err != nil {
			return fmt.Errorf("store: find groups using channel %q: %w", c.Name, err)
		}
		if len(groups) > 0 {
			slices.Sort(groups)
			groups = slices.Compact(groups)
			return &ConflictError{
				Reason: fmt.Sprintf("channel %q is used by group(s) %s; remove it from them first", c.Name, strings.Join(quoteAll(groups), ", ")),
				UsedBy: groups,
			}
		}
		if err := tx.Channel.DeleteOneID(id).Exec(ctx); err != nil {
			return mapErr(err, "channel", c.Name)
		}
		return bumpVersion(ctx, tx)
	})
}

// RecordChannelSync stores the outcome of a model sync of channel id. When
// res.OK, models replaces the channel's model list and group members whose
// model is no longer listed are marked missing (and unmarked when it comes
// back); a failed sync only records the result.
func (s *Store) RecordChannelSync(ctx context.Context, id int, models []string, res SyncResult) error {
	var err error
	if res.OK {
		if models, err = uniqueList("models", models, checkModel); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	return s.withTx(ctx, func(tx *ent.Tx) error {
		u := tx.Channel.UpdateOneID(id).SetLastSyncAt(now).SetLastSyncResult(&res)
		if res.OK {
			u.SetModels(models)
		}
		if err := u.Exec(ctx); err != nil {
			return mapErr(err, "channel", id)
		}
		if !res.OK {
			return nil // nothing the relay uses changed
		}
		if _, err := tx.GroupMember.Update().
			Where(groupmember.ChannelID(id), groupmember.ModelNotIn(models...)).
			SetMissing(true).Save(ctx); err != nil {
			return fmt.Errorf("store: mark missing members: %w", err)
		}
		if len(models) > 0 {
			if _, err := tx.GroupMember.Update().
				Where(groupmember.ChannelID(id), groupmember.ModelIn(models...), groupmember.Missing(true)).
				SetMissing(false).Save(ctx); err != nil {
				return fmt.Errorf("store: unmark missing members: %w", err)
			}
		}
		return bumpVersion(ctx, tx)
	})
}

// checkChannel validates c and normalizes it in place (copies of slices and
// maps, so the caller's values are never stored).
func (s *Store) checkChannel(c *Channel) error {
	if err := checkName("name", c.Name, schema.NameMaxLen); err != nil {
		return err
	}
	if err := checkWord("type", c.Type); err != nil {
		return err
	}
	if !s.knownType(c.Type) {
		s.mu.RLock()
		known := slices.Sorted(maps.Keys(s.channelTypes))
		s.mu.RUnlock()
		return invalid("type", "unknown channel type %q (want one of %s)", c.Type, strings.Join(known, ", "))
	}
	if err := checkURL("base_url", c.BaseURL, "https", "http"); err != nil {
		return err
	}
	keys := make([]string, 0, len(c.Keys))
	for i, k := range c.Keys {
		if strings.TrimSpace(k) == "" {
			return invalid(fmt.Sprintf("keys[%d]", i), "must not be empty")
		}
		if strings.ContainsAny(k, "\r\n\x00") {
			return invalid(fmt.Sprintf("keys[%d]", i), "contains a line break or NUL")
		}
		keys = append(keys, k)
	}
	c.Keys = keys
	models, err := uniqueList("models", c.Models, checkModel)
	if err != nil {
		return err
	}
	c.Models = models
	headers := make(map[string]string, len(c.Headers))
	for k, v := range c.Headers {
		if err := checkHeader("headers", k, v); err != nil {
			return err
		}
		headers[k] = v
	}
	c.Headers = headers
	if err := checkURL("proxy", c.Proxy, "http", "https", "socks5", "socks5h"); err != nil {
		return err
	}
	if c.Timeout < 0 {
		return invalid("timeout", "must not be negative")
	}
	if c.IdleTimeout < 0 {
		return invalid("idle_timeout", "must not be negative")
	}
	if len(c.AnthropicVersion) > schema.ShortMaxLen {
		return invalid("anthropic_version", "must be at most %d characters", schema.ShortMaxLen)
	}
	if err := checkURL("token_url", c.TokenURL, "https", "http"); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"project", c.Project}, {"client_id", c.ClientID}, {"client_secret", c.ClientSecret}} {
		if len(f.v) > 255 {
			return invalid(f.name, "must be at most 255 characters")
		}
	}
	return nil
}

// channelNameFree fails with a *ConflictError when another channel than
// except is called name.
func channelNameFree(ctx context.Context, tx *ent.Tx, name string, except int) error {
	q := tx.Channel.Query().Where(entchannel.Name(name))
	if except != 0 {
		q = q.Where(entchannel.IDNEQ(except))
	}
	taken, err := q.Exist(ctx)
	if err != nil {
		return fmt.Errorf("store: check channel name: %w", err)
	}
	if taken {
		return conflict("a channel named %q already exists", name)
	}
	return nil
}

// applyChannel sets every editable field of c on a create or update.
func applyChannel(m *ent.ChannelMutation, c *Channel) {
	m.SetName(c.Name)
	m.SetType(c.Type)
	m.SetBaseURL(c.BaseURL)
	m.SetKeys(c.Keys)
	m.SetModels(c.Models)
	m.SetHeaders(c.Headers)
	m.SetProxy(c.Proxy)
	m.SetTimeout(c.Timeout)
	m.SetIdleTimeout(c.IdleTimeout)
	m.SetEnabled(c.Enabled)
	m.SetAutoSync(c.AutoSync)
	m.SetAnthropicVersion(c.AnthropicVersion)
	m.SetProject(c.Project)
	m.SetTokenURL(c.TokenURL)
	m.SetClientID(c.ClientID)
	m.SetClientSecret(c.ClientSecret)
}

// channelFromEnt converts a row; nil slices and maps become empty ones so
// JSON shows [] and {} rather than null.
func channelFromEnt(c *ent.Channel) *Channel {
	out := &Channel{
		ID: c.ID, Name: c.Name, Type: c.Type, BaseURL: c.BaseURL,
		Keys: c.Keys, Models: c.Models, Headers: c.Headers, Proxy: c.Proxy,
		Timeout: c.Timeout, IdleTimeout: c.IdleTimeout,
		Enabled: c.Enabled, AutoSync: c.AutoSync, AnthropicVersion: c.AnthropicVersion,
		Project: c.Project, TokenURL: c.TokenURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		LastSyncAt: utcPtr(c.LastSyncAt), LastSyncResult: c.LastSyncResult,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	if out.Keys == nil {
		out.Keys = []string{}
	}
	if out.Models == nil {
		out.Models = []string{}
	}
	if out.Headers == nil {
		out.Headers = map[string]string{}
	}
	return out
}

// utcPtr returns t in UTC, nil stays nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// quoteAll quotes each name for a message.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
