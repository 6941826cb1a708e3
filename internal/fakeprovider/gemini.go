package fakeprovider

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// Wire types of Gemini answers, fields in Google's order.
type geResponse struct {
	Candidates    []geCandidate `json:"candidates"`
	UsageMetadata *geUsage      `json:"usageMetadata,omitempty"`
	ModelVersion  string        `json:"modelVersion"`
	ResponseID    string        `json:"responseId"`
}

type geCandidate struct {
	Content      geContent `json:"content"`
	FinishReason string    `json:"finishReason,omitempty"`
	Index        int       `json:"index"`
}

type geContent struct {
	Parts []gePart `json:"parts"`
	Role  string   `json:"role"`
}

type gePart struct {
	Text             *string         `json:"text,omitempty"`
	Thought          bool            `json:"thought,omitempty"`
	FunctionCall     *geFunctionCall `json:"functionCall,omitempty"`
	ThoughtSignature string          `json:"thoughtSignature,omitempty"`
}

type geFunctionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

type geUsage struct {
	PromptTokenCount        int          `json:"promptTokenCount"`
	CandidatesTokenCount    int          `json:"candidatesTokenCount,omitempty"`
	TotalTokenCount         int          `json:"totalTokenCount"`
	CachedContentTokenCount int          `json:"cachedContentTokenCount,omitempty"`
	PromptTokensDetails     []geModality `json:"promptTokensDetails"`
	CacheTokensDetails      []geModality `json:"cacheTokensDetails,omitempty"`
	ThoughtsTokenCount      int          `json:"thoughtsTokenCount,omitempty"`
}

type geModality struct {
	Modality   string `json:"modality"`
	TokenCount int    `json:"tokenCount"`
}

// geUsageOf expresses usage with Gemini's semantics (candidates exclude
// thoughts), scaled to the share of output produced so far: streams repeat
// cumulative usage on every chunk.
func geUsageOf(u usage, done, total int) *geUsage {
	cand := (u.output - u.reasoning) * done / total
	thoughts := u.reasoning * done / total
	g := &geUsage{
		PromptTokenCount:        u.input,
		CandidatesTokenCount:    cand,
		TotalTokenCount:         u.input + cand + thoughts,
		CachedContentTokenCount: u.cacheRead,
		PromptTokensDetails:     []geModality{{Modality: "TEXT", TokenCount: u.input}},
		ThoughtsTokenCount:      thoughts,
	}
	if u.cacheRead > 0 {
		g.CacheTokensDetails = []geModality{{Modality: "TEXT", TokenCount: u.cacheRead}}
	}
	return g
}

// geminiChunks lays an answer out as parts, one slice per stream chunk; a
// non-stream answer joins them. The thought signature goes on the first
// visible part, as Gemini does.
func geminiChunks(f Format, a *answer, model string, newID func(string) string) [][]gePart {
	var chunks [][]gePart
	for _, t := range splitText(a.reasoning) {
		chunks = append(chunks, []gePart{{Text: ptr(t), Thought: true}})
	}
	for _, t := range splitText(a.text) {
		chunks = append(chunks, []gePart{{Text: ptr(t)}})
	}
	if len(a.calls) > 0 {
		// Gemini never streams arguments: all calls arrive whole, together.
		var parts []gePart
		for _, c := range a.calls {
			fc := &geFunctionCall{Name: c.name, Args: json.RawMessage(c.args)}
			if f == Antigravity && strings.Contains(strings.ToLower(model), "claude") {
				fc.ID = newID("toolu_")
			}
			parts = append(parts, gePart{FunctionCall: fc})
		}
		chunks = append(chunks, parts)
	}
	if a.reasoning != "" || needsSignatures(model) {
		for _, ch := range chunks {
			if !ch[0].Thought {
				ch[0].ThoughtSignature = signatureFor(f)
				break
			}
		}
	}
	if len(chunks) == 0 {
		chunks = append(chunks, []gePart{{Text: ptr("")}})
	}
	return chunks
}

func geFinish(a *answer) string {
	if a.stop == stopLength {
		return "MAX_TOKENS"
	}
	return "STOP"
}

