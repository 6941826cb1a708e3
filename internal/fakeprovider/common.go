package fakeprovider

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"path"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// newID returns prefix followed by a number unique within the server.
func (x *exchange) newID(prefix string) string {
	return fmt.Sprintf("%sfake%06d", prefix, x.s.seq.Add(1))
}

func now() int64 { return time.Now().Unix() }

// dataURLImage describes the image in a data: URL or, for other URLs, the
// type guessed from the file extension with size 0.
func dataURLImage(u string) image {
	if rest, ok := strings.CutPrefix(u, "data:"); ok {
		meta, payload, _ := strings.Cut(rest, ",")
		mt, _, _ := strings.Cut(meta, ";")
		if mt == "" {
			mt = "text/plain"
		}
		return image{mime: mt, size: b64Size(payload)}
	}
	mt := mime.TypeByExtension(path.Ext(strings.SplitN(u, "?", 2)[0]))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	if mt == "" {
		mt = "image/*"
	}
	return image{mime: mt}
}

// b64Size is the decoded length of base64 data (standard or URL alphabet,
// padded or not); invalid data counts as its raw length.
func b64Size(s string) int {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if n, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return len(n)
	}
	if n, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return len(n)
	}
	return len(s)
}

func isImageMIME(mt string) bool { return strings.HasPrefix(mt, "image/") }

func ptr[T any](v T) *T { return &v }

// obj builds a JSON object with keys in the given order from alternating
// key, value arguments; values are encoded with marshal unless they are
// already json.RawMessage, and pairs whose value is omit are left out.
// Event payloads use it so field order matches the real APIs without a
// struct per event type.
func obj(kv ...any) json.RawMessage {
	b := make([]byte, 0, 128)
	b = append(b, '{')
	first := true
	for i := 0; i+1 < len(kv); i += 2 {
		if _, skip := kv[i+1].(omitted); skip {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, marshal(kv[i].(string))...)
		b = append(b, ':')
		switch v := kv[i+1].(type) {
		case json.RawMessage:
			b = append(b, v...)
		default:
			b = append(b, marshal(v)...)
		}
	}
	return append(b, '}')
}

// omitted marks an obj value whose key is left out.
type omitted struct{}

var omit = omitted{}

// rawOr returns r's raw JSON, or def when r is absent.
func rawOr(r gjson.Result, def string) json.RawMessage {
	if r.Exists() {
		return json.RawMessage(r.Raw)
	}
	return json.RawMessage(def)
}

// obfuscation is a deterministic stand-in for the random padding OpenAI adds
// to stream events so their sizes do not reveal token lengths.
func obfuscation(n int) string {
	const letters = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8"
	return letters[n%7 : n%7+4+n%11]
}
