package admin

import (
	"strconv"
	"strings"
)

// ellipsis marks a masked secret. Real keys never contain it, so a value
// holding it is known to be a mask sent back, not a new secret.
const ellipsis = "…"

// Mask hides a secret for display: the first three and last four
// characters of long secrets ("sk-…abcd"), only the last two of medium
// ones, nothing of short ones.
func Mask(secret string) string {
	r := []rune(secret)
	switch n := len(r); {
	case n == 0:
		return ""
	case n >= 16:
		return string(r[:3]) + ellipsis + string(r[n-4:])
	case n >= 10:
		return ellipsis + string(r[n-2:])
	default:
		return ellipsis
	}
}

// isMasked reports whether v is a masked value rather than a secret.
func isMasked(v string) bool { return strings.Contains(v, ellipsis) }

// unmaskKeys replaces masked keys in sent with the stored keys they mask,
// so a form that shows keys masked can send them back unchanged. A masked
// key matching no stored key is an error naming it. Each stored key is
// used at most once.
func unmaskKeys(field string, sent, stored []string) ([]string, error) {
	out := make([]string, len(sent))
	used := make([]bool, len(stored))
	for i, k := range sent {
		out[i] = k
		if !isMasked(k) {
			continue
		}
		found := false
		for j, s := range stored {
			if !used[j] && Mask(s) == k {
				out[i], used[j], found = s, true, true
				break
			}
		}
		if !found {
			return nil, badField(field+"["+strconv.Itoa(i)+"]", "is masked but matches no stored key; send the full key")
		}
	}
	return out, nil
}

// unmaskValue returns stored when sent is its mask, and sent otherwise.
func unmaskValue(field, sent, stored string) (string, error) {
	if !isMasked(sent) {
		return sent, nil
	}
	if stored != "" && Mask(stored) == sent {
		return stored, nil
	}
	return "", badField(field, "is masked but does not match the stored value; send the full value")
}

// sensitiveHeader reports whether an upstream header likely carries a
// secret, so its value is masked like keys.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	if n == "authorization" || n == "proxy-authorization" || n == "cookie" {
		return true
	}
	for _, s := range []string{"key", "token", "secret", "auth", "password"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// maskHeaders masks the values of sensitive headers.
func maskHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if sensitiveHeader(k) {
			v = Mask(v)
		}
		out[k] = v
	}
	return out
}

// unmaskHeaders restores masked values of headers sent back unchanged.
// Header names match case-insensitively, as HTTP does.
func unmaskHeaders(sent, stored map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(sent))
	for k, v := range sent {
		if isMasked(v) {
			var prev string
			for sk, sv := range stored {
				if strings.EqualFold(sk, k) {
					prev = sv
				}
			}
			var err error
			if v, err = unmaskValue("headers."+k, v, prev); err != nil {
				return nil, err
			}
		}
		out[k] = v
	}
	return out, nil
}
