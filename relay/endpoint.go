package relay

import (
	"net/http"
	"strings"

	"github.com/octopuscaddy/octopus/transform"
)

// op is what a client endpoint asks for.
type op uint8

const (
	opNone op = iota
	opGenerate
	opCountTokens
	opEmbeddings
	opListModels
	opGetModel
)

// endpoint is a matched client endpoint.
type endpoint struct {
	op     op
	format transform.Format
	// model is the model named in the path (Gemini; model retrieval).
	model string
	// stream is set by the Gemini streaming path.
	stream bool
	// streamArray is a Gemini stream without alt=sse (JSON array form).
	streamArray bool
}

// match maps a request to an endpoint; op is opNone for paths the relay
// does not serve, which go to the next handler.
func match(r *http.Request) endpoint {
	p := r.URL.Path
	switch r.Method {
	case http.MethodPost:
		switch p {
		case "/v1/chat/completions", "/chat/completions":
			return endpoint{op: opGenerate, format: transform.OpenAIChat}
		case "/v1/responses", "/responses":
			return endpoint{op: opGenerate, format: transform.OpenAIResponses}
		case "/v1/messages":
			return endpoint{op: opGenerate, format: transform.Anthropic}
		case "/v1/messages/count_tokens":
			return endpoint{op: opCountTokens, format: transform.Anthropic}
		case "/v1/embeddings", "/embeddings":
			return endpoint{op: opEmbeddings, format: transform.OpenAIChat}
		}
		if rest, ok := cutModelsPrefix(p); ok {
			model, method, ok := strings.Cut(rest, ":")
			if !ok || model == "" {
				return endpoint{}
			}
			e := endpoint{format: transform.Gemini, model: model}
			switch method {
			case "generateContent":
				e.op = opGenerate
			case "streamGenerateContent":
				e.op, e.stream = opGenerate, true
				e.streamArray = r.URL.Query().Get("alt") != "sse"
			case "countTokens":
				e.op = opCountTokens
			case "embedContent", "batchEmbedContents":
				e.op = opEmbeddings
			default:
				return endpoint{}
			}
			return e
		}
	case http.MethodGet:
		switch p {
		case "/v1/models", "/models":
			f := transform.OpenAIChat
			if r.Header.Get("anthropic-version") != "" {
				f = transform.Anthropic
			}
			return endpoint{op: opListModels, format: f}
		case "/v1beta/models":
			return endpoint{op: opListModels, format: transform.Gemini}
		}
		if rest, ok := strings.CutPrefix(p, "/v1beta/models/"); ok && rest != "" {
			return endpoint{op: opGetModel, format: transform.Gemini, model: rest}
		}
		if rest, ok := strings.CutPrefix(p, "/v1/models/"); ok && rest != "" {
			f := transform.OpenAIChat
			if r.Header.Get("anthropic-version") != "" {
				f = transform.Anthropic
			} else if r.Header.Get("x-goog-api-key") != "" {
				f = transform.Gemini
			}
			return endpoint{op: opGetModel, format: f, model: rest}
		}
	}
	return endpoint{}
}

// cutModelsPrefix strips the Gemini model path prefix (v1beta, and v1 which
// current Google SDKs call by default).
func cutModelsPrefix(p string) (string, bool) {
	if rest, ok := strings.CutPrefix(p, "/v1beta/models/"); ok {
		return rest, true
	}
	return strings.CutPrefix(p, "/v1/models/")
}

// clientKey returns the key the client sent, from any of the four places
// the SDKs use.
func clientKey(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			return strings.TrimSpace(a[7:])
		}
	}
	if k := r.Header.Get("x-api-key"); k != "" {
		return k
	}
	if k := r.Header.Get("x-goog-api-key"); k != "" {
		return k
	}
	if r.URL.RawQuery != "" {
		return r.URL.Query().Get("key")
	}
	return ""
}
