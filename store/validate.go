package store

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/octopuscaddy/octopus/ent/schema"
)

// checkName validates a name that others refer to: channel, group, API key
// and user names. They appear in the Caddyfile, URLs, logs and metrics, so
// whitespace and control characters are refused; everything else printable
// is allowed because group names are model names ("openai/gpt-4o:beta").
func checkName(field, name string, maxLen int) error {
	if name == "" {
		return invalid(field, "must not be empty")
	}
	if !utf8.ValidString(name) {
		return invalid(field, "must be valid UTF-8")
	}
	// Bytes, not characters: that is what the column limits and ent's
	// validators count.
	if len(name) > maxLen {
		return invalid(field, "must be at most %d bytes, got %d", maxLen, len(name))
	}
	for _, r := range name {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return invalid(field, "%q contains whitespace or a control character", name)
		}
	}
	return nil
}

// checkModel validates an upstream model name.
func checkModel(field, model string) error {
	return checkName(field, model, schema.ModelMaxLen)
}

// checkWord validates a short lower-case identifier such as a channel type.
func checkWord(field, w string) error {
	if w == "" {
		return invalid(field, "must not be empty")
	}
	if len(w) > schema.ShortMaxLen {
		return invalid(field, "must be at most %d characters", schema.ShortMaxLen)
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return invalid(field, "%q may only contain a-z, 0-9, '_', '.' and '-'", w)
		}
	}
	return nil
}

// checkURL validates an optional absolute URL whose scheme is one of
// schemes. The empty string is allowed (it means "default").
func checkURL(field, raw string, schemes ...string) error {
	if raw == "" {
		return nil
	}
	if len(raw) > 2048 {
		return invalid(field, "must be at most 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalid(field, "%q is not a valid URL", raw)
	}
	if u.Host == "" {
		return invalid(field, "%q is not an absolute URL (want e.g. %s://host)", raw, schemes[0])
	}
	for _, s := range schemes {
		if strings.EqualFold(u.Scheme, s) {
			return nil
		}
	}
	return invalid(field, "%q: scheme must be one of %s", raw, strings.Join(schemes, ", "))
}

// checkHeader validates one extra upstream header: the name must be an
// HTTP token and the value must not be able to inject further headers.
func checkHeader(field, name, value string) error {
	if name == "" {
		return invalid(field, "header name must not be empty")
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return invalid(field, "header name %q is not a valid HTTP token", name)
		}
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return invalid(field, "value of header %q contains a line break or NUL", name)
	}
	return nil
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// uniqueList validates a list of names (models, groups): each must pass
// check, and none may repeat. It returns a copy so the caller's slice is
// never stored.
func uniqueList(field string, items []string, check func(field, s string) error) ([]string, error) {
	out := make([]string, 0, len(items))
	seen := make(map[string]struct{}, len(items))
	for i, s := range items {
		f := field + "[" + strconv.Itoa(i) + "]"
		if err := check(f, s); err != nil {
			return nil, err
		}
		if _, dup := seen[s]; dup {
			return nil, invalid(f, "%q is listed twice", s)
		}
		seen[s] = struct{}{}
		out = append(out, s)
	}
	return out, nil
}
