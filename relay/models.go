package relay

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/transform"
)

// modelsCreated is the creation time reported for groups: the models are
// the gateway's own names, so there is no upstream date to report.
var modelsCreated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

type anthropicModel struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}

type geminiModel struct {
	Name                       string   `json:"name"`
	BaseModelID                string   `json:"baseModelId"`
	Version                    string   `json:"version"`
	DisplayName                string   `json:"displayName"`
	SupportedGenerationMethods []string `json:"supportedGenerationMethods"`
}

func modelEntry(f transform.Format, name string) any {
	switch f {
	case transform.Anthropic:
		return anthropicModel{Type: "model", ID: name, DisplayName: name, CreatedAt: modelsCreated.Format(time.RFC3339)}
	case transform.Gemini:
		return geminiModel{
			Name: "models/" + name, BaseModelID: name, Version: "octopus", DisplayName: name,
			SupportedGenerationMethods: []string{"generateContent", "streamGenerateContent", "countTokens"},
		}
	}
	return openAIModel{ID: name, Object: "model", Created: modelsCreated.Unix(), OwnedBy: "octopus"}
}

// listModels answers the model list endpoints with the groups the key may
// use, in the shape of the endpoint's SDK.
func (e *Engine) listModels(w http.ResponseWriter, ep endpoint, snap *routing.Snapshot, key *routing.Key) {
	names := snap.Models(key)
	var v any
	switch ep.format {
	case transform.Anthropic:
		data := make([]any, len(names))
		for i, n := range names {
			data[i] = modelEntry(ep.format, n)
		}
		var first, last *string
		if len(names) > 0 {
			first, last = &names[0], &names[len(names)-1]
		}
		v = map[string]any{"data": data, "has_more": false, "first_id": first, "last_id": last}
	case transform.Gemini:
		data := make([]any, len(names))
		for i, n := range names {
			data[i] = modelEntry(ep.format, n)
		}
		v = map[string]any{"models": data}
	default:
		data := make([]any, len(names))
		for i, n := range names {
			data[i] = modelEntry(ep.format, n)
		}
		v = map[string]any{"object": "list", "data": data}
	}
	writeJSON(w, v)
}

// getModel answers a single model lookup.
func (e *Engine) getModel(w http.ResponseWriter, ep endpoint, snap *routing.Snapshot, key *routing.Key) {
	name := strings.TrimPrefix(ep.model, "models/")
	if g, ok := snap.Resolve(name); !ok || !key.Allows(g.Name) {
		writeError(w, ep.format, transform.Errorf(404, "model %q does not exist or this API key may not use it", name))
		return
	}
	writeJSON(w, modelEntry(ep.format, name))
}

func writeJSON(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