// generate answers generateContent and streamGenerateContent for Gemini and
// (wrapped) Antigravity.
func (x *exchange) generate(req *geminiRequest, stream bool) {
	model := req.conv.model
	a := plan(x.f, &req.conv)
	chunks := geminiChunks(x.f, &a, model, x.newID)
	respID := x.newID("resp")
	traceID := x.newID("trace")
	wrap := func(r geResponse) any {
		if x.f == Antigravity {
			return obj("response", r, "traceId", traceID)
		}
		return r
	}
	if !stream {
		var parts []gePart
		for _, ch := range chunks {
			parts = append(parts, ch...)
		}
		parts = mergeText(parts)
		x.writeJSON(wrap(geResponse{
			Candidates:    []geCandidate{{Content: geContent{Parts: parts, Role: "model"}, FinishReason: geFinish(&a), Index: 0}},
			UsageMetadata: geUsageOf(a.usage, 1, 1),
			ModelVersion:  model, ResponseID: respID,
		}))
		return
	}
	x.startStream()
	for i, ch := range chunks {
		r := geResponse{
			Candidates:    []geCandidate{{Content: geContent{Parts: ch, Role: "model"}, Index: 0}},
			UsageMetadata: geUsageOf(a.usage, i+1, len(chunks)),
			ModelVersion:  model, ResponseID: respID,
		}
		if i == len(chunks)-1 {
			r.Candidates[0].FinishReason = geFinish(&a)
		}
		if !x.send("", marshal(wrap(r))) {
			return
		}
	}
	x.endStream()
}

// mergeText joins consecutive text parts of the same kind, as a
// non-stream answer carries them.
func mergeText(parts []gePart) []gePart {
	var out []gePart
	for _, p := range parts {
		if n := len(out); n > 0 && p.Text != nil && out[n-1].Text != nil && out[n-1].Thought == p.Thought && p.ThoughtSignature == "" {
			out[n-1].Text = ptr(*out[n-1].Text + *p.Text)
			continue
		}
		out = append(out, p)
	}
	return out
}

// serveGemini handles POST /v1beta/models/{model}:{method}.
func (s *Server) serveGemini(x *exchange) {
	p := x.r.URL.Path
	i := strings.LastIndexByte(p, ':')
	model, method := x.modelName(), p[i+1:]
	if !gjson.ValidBytes(x.body) {
		x.fail(googleBadJSON())
		return
	}
	if e := modelMissing(x.f, model); e != nil {
		x.fail(e)
		return
	}
	root := gjson.ParseBytes(x.body)
	switch method {
	case "generateContent", "streamGenerateContent":
		req, e := parseGemini(root, Gemini, model, true)
		if e != nil {
			x.fail(e)
			return
		}
		x.generate(req, method == "streamGenerateContent")
	case "countTokens":
		s.countTokensGoogle(x, root, model)
	case "embedContent":
		dims := int(field(root, "outputDimensionality", "output_dimensionality").Int())
		x.writeJSON(obj("embedding", obj("values", Embedding(contentText(root.Get("content")), dims))))
	case "batchEmbedContents":
		var vecs []json.RawMessage
		for k, r := range root.Get("requests").Array() {
			if r.Get("model").String() == "" {
				x.fail(badRequest("* BatchEmbedContentsRequest.requests[%d].model: unexpected model name format\n", k))
				return
			}
			dims := int(field(r, "outputDimensionality", "output_dimensionality").Int())
			vecs = append(vecs, obj("values", Embedding(contentText(r.Get("content")), dims)))
		}
		if len(vecs) == 0 {
			x.fail(badRequest("* BatchEmbedContentsRequest.requests: requests is not specified\n"))
			return
		}
		x.writeJSON(obj("embeddings", vecs))
	default:
		x.fail(&apiError{status: 404, msg: fmt.Sprintf("The requested URL %s was not found on this server.", p)})
	}
}

// countTokensGoogle answers countTokens for a body with contents or with a
// whole generateContentRequest.
func (s *Server) countTokensGoogle(x *exchange, root gjson.Result, model string) {
	if g := field(root, "generateContentRequest", "generate_content_request"); g.Exists() {
		root = g
	}
	if root.Get("contents").Exists() {
		if _, e := parseGemini(root, x.f, model, false); e != nil {
			x.fail(e)
			return
		}
	}
	x.writeJSON(obj("totalTokens", PromptTokens, "promptTokensDetails", []geModality{{Modality: "TEXT", TokenCount: PromptTokens}}))
}

// contentText joins the text parts of a Content.
func contentText(c gjson.Result) string {
	var texts []string
	for _, p := range c.Get("parts").Array() {
		texts = append(texts, p.Get("text").String())
	}
	return strings.Join(texts, " ")
}
