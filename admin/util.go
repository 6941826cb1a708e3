package admin

import (
	"strconv"
	"strings"

	"go.uber.org/zap"
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
