// Package provider is the registry of channel types: for each upstream API
// it knows the wire format, the default base URL, how a key looks, how to
// complete the base URL for each call and how to authenticate. The admin
// API lists it as-is, so a new type appears in the UI without UI changes.
package provider

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/octopuscaddy/octopus/transform"
)

// Op is the kind of upstream call.
type Op uint8

const (
	OpGenerate Op = iota
	OpCountTokens
	OpEmbeddings
	OpListModels
)

// Type describes one channel type.
type Type struct {
	// Name is the type's config name (the Caddyfile `type` word).
	Name string `json:"name"`
	// Format is the wire format the upstream speaks.
	Format transform.Format `json:"format"`
	// DisplayName is the human name.
	DisplayName string `json:"display_name"`
	// DefaultBaseURL is used when a channel names none.
	DefaultBaseURL string `json:"default_base_url"`
	// KeyHint says what a key looks like, for forms.
	KeyHint string `json:"key_hint"`
	// KeyPattern is a prefix most keys of this type start with ("" = any).
	KeyPrefix string `json:"key_prefix,omitempty"`
	// OAuth is true when keys are OAuth refresh or access tokens.
	OAuth bool `json:"oauth,omitempty"`
	// CountTokens is true when the upstream has a token counting endpoint.
	CountTokens bool `json:"count_tokens"`
	// Embeddings is true when the upstream has an embeddings endpoint.
	Embeddings bool `json:"embeddings"`
}

var types = []*Type{
	{
		Name: "openai_chat", Format: transform.OpenAIChat, DisplayName: "OpenAI Chat Completions (and compatible)",
		DefaultBaseURL: "https://api.openai.com/v1", KeyHint: "sk-…", KeyPrefix: "sk-", Embeddings: true,
	},
	{
		Name: "openai_responses", Format: transform.OpenAIResponses, DisplayName: "OpenAI Responses",
		DefaultBaseURL: "https://api.openai.com/v1", KeyHint: "sk-…", KeyPrefix: "sk-", Embeddings: true,
	},
	{
		Name: "anthropic", Format: transform.Anthropic, DisplayName: "Anthropic Messages",
		DefaultBaseURL: "https://api.anthropic.com/v1", KeyHint: "sk-ant-…", KeyPrefix: "sk-ant-", CountTokens: true,
	},
	{
		Name: "gemini", Format: transform.Gemini, DisplayName: "Google Gemini",
		DefaultBaseURL: "https://generativelanguage.googleapis.com/v1beta", KeyHint: "AIza…", KeyPrefix: "AIza",
		CountTokens: true, Embeddings: true,
	},
	{
		Name: "antigravity", Format: transform.Antigravity, DisplayName: "Google Antigravity (Cloud Code Assist)",
		DefaultBaseURL: "https://daily-cloudcode-pa.sandbox.googleapis.com", KeyHint: "1//… refresh token or ya29.… access token",
		OAuth: true, CountTokens: true,
	},
}

// Types returns every channel type in a stable order.
func Types() []*Type { return types }

// Lookup returns the type called name, or nil.
func Lookup(name string) *Type {
	for _, t := range types {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// TypeNames lists the type names, for error messages.
func TypeNames() string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// URL completes base for one call. model is the upstream model; stream
// selects the streaming endpoint where the type has a separate one.
func (t *Type) URL(base, model string, op Op, stream bool) string {
	base = strings.TrimRight(base, "/")
	switch t.Format {
	case transform.Gemini:
		m := "/models/" + url.PathEscape(model)
		switch op {
		case OpCountTokens:
			return base + m + ":countTokens"
		case OpEmbeddings:
			return base + m + ":batchEmbedContents"
		case OpListModels:
			return base + "/models"
		}
		if stream {
			return base + m + ":streamGenerateContent?alt=sse"
		}
		return base + m + ":generateContent"
	case transform.Antigravity:
		switch op {
		case OpCountTokens:
			return base + "/v1internal:countTokens"
		case OpListModels:
			return base + "/v1internal:fetchAvailableModels"
		}
		if stream {
			return base + "/v1internal:streamGenerateContent?alt=sse"
		}
		return base + "/v1internal:generateContent"
	case transform.Anthropic:
		switch op {
		case OpCountTokens:
			return base + "/messages/count_tokens"
		case OpListModels:
			return base + "/models"
		}
		return base + "/messages"
	case transform.OpenAIResponses:
		switch op {
		case OpEmbeddings:
			return base + "/embeddings"
		case OpListModels:
			return base + "/models"
		}
		return base + "/responses"
	default:
		switch op {
		case OpEmbeddings:
			return base + "/embeddings"
		case OpListModels:
			return base + "/models"
		}
		return base + "/chat/completions"
	}
}

// DefaultAnthropicVersion is sent to Anthropic channels unless the channel
// sets its own anthropic-version header.
const DefaultAnthropicVersion = "2023-06-01"

// defaultAnthropicVersion is shared by every request: the transport only
// reads request headers.
var defaultAnthropicVersion = []string{DefaultAnthropicVersion}

// SetAuth puts key on an outbound request the way the type expects.
// Antigravity keys are OAuth access tokens resolved by the caller. Header
// names are written in canonical form: Set would canonicalize them afresh,
// an allocation per request.
func (t *Type) SetAuth(h http.Header, key string) {
	switch t.Format {
	case transform.Anthropic:
		h["X-Api-Key"] = []string{key}
		if len(h["Anthropic-Version"]) == 0 {
			h["Anthropic-Version"] = defaultAnthropicVersion
		}
	case transform.Gemini:
		h["X-Goog-Api-Key"] = []string{key}
	default:
		h.Set("Authorization", "Bearer "+key)
	}
}
