package admin

import (
	"context"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/store"
)

func quote(s string) string { return strconv.Quote(s) }

// indexed builds a field path such as keys[2].
func indexed(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }

// nonNil returns s, or an empty slice so JSON shows [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// maskAll masks every key.
func maskAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = Mask(k)
	}
	return out
}

// maskProxy hides the password of a proxy URL such as
// socks5://user:pass@host:1080, keeping the rest readable.
func maskProxy(p string) string {
	scheme, rest, ok := strings.Cut(p, "://")
	if !ok {
		return p
	}
	at := strings.LastIndexByte(rest, '@')
	if at < 0 {
		return p
	}
	user, pass, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass || pass == "" {
		return p
	}
	return scheme + "://" + user + ":" + ellipsis + rest[at:]
}

// unmaskProxy restores a proxy URL sent back with its password masked.
func unmaskProxy(sent, stored string) (string, error) {
	if !isMasked(sent) {
		return sent, nil
	}
	if stored != "" && maskProxy(stored) == sent {
		return stored, nil
	}
	return "", badField("proxy", "has a masked password that does not match the stored one; send the full URL")
}

// audit logs a change made through the API, with who made it.
func (h *Handler) audit(c *call, what, name string) {
	user := ""
	if c.sess != nil {
		user = c.sess.Username
	}
	h.log.Info("admin: "+what, zap.String("name", name), zap.String("user", user))
}

// write makes one store change for c, then records it in the audit log
// (what, and the name of the result) and brings the routing up to date.
func write[T any](h *Handler, c *call, what string, op func(context.Context, *store.Store) (T, error), name func(T) string) (T, error) {
	var zero T
	st, err := h.store()
	if err != nil {
		return zero, err
	}
	out, err := op(c.r.Context(), st)
	if err != nil {
		return zero, err
	}
	h.audit(c, what, name(out))
	return out, h.changed(c.r)
}

// remove is write for a deletion of the object called name.
func remove(h *Handler, c *call, what, name string, op func(context.Context, *store.Store) error) error {
	_, err := write(h, c, what, func(ctx context.Context, st *store.Store) (struct{}, error) {
		return struct{}{}, op(ctx, st)
	}, func(struct{}) string { return name })
	return err
}

// The names write records in the audit log.
func channelName(c *store.Channel) string { return c.Name }
func groupName(g *store.Group) string     { return g.Name }
func apiKeyName(k *store.APIKey) string   { return k.Name }
