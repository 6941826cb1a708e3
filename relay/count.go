package relay

import (
	"encoding/json"
	"net/http"

	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/transform"
)

// Local token estimate, used for count_tokens when the chosen channel has
// no counter of its own in the client's format: about four characters of
// text per token (the usual rule of thumb for English and code with BPE
// tokenizers), plus a small overhead per message and tool, and a flat cost
// per image. It is an estimate and says so in a header.
const (
	charsPerToken     = 4
	tokensPerMessage  = 4
	tokensPerTool     = 8
	tokensPerImage    = 1600
	tokensPerDocument = 3000
)

// EstimateTokens estimates the input tokens of req.
func EstimateTokens(req *transform.Request) int64 {
	var chars, extra int64
	var parts func(ps []transform.Part)
	parts = func(ps []transform.Part) {
		for i := range ps {
			p := &ps[i]
			chars += int64(len(p.Text) + len(p.Arguments) + len(p.ToolName))
			switch p.Type {
			case transform.PartImage:
				extra += tokensPerImage
			case transform.PartFile, transform.PartAudio:
				extra += tokensPerDocument
			}
			parts(p.Content)
		}
	}
	parts(req.System)
	for _, m := range req.Messages {
		extra += tokensPerMessage
		parts(m.Parts)
	}
	for _, t := range req.Tools {
		extra += tokensPerTool
		chars += int64(len(t.Name) + len(t.Description) + len(t.Parameters))
	}
	return (chars+charsPerToken-1)/charsPerToken + extra
}

// countLocally answers an Anthropic count_tokens request with the local
// estimate.
func (x *exchange) countLocally(ch *routing.Channel) outcome {
	in := transform.Get(x.ep.format)
	req, err := in.DecodeRequest(x.body)
	if err != nil {
		x.fail(asError(err, 400))
		return outcome{done: true}
	}
	n := EstimateTokens(req)
	x.rec.Status = 200
	x.w.Header().Set("X-Octopus-Token-Count", "estimate")
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(http.StatusOK)
	b, _ := json.Marshal(map[string]int64{"input_tokens": n})
	_, _ = x.w.Write(b)
	return outcome{done: true}
}
