// Package transform converts LLM API requests, responses and stream events
// between wire formats. It is hub and spoke: every format decodes into the
// canonical model of this package and encodes from it, so each format needs
// one codec rather than one converter per pair of formats.
//
// The package has no Caddy types; the relay drives it.
package transform

import "fmt"

// Format names one wire format. Channel types and inbound endpoints share
// these names; Antigravity is only ever a channel type.
type Format string

const (
	OpenAIChat      Format = "openai_chat"
	OpenAIResponses Format = "openai_responses"
	Anthropic       Format = "anthropic"
	Gemini          Format = "gemini"
	Antigravity     Format = "antigravity"
)

// Formats lists every format in a stable order.
var Formats = []Format{OpenAIChat, OpenAIResponses, Anthropic, Gemini, Antigravity}

// ParseFormat returns the format called name.
func ParseFormat(name string) (Format, error) {
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (want openai_chat, openai_responses, anthropic, gemini or antigravity)", name)
}

// DisplayName is the human name used in error messages.
func (f Format) DisplayName() string {
	switch f {
	case OpenAIChat:
		return "OpenAI Chat Completions"
	case OpenAIResponses:
		return "OpenAI Responses"
	case Anthropic:
		return "Anthropic Messages"
	case Gemini:
		return "Gemini"
	case Antigravity:
		return "Antigravity"
	}
	return string(f)
}

// Family is the provider whose opaque reasoning signatures a format carries.
// Signatures are only ever sent back to the family that minted them.
func (f Format) Family() string {
	switch f {
	case OpenAIChat, OpenAIResponses:
		return "openai"
	case Anthropic:
		return "anthropic"
	case Gemini:
		return "gemini"
	case Antigravity:
		// Antigravity also fronts Claude models, whose signatures are only
		// valid through Antigravity, so it is a family of its own.
		return "antigravity"
	}
	return string(f)
}
