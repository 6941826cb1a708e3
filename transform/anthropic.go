package transform

import (
	"encoding/base64"
	"io"
	"math/rand/v2"
	"strings"
)

// anthropicCodec is the Anthropic Messages codec (protocols.md §3). Its
// methods live in anthropic_*.go, one direction per file.
type anthropicCodec struct{}

func init() { Register(anthropicCodec{}) }

// Format implements Codec.
func (anthropicCodec) Format() Format { return Anthropic }

// NewStreamDecoder implements Codec.
func (anthropicCodec) NewStreamDecoder() StreamDecoder { return &anStreamDecoder{} }

// NewStreamEncoder implements Codec.
func (anthropicCodec) NewStreamEncoder(w io.Writer, req *Request) StreamEncoder {
	return newAnStreamEncoder(w, req)
}

// Anthropic API versions the encoder can build a request body for.
const (
	// AnthropicVersionDefault is the version a channel speaks unless
	// configured otherwise.
	AnthropicVersionDefault = "2023-06-01"
	// AnthropicVersion20261021 is the version the current official SDKs
	// send. Its Messages request has no temperature, top_p or top_k.
	AnthropicVersion20261021 = "2026-10-21"
)

// anHasSampling reports whether a request body for anthropic-version v may
// carry the sampling fields (temperature, top_p, top_k). Versions from
// 2026-10-21 on dropped them and reject bodies that have them; the dates
// compare as strings.
func anHasSampling(v string) bool {
	return v == "" || v < AnthropicVersion20261021
}

// anStopReason maps an Anthropic stop_reason to the canonical one.
func anStopReason(s string) StopReason {
	switch s {
	case "max_tokens":
		return StopMaxTokens
	case "stop_sequence":
		return StopSequence
	case "tool_use":
		return StopToolUse
	case "pause_turn":
		return StopPause
	case "refusal":
		return StopRefusal
	case "model_context_window_exceeded":
		return StopContextWindow
	}
	return StopEndTurn
}

// anStopReasonString maps a canonical stop reason to Anthropic's
// (protocols.md §6.7). Anthropic has no error reason; a stream that ended
// in error already told the client so with an error event.
func anStopReasonString(r StopReason) string {
	switch r {
	case StopMaxTokens:
		return "max_tokens"
	case StopSequence:
		return "stop_sequence"
	case StopToolUse:
		return "tool_use"
	case StopContentFilter, StopRefusal:
		return "refusal"
	case StopPause:
		return "pause_turn"
	case StopContextWindow:
		return "model_context_window_exceeded"
	}
	return "end_turn"
}

// anToolStop applies the rule that a message with tool calls ends with
// tool_use whatever label the upstream gave it. Only natural stops are
// overridden: a call cut off by max_tokens (or refused) must not be
// presented as a complete call the client should run.
func anToolStop(r StopReason, sawTool bool) StopReason {
	if sawTool && (r == StopEndTurn || r == StopSequence || r == "") {
		return StopToolUse
	}
	return r
}

// anErrorStatus maps an Anthropic error type to its HTTP status, for
// errors that arrive inside a stream without one.
func anErrorStatus(t string) int {
	switch t {
	case "invalid_request_error":
		return 400
	case "authentication_error":
		return 401
	case "billing_error":
		return 402
	case "permission_error":
		return 403
	case "not_found_error":
		return 404
	case "request_too_large":
		return 413
	case "rate_limit_error":
		return 429
	case "timeout_error":
		return 504
	case "overloaded_error":
		return 529
	}
	return 500
}

// Tool ids: Anthropic requires ^[a-zA-Z0-9_-]+$. Ids from other formats
// (CC call ids from some servers, Gemini ids) may hold other characters.
// A valid id is sent unchanged; any other id is encoded as anIDPrefix +
// base64url(id), whose alphabet is exactly the allowed set. The mapping is
// a pure function, so a call and its result always map to the same id, two
// distinct ids never collide, and anRestoreToolID turns it back.
const anIDPrefix = "octo_"

func anValidToolID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// anSanitizeToolID returns id in Anthropic's charset (see above). An empty
// id gets a fixed placeholder so the body stays valid; the encoder makes
// empty ids unique before calling this.
func anSanitizeToolID(id string) string {
	if anValidToolID(id) && !strings.HasPrefix(id, anIDPrefix) {
		return id
	}
	return anIDPrefix + base64.RawURLEncoding.EncodeToString([]byte(id))
}

// anRestoreToolID reverses anSanitizeToolID.
func anRestoreToolID(id string) string {
	rest, ok := strings.CutPrefix(id, anIDPrefix)
	if !ok {
		return id
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return id
	}
	return string(raw)
}

// anNewID returns prefix followed by 24 random base62 characters, the shape
// of Anthropic's msg_ and toolu_ ids.
func anNewID(prefix string) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, len(prefix)+24)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}

// anMessageID returns the id to show an Anthropic client: the upstream's own
// id when it already is an Anthropic message id, otherwise a fresh one.
func anMessageID(upstream string) string {
	if strings.HasPrefix(upstream, "msg_") {
		return upstream
	}
	return anNewID("msg_")
}
