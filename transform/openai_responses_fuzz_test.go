package transform

import "testing"

func FuzzOpenAIResponsesDecodeRequest(f *testing.F) {
	oaiAddSeeds(f, "openai_responses", "request_*.json")
	f.Add([]byte(`{"model":"m","instructions":[{"role":"system","content":"s"}],"input":[{"type":"function_call_output","call_id":"c","output":[{"type":"input_file","file_url":"u"}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { oaiFuzzRequest(t, Get(OpenAIResponses), body) })
}

func FuzzOpenAIResponsesDecodeResponse(f *testing.F) {
	oaiAddSeeds(f, "openai_responses", "response_*.json")
	f.Fuzz(func(t *testing.T, body []byte) { oaiFuzzResponse(t, Get(OpenAIResponses), body) })
}

func FuzzOpenAIResponsesStreamDecoder(f *testing.F) {
	oaiAddSeeds(f, "openai_responses", "stream_*.sse")
	f.Add([]byte("data: {\"type\":\"response.function_call_arguments.done\",\"output_index\":0,\"arguments\":\"x\"}\n\ndata: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"function_call\"}}\n\n"))
	f.Fuzz(func(t *testing.T, stream []byte) { oaiFuzzStream(t, Get(OpenAIResponses), stream) })
}
