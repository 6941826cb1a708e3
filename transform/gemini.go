package transform

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// geminiCodec implements Codec for the Gemini API and, with format set to
// Antigravity, for the Cloud Code Assist API, whose bodies are Gemini
// bodies inside an envelope (see antigravity.go). Every method is shared;
// the envelope is added or removed at the edges.
type geminiCodec struct {
	format Format
}

func init() { Register(&geminiCodec{format: Gemini}) }

// Format reports the codec's format.
func (c *geminiCodec) Format() Format { return c.format }

func (c *geminiCodec) ag() bool { return c.format == Antigravity }

// gemSkipSignature is the value Google documents for function calls the
// model did not produce (history from another provider): it tells Gemini 3
// to skip thought-signature validation for that step.
const gemSkipSignature = "skip_thought_signature_validator"

// gemTaggedSigPrefix is base64("octo1."): a foreign signature given to a
// Gemini client travels base64-encoded (see gemExportSignature), and a
// native signature, being base64 of a protobuf, never starts like this.
const gemTaggedSigPrefix = "b2N0bzEu"

// gemExportSignature prepares a signature for a Gemini-format client.
// thoughtSignature is a proto bytes field: SDKs base64-decode it (the Go SDK
// fails the whole response on invalid base64), so the family-tagged form
// of a foreign signature ("octo1.anthropic.…", with dots) is itself
// base64-encoded. Gemini's own signatures pass through untouched.
func gemExportSignature(sig, family string, client Format) string {
	if sig == "" || family == "" || family == client.Family() {
		return sig
	}
	return base64.StdEncoding.EncodeToString([]byte(ExportSignature(sig, family, client)))
}

// gemImportSignature reverses gemExportSignature for a signature sent by a
// Gemini-format client.
func gemImportSignature(sig string, client Format) (raw, family string) {
	if strings.HasPrefix(sig, gemTaggedSigPrefix) {
		if dec, err := base64.StdEncoding.DecodeString(sig); err == nil {
			return ImportSignature(string(dec), client)
		}
	}
	return ImportSignature(sig, client)
}

// gemNewID returns prefix followed by n random alphanumerics. Ids only need
// to be unique within a conversation, so math/rand is enough.
func gemNewID(prefix string, n int) string {
	const alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, len(prefix)+n)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		b[i] = alnum[rand.IntN(len(alnum))]
	}
	return string(b)
}

// gemNewHex returns n random lowercase hex digits.
func gemNewHex(n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[rand.IntN(16)]
	}
	return string(b)
}

// gemCallID synthesizes an id for a function call that came without one.
// Gemini matches calls and responses by name and order, every other format
// by id; the id only has to be unique across the conversation and valid in
// every format (Anthropic: [a-zA-Z0-9_-]).
func gemCallID() string { return gemNewID("call_", 24) }

// gemPositionCallID is the stable id of an id-less call in a client request:
// derived from its position, so the same history always yields the same ids.
func gemPositionCallID(content, part int) string {
	return "call_" + strconv.Itoa(content) + "_" + strconv.Itoa(part)
}

// gemUUID returns a random version-4 UUID string.
func gemUUID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := rand.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// gemStopReason maps a Gemini finishReason to the canonical stop reason.
// A STOP that ends in function calls is turned into tool_use by the caller,
// which knows whether calls were seen.
func gemStopReason(fr string) StopReason {
	switch fr {
	case "MAX_TOKENS":
		return StopMaxTokens
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE",
		"IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION":
		return StopContentFilter
	}
	// STOP, OTHER, MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL,
	// TOO_MANY_TOOL_CALLS, NO_IMAGE, IMAGE_OTHER, FINISH_REASON_UNSPECIFIED:
	// the answer that exists is complete as far as anyone can tell.
	return StopEndTurn
}

// gemFinishReason maps a canonical stop reason to a Gemini finishReason.
func gemFinishReason(r StopReason) string {
	switch r {
	case StopMaxTokens, StopContextWindow:
		return "MAX_TOKENS"
	case StopContentFilter, StopRefusal:
		return "SAFETY"
	case StopError:
		return "OTHER"
	}
	return "STOP"
}

// gemUsage reads usageMetadata into canonical usage. promptTokenCount
// already includes cached tokens; candidatesTokenCount excludes thoughts,
// so output = candidates + thoughts. Tool-use prompt tokens (server-side
// tools) are billed as input.
func gemUsage(u gjson.Result) Usage {
	var prompt, cached, cand, thoughts, toolUse, total int64
	u.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "promptTokenCount", "prompt_token_count":
			prompt = v.Int()
		case "cachedContentTokenCount", "cached_content_token_count":
			cached = v.Int()
		case "candidatesTokenCount", "candidates_token_count":
			cand = v.Int()
		case "thoughtsTokenCount", "thoughts_token_count":
			thoughts = v.Int()
		case "toolUsePromptTokenCount", "tool_use_prompt_token_count":
			toolUse = v.Int()
		case "totalTokenCount", "total_token_count":
			total = v.Int()
		}
		return true
	})
	in := prompt + toolUse
	out := cand + thoughts
	if out == 0 && total > in {
		// Some answers carry only the total; what is not prompt is output.
		out = total - in
	}
	return Usage{InputTokens: in, OutputTokens: out, CacheReadTokens: cached, ReasoningTokens: thoughts}
}

// gemWriteUsage writes a usageMetadata object (key included).
func gemWriteUsage(w *jsonWriter, u Usage) {
	w.key("usageMetadata")
	w.objOpen()
	w.fieldInt("promptTokenCount", u.InputTokens)
	cand := u.OutputTokens - u.ReasoningTokens
	if cand < 0 {
		cand = 0
	}
	w.fieldInt("candidatesTokenCount", cand)
	w.fieldInt("totalTokenCount", u.InputTokens+u.OutputTokens)
	if u.CacheReadTokens > 0 {
		w.fieldInt("cachedContentTokenCount", u.CacheReadTokens)
	}
	if u.ReasoningTokens > 0 {
		w.fieldInt("thoughtsTokenCount", u.ReasoningTokens)
	}
	w.objClose()
}

// gemIsClaude reports whether an Antigravity model is a Claude model, which
// Antigravity validates much more strictly (schemas, empty parts).
func gemIsClaude(model string) bool {
	return strings.Contains(strings.ToLower(model), "claude")
}

// gemMajorVersion returns the major version of a "gemini-N…" model name,
// 0 when the name has none.
func gemMajorVersion(model string) int {
	m := strings.ToLower(model)
	i := strings.Index(m, "gemini-")
	if i < 0 {
		return 0
	}
	m = m[i+len("gemini-"):]
	n := 0
	for j := 0; j < len(m) && m[j] >= '0' && m[j] <= '9'; j++ {
		n = n*10 + int(m[j]-'0')
	}
	return n
}

// gemMediaType classifies a MIME type into a canonical media part type.
func gemMediaType(mime string) PartType {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return PartImage
	case strings.HasPrefix(mime, "audio/"):
		return PartAudio
	}
	return PartFile
}

// gemUpstreamError builds the error for an upstream answer that cannot be
// read.
func gemUpstreamError(f Format, format string, args ...any) *Error {
	return &Error{Status: 502, Kind: KindServer, Message: "upstream " + f.DisplayName() + " " + fmt.Sprintf(format, args...)}
}

// gemBadRequest is a 400 naming the request field at fault.
func gemBadRequest(param, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if param != "" {
		msg = param + ": " + msg
	}
	return &Error{Status: 400, Kind: KindInvalidRequest, Message: msg, Param: param}
}
