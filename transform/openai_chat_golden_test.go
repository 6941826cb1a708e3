package transform

import (
	"os"
	"path/filepath"
	"testing"
)

// Golden tests: fixtures in testdata/<format>/ are decoded and re-encoded
// in the same format and compared semantically with their .want file (or,
// for requests without one, with the fixture itself).
//
//	request_*.json   DecodeRequest → EncodeRequest
//	response_*.json  DecodeResponse → EncodeResponse
//	stream_*.sse     stream decoder → stream encoder, event by event

func oaiRunRequestGolden(t *testing.T, f Format, dir string) {
	c := Get(f)
	for _, file := range oaiFixtures(t, dir, "request_*.json") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			oaiDeterministic(t)
			in := oaiRead(t, file)
			req, err := c.DecodeRequest(in)
			if err != nil {
				t.Fatalf("DecodeRequest: %v", err)
			}
			out, err := c.EncodeRequest(req, EncodeOptions{Model: req.Model, Stream: req.Stream})
			if err != nil {
				t.Fatalf("EncodeRequest: %v", err)
			}
			want := in
			if b, err := os.ReadFile(oaiWantPath(file)); err == nil {
				want = b
			}
			oaiAssertJSON(t, out, want)
		})
	}
}

func oaiRunResponseGolden(t *testing.T, f Format, dir string) {
	c := Get(f)
	for _, file := range oaiFixtures(t, dir, "response_*.json") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			oaiDeterministic(t)
			resp, err := c.DecodeResponse(oaiRead(t, file))
			if err != nil {
				t.Fatalf("DecodeResponse: %v", err)
			}
			out, err := c.EncodeResponse(resp, nil)
			if err != nil {
				t.Fatalf("EncodeResponse: %v", err)
			}
			oaiGolden(t, oaiWantPath(file), out, false)
		})
	}
}

func oaiRunStreamGolden(t *testing.T, f Format, dir string) {
	c := Get(f)
	for _, file := range oaiFixtures(t, dir, "stream_*.sse") {
		t.Run(filepath.Base(file), func(t *testing.T) {
			oaiDeterministic(t)
			evs := oaiDecodeAll(t, c, oaiRead(t, file))
			out := oaiEncodeAll(t, c, &Request{Model: "client-model", IncludeUsage: true}, evs)
			oaiGolden(t, oaiWantPath(file), out, true)
		})
	}
}

func TestOpenAIChatGolden(t *testing.T) {
	t.Run("requests", func(t *testing.T) { oaiRunRequestGolden(t, OpenAIChat, "openai_chat") })
	t.Run("responses", func(t *testing.T) { oaiRunResponseGolden(t, OpenAIChat, "openai_chat") })
	t.Run("streams", func(t *testing.T) { oaiRunStreamGolden(t, OpenAIChat, "openai_chat") })
}

func TestOpenAIResponsesGolden(t *testing.T) {
	t.Run("requests", func(t *testing.T) { oaiRunRequestGolden(t, OpenAIResponses, "openai_responses") })
	t.Run("responses", func(t *testing.T) { oaiRunResponseGolden(t, OpenAIResponses, "openai_responses") })
	t.Run("streams", func(t *testing.T) { oaiRunStreamGolden(t, OpenAIResponses, "openai_responses") })
}
