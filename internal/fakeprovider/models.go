package fakeprovider

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// modelCreated is the fixed creation time reported for every model.
const modelCreated = 1715367049

type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

type openAIModelList struct {
	Object string        `json:"object"`
	Data   []openAIModel `json:"data"`
}

// serveModelsOpenAI is GET /v1/models (and /v1/models/{id}) without
// anthropic-version.
func (s *Server) serveModelsOpenAI(x *exchange) {
	ids := s.modelList(OpenAIChat)
	if id, ok := strings.CutPrefix(x.r.URL.Path, "/v1/models/"); ok {
		if !contains(ids, id) {
			x.fail(&apiError{status: 404, msg: fmt.Sprintf("The model '%s' does not exist", id), param: "model", code: "model_not_found"})
			return
		}
		x.writeJSON(openAIModel{ID: id, Object: "model", Created: modelCreated, OwnedBy: "system"})
		return
	}
	out := openAIModelList{Object: "list", Data: []openAIModel{}}
	for _, id := range ids {
		out.Data = append(out.Data, openAIModel{ID: id, Object: "model", Created: modelCreated, OwnedBy: "system"})
	}
	x.writeJSON(out)
}

type anthropicModel struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
}

type anthropicModelList struct {
	Data    []anthropicModel `json:"data"`
	HasMore bool             `json:"has_more"`
	FirstID *string          `json:"first_id"`
	LastID  *string          `json:"last_id"`
}

func anthropicModelOf(id string) anthropicModel {
	return anthropicModel{Type: "model", ID: id, DisplayName: displayName(id), CreatedAt: "2025-09-29T00:00:00Z"}
}

// displayName turns "claude-sonnet-4-5" into "Claude Sonnet 4 5"; good
// enough for a fake.
func displayName(id string) string {
	parts := strings.Split(id, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}

// serveModelsAnthropic is GET /v1/models with anthropic-version, with the
// after_id / before_id / limit pagination of the real API.
func (s *Server) serveModelsAnthropic(x *exchange) {
	ids := s.modelList(Anthropic)
	if id, ok := strings.CutPrefix(x.r.URL.Path, "/v1/models/"); ok {
		if !contains(ids, id) {
			x.fail(&apiError{status: 404, msg: "model: " + id})
			return
		}
		x.writeJSON(anthropicModelOf(id))
		return
	}
	q := x.r.URL.Query()
	limit := 20
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			x.fail(badRequest("limit: Input should be greater than or equal to 1 and less than or equal to 1000"))
			return
		}
		limit = n
	}
	start, end := 0, len(ids)
	if a := q.Get("after_id"); a != "" {
		i := indexOf(ids, a)
		if i < 0 {
			x.fail(&apiError{status: http.StatusNotFound, msg: "model: " + a})
			return
		}
		start = i + 1
	}
	if b := q.Get("before_id"); b != "" {
		i := indexOf(ids, b)
		if i < 0 {
			x.fail(&apiError{status: http.StatusNotFound, msg: "model: " + b})
			return
		}
		end = i
		start = max(start, end-limit)
	}
	page := ids[start:min(end, start+limit)]
	out := anthropicModelList{Data: []anthropicModel{}, HasMore: start+len(page) < end}
	if q.Get("before_id") != "" {
		out.HasMore = start > 0
	}
	for _, id := range page {
		out.Data = append(out.Data, anthropicModelOf(id))
	}
	if len(page) > 0 {
		out.FirstID, out.LastID = ptr(page[0]), ptr(page[len(page)-1])
	}
	x.writeJSON(out)
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

type geminiModel struct {
	Name                       string   `json:"name"`
	Version                    string   `json:"version"`
	DisplayName                string   `json:"displayName"`
	Description                string   `json:"description"`
	InputTokenLimit            int      `json:"inputTokenLimit"`
	OutputTokenLimit           int      `json:"outputTokenLimit"`
	SupportedGenerationMethods []string `json:"supportedGenerationMethods"`
	Temperature                float64  `json:"temperature,omitempty"`
	TopP                       float64  `json:"topP,omitempty"`
	TopK                       int      `json:"topK,omitempty"`
	MaxTemperature             float64  `json:"maxTemperature,omitempty"`
	Thinking                   bool     `json:"thinking,omitempty"`
}

type geminiModelList struct {
	Models        []geminiModel `json:"models"`
	NextPageToken string        `json:"nextPageToken,omitempty"`
}

func geminiModelOf(id string) geminiModel {
	m := geminiModel{
		Name: "models/" + id, Version: "001", DisplayName: displayName(id),
		Description: "Fake model " + id, InputTokenLimit: 1048576, OutputTokenLimit: 65536,
	}
	if strings.Contains(id, "embedding") {
		m.InputTokenLimit, m.OutputTokenLimit = 2048, 1
		m.SupportedGenerationMethods = []string{"embedContent", "countTextTokens", "countTokens"}
		return m
	}
	m.SupportedGenerationMethods = []string{"generateContent", "countTokens", "createCachedContent", "batchGenerateContent"}
	m.Temperature, m.TopP, m.TopK, m.MaxTemperature, m.Thinking = 1, 0.95, 64, 2, true
	return m
}

// serveModelsGemini is GET /v1beta/models (pageSize/pageToken pagination;
// the token is the index of the next model) and /v1beta/models/{id}.
func (s *Server) serveModelsGemini(x *exchange) {
	ids := s.modelList(Gemini)
	if id, ok := strings.CutPrefix(x.r.URL.Path, "/v1beta/models/"); ok {
		if !contains(ids, id) {
			x.fail(&apiError{status: 404, msg: fmt.Sprintf("models/%s is not found for API version v1beta, or is not supported for getModel. Call ListModels to see the list of available models and their supported methods.", id)})
			return
		}
		x.writeJSON(geminiModelOf(id))
		return
	}
	q := x.r.URL.Query()
	size := 50
	if p := q.Get("pageSize"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			x.fail(badRequest("Invalid value at 'page_size' (TYPE_INT32), %q", p))
			return
		}
		if n > 0 {
			size = min(n, 1000)
		}
	}
	start := 0
	if t := q.Get("pageToken"); t != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(t, "page-"))
		if err != nil || n < 0 || n > len(ids) {
			x.fail(badRequest("Invalid page token."))
			return
		}
		start = n
	}
	end := min(len(ids), start+size)
	out := geminiModelList{Models: []geminiModel{}}
	for _, id := range ids[start:end] {
		out.Models = append(out.Models, geminiModelOf(id))
	}
	if end < len(ids) {
		out.NextPageToken = fmt.Sprintf("page-%d", end)
	}
	x.writeJSON(out)
}
