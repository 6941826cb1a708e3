package fakeprovider_test

import (
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

const (
	ccPath = "/v1/chat/completions"
	rsPath = "/v1/responses"
	anPath = "/v1/messages"
	gePath = "/v1beta/models/gemini-2.5-flash:generateContent"
	agPath = "/v1internal:generateContent"
)

type validationCase struct {
	name    string
	path    string
	headers []string
	body    string
	status  int
	// want is a substring of the error message (at the format's path),
	// empty for requests that must succeed.
	want string
}

// errorMessage reads the message of any format's error body.
func errorMessage(body string) string {
	if m := gjson.Get(body, "error.message"); m.Exists() {
		return m.String()
	}
	return gjson.Get(body, "error_description").String()
}

func runValidation(t *testing.T, s *fp.Server, cases []validationCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, s, "POST", tc.path, tc.body, tc.headers...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			if tc.want == "" {
				return
			}
			if msg := errorMessage(r.body); !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func TestValidationOpenAIChat(t *testing.T) {
	s := fp.New(t)
	user := `{"role":"user","content":"hi"}`
	call := `{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]}`
	runValidation(t, s, []validationCase{
		{"ok", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `]}`, 200, ""},
		{"malformed json", ccPath, hOpenAI, `{"model":`, 400, "could not parse the JSON body"},
		{"missing model", ccPath, hOpenAI, `{"messages":[` + user + `]}`, 400, "you must provide a model parameter"},
		{"missing messages", ccPath, hOpenAI, `{"model":"m"}`, 400, "Missing required parameter: 'messages'."},
		{"empty messages", ccPath, hOpenAI, `{"model":"m","messages":[]}`, 400, "empty array"},
		{"bad role", ccPath, hOpenAI, `{"model":"m","messages":[{"role":"robot","content":"x"}]}`, 400, "Invalid value: 'robot'"},
		{"unanswered call", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `,` + call + `,` + user + `]}`, 400, "did not have response messages: call_1"},
		{"unanswered call at end", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `,` + call + `]}`, 400, "did not have response messages: call_1"},
		{"tool without call", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `,{"role":"tool","tool_call_id":"call_1","content":"x"}]}`, 400, "must be a response to a preceeding message with 'tool_calls'"},
		{"tool answers unknown id", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `,` + call + `,{"role":"tool","tool_call_id":"call_2","content":"x"}]}`, 400, "'call_2' not found"},
		{"arguments object", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `,{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":{}}}]},{"role":"tool","tool_call_id":"c","content":"x"}]}`, 400, "expected a string, but got an object"},
		{"answered call", ccPath, hOpenAI, `{"model":"m","messages":[` + user + `,` + call + `,{"role":"tool","tool_call_id":"call_1","content":"x"}]}`, 200, ""},
		{"no key", ccPath, nil, `{}`, 401, "You didn't provide an API key"},
		{"unknown key", ccPath, []string{"Authorization", "Bearer nope-123456789"}, `{}`, 401, "Incorrect API key provided: nop"},
		{"model not found", ccPath, hOpenAI, `{"model":"gpt-notfound","messages":[` + user + `]}`, 404, "does not exist"},
	})
	r := do(t, s, "POST", ccPath, `{}`, "Authorization", "Bearer nope-123456789")
	if gjson.Get(r.body, "error.code").String() != "invalid_api_key" || gjson.Get(r.body, "error.param").Type != gjson.Null {
		t.Fatalf("401 body %s", r.body)
	}
}

func TestValidationOpenAIResponses(t *testing.T) {
	s := fp.New(t)
	fc := `{"type":"function_call","call_id":"call_a","name":"f","arguments":"{}"}`
	out := `{"type":"function_call_output","call_id":"call_a","output":"ok"}`
	runValidation(t, s, []validationCase{
		{"ok", rsPath, hOpenAI, `{"model":"m","input":[{"role":"user","content":"hi"},` + fc + `,` + out + `]}`, 200, ""},
		{"missing model", rsPath, hOpenAI, `{"input":"hi"}`, 400, "Missing required parameter: 'model'."},
		{"missing input", rsPath, hOpenAI, `{"model":"m"}`, 400, "Missing required parameter: 'input'."},
		{"output without call", rsPath, hOpenAI, `{"model":"m","input":[{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"call_x","output":"ok"}]}`, 400, "No tool call found for function call output with call_id call_x."},
		{"chained output", rsPath, hOpenAI, `{"model":"m","previous_response_id":"resp_1","input":[{"type":"function_call_output","call_id":"call_x","output":"ok"}]}`, 200, ""},
		{"call without output", rsPath, hOpenAI, `{"model":"m","input":[{"role":"user","content":"hi"},` + fc + `]}`, 400, "No tool output found for function call call_a."},
		{"foreign encrypted content", rsPath, hOpenAI, `{"model":"m","input":[{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAAother"},{"role":"user","content":"hi"}]}`, 400, "could not be verified"},
		{"own encrypted content", rsPath, hOpenAI, `{"model":"m","input":[{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"` + fp.EncryptedReasoning + `"},{"role":"user","content":"hi"}]}`, 200, ""},
	})
}

func TestValidationAnthropic(t *testing.T) {
	s := fp.New(t)
	user := `{"role":"user","content":"hi"}`
	use := `{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]}`
	result := `{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}`
	sig := fp.AnthropicSignature("hmm")
	thinking := `{"type":"enabled","budget_tokens":1024}`
	runValidation(t, s, []validationCase{
		{"ok", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `]}`, 200, ""},
		{"missing version", anPath, []string{"x-api-key", "sk-ant-raw"}, `{}`, 400, "anthropic-version"},
		{"unknown key", anPath, []string{"x-api-key", "bad", "anthropic-version", "2023-06-01"}, `{}`, 401, "invalid x-api-key"},
		{"malformed json", anPath, hAnthropic, `{`, 400, "not valid JSON"},
		{"missing model", anPath, hAnthropic, `{"max_tokens":10,"messages":[` + user + `]}`, 400, "model: Field required"},
		{"missing max_tokens", anPath, hAnthropic, `{"model":"m","messages":[` + user + `]}`, 400, "max_tokens: Field required"},
		{"empty messages", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[]}`, 400, "at least 1 item"},
		{"bad role", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[{"role":"tool","content":"x"}]}`, 400, "Input should be 'user' or 'assistant'"},
		{"system role on 2023-06-01", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[{"role":"system","content":"x"},` + user + `]}`, 400, "role"},
		{"system role on 2026-10-21", anPath, hAnthro26, `{"model":"m","max_tokens":10,"messages":[{"role":"system","content":"x"},` + user + `]}`, 200, ""},
		{"temperature on 2026-10-21", anPath, hAnthro26, `{"model":"m","max_tokens":10,"temperature":0.5,"messages":[` + user + `]}`, 400, "temperature: Extra inputs are not permitted"},
		{"top_k on 2026-10-21", anPath, hAnthro26, `{"model":"m","max_tokens":10,"top_k":5,"messages":[` + user + `]}`, 400, "top_k: Extra inputs are not permitted"},
		{"temperature on 2023-06-01", anPath, hAnthropic, `{"model":"m","max_tokens":10,"temperature":0.5,"messages":[` + user + `]}`, 200, ""},
		{"empty text block", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":""}]}]}`, 400, "text content blocks must be non-empty"},
		{"empty non-final", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[]},{"role":"assistant","content":"x"},` + user + `]}`, 400, "all messages must have non-empty content"},
		{"empty final assistant", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,{"role":"assistant","content":""}]}`, 200, ""},
		{"bad tool_use id", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,{"role":"assistant","content":[{"type":"tool_use","id":"call.1","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"call.1"}]}]}`, 400, "String should match pattern"},
		{"tool_use without result", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,` + use + `,` + user + `]}`, 400, "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1"},
		{"tool_result not first", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,` + use + `,{"role":"user","content":[{"type":"text","text":"x"},` + result + `]}]}`, 400, "tool_result blocks must come first"},
		{"tool_result without tool_use", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[` + result + `]}]}`, 400, "unexpected `tool_use_id`"},
		{"tool loop ok", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,` + use + `,{"role":"user","content":[` + result + `,{"type":"text","text":"more"}]}]}`, 200, ""},
		{"budget too small", anPath, hAnthropic, `{"model":"m","max_tokens":2000,"thinking":{"type":"enabled","budget_tokens":500},"messages":[` + user + `]}`, 400, "greater than or equal to 1024"},
		{"budget not below max_tokens", anPath, hAnthropic, `{"model":"m","max_tokens":1024,"thinking":` + thinking + `,"messages":[` + user + `]}`, 400, "`max_tokens` must be greater than `thinking.budget_tokens`"},
		{"thinking with forced tool", anPath, hAnthropic, `{"model":"m","max_tokens":2000,"thinking":` + thinking + `,"tool_choice":{"type":"any"},"messages":[` + user + `]}`, 400, "Thinking may not be enabled when tool_choice forces tool use."},
		{"thinking without signature", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,{"role":"assistant","content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"x"}]},` + user + `]}`, 400, "thinking.signature: Field required"},
		{"thinking with foreign signature", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"EqQBother"},{"type":"text","text":"x"}]},` + user + `]}`, 400, "Invalid `signature` in `thinking` block"},
		{"thinking with own signature", anPath, hAnthropic, `{"model":"m","max_tokens":10,"messages":[` + user + `,{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"` + sig + `"},{"type":"text","text":"x"}]},` + user + `]}`, 200, ""},
		{"thinking tool loop without thinking", anPath, hAnthropic, `{"model":"m","max_tokens":2000,"thinking":` + thinking + `,"messages":[` + user + `,` + use + `,{"role":"user","content":[` + result + `]}]}`, 400, "Expected `thinking` or `redacted_thinking`, but found `tool_use`"},
		{"thinking tool loop with thinking", anPath, hAnthropic, `{"model":"m","max_tokens":2000,"thinking":` + thinking + `,"messages":[` + user + `,{"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"` + sig + `"},{"type":"tool_use","id":"toolu_1","name":"f","input":{}}]},{"role":"user","content":[` + result + `]}]}`, 200, ""},
	})
	r := do(t, s, "POST", anPath, `{}`, "x-api-key", "bad", "anthropic-version", "2023-06-01")
	if gjson.Get(r.body, "type").String() != "error" || gjson.Get(r.body, "error.type").String() != "authentication_error" || r.header.Get("request-id") == "" {
		t.Fatalf("401 body %s", r.body)
	}
}

func TestValidationGemini(t *testing.T) {
	s := fp.New(t)
	user := `{"role":"user","parts":[{"text":"hi"}]}`
	call := `{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]}`
	runValidation(t, s, []validationCase{
		{"ok", gePath, hGemini, `{"contents":[` + user + `]}`, 200, ""},
		{"key in query", gePath + "?key=AIza-q", nil, `{"contents":[` + user + `]}`, 200, ""},
		{"no key", gePath, nil, `{}`, 403, "unregistered callers"},
		{"bad key", gePath, []string{"x-goog-api-key", "wrong"}, `{}`, 400, "API key not valid"},
		{"malformed json", gePath, hGemini, `{`, 400, "Invalid JSON payload received"},
		{"unknown field", gePath, hGemini, `{"messages":[],"contents":[` + user + `]}`, 400, `Unknown name "messages"`},
		{"missing contents", gePath, hGemini, `{}`, 400, "contents is not specified"},
		{"bad role", gePath, hGemini, `{"contents":[{"role":"assistant","parts":[{"text":"x"}]}]}`, 400, "Please use a valid role: user, model."},
		{"part-less content", gePath, hGemini, `{"contents":[{"role":"user","parts":[]}]}`, 400, "contents.parts must not be empty"},
		{"empty part", gePath, hGemini, `{"contents":[{"role":"user","parts":[{}]}]}`, 400, "required oneof field 'data'"},
		{"response without name", gePath, hGemini, `{"contents":[` + user + `,` + call + `,{"role":"user","parts":[{"functionResponse":{"response":{}}}]}]}`, 400, "function_response.name: Name cannot be empty"},
		{"response count", gePath, hGemini, `{"contents":[` + user + `,` + call + `,{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}},{"functionResponse":{"name":"f","response":{}}}]}]}`, 400, "number of function response parts is equal to the number of function call parts"},
		{"response count ok", gePath, hGemini, `{"contents":[` + user + `,` + call + `,{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}`, 200, ""},
		{"both schemas", gePath, hGemini, `{"contents":[` + user + `],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT"},"parametersJsonSchema":{"type":"object"}}]}]}`, 400, "cannot both be set"},
		{"foreign signature", gePath, hGemini, `{"contents":[` + user + `,{"role":"model","parts":[{"text":"x","thoughtSignature":"` + fp.AntigravitySignature + `"}]},` + user + `]}`, 400, "Corrupted thought signature."},
		{"bypass signature", "/v1beta/models/gemini-3-pro:generateContent", hGemini, `{"contents":[` + user + `,{"role":"model","parts":[{"functionCall":{"name":"f","args":{}},"thoughtSignature":"skip_thought_signature_validator"}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}`, 200, ""},
		{"gemini 3 unsigned call", "/v1beta/models/gemini-3-pro:generateContent", hGemini, `{"contents":[` + user + `,` + call + `,{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]}]}`, 400, "missing a thought_signature"},
		{"gemini 3 unsigned call in old turn", "/v1beta/models/gemini-3-pro:generateContent", hGemini, `{"contents":[` + user + `,` + call + `,{"role":"user","parts":[{"functionResponse":{"name":"f","response":{}}}]},{"role":"model","parts":[{"text":"done"}]},` + user + `]}`, 200, ""},
		{"model not found", "/v1beta/models/gemini-notfound:generateContent", hGemini, `{"contents":[` + user + `]}`, 404, "is not found for API version v1beta"},
	})
	r := do(t, s, "POST", gePath, `{}`, "x-goog-api-key", "wrong")
	if gjson.Get(r.body, "error.status").String() != "INVALID_ARGUMENT" || gjson.Get(r.body, "error.details.0.reason").String() != "API_KEY_INVALID" {
		t.Fatalf("bad key body %s", r.body)
	}
}

func TestValidationAntigravity(t *testing.T) {
	s := fp.New(t)
	s.AddAccessToken("ya29.static")
	h := []string{"Authorization", "Bearer ya29.static"}
	req := `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
	runValidation(t, s, []validationCase{
		{"ok", agPath, h, `{"project":"` + fp.DefaultProject + `","model":"gemini-2.5-flash","request":` + req + `}`, 200, ""},
		{"bad token", agPath, []string{"Authorization", "Bearer ya29.unknown"}, `{}`, 401, "invalid authentication credentials"},
		{"missing project", agPath, h, `{"model":"gemini-2.5-flash","request":` + req + `}`, 400, "Request contains an invalid argument."},
		{"missing request", agPath, h, `{"project":"` + fp.DefaultProject + `","model":"gemini-2.5-flash"}`, 400, "Request contains an invalid argument."},
		{"other project", agPath, h, `{"project":"someone-else","model":"gemini-2.5-flash","request":` + req + `}`, 403, "Permission denied on resource project someone-else."},
		{"bad role", agPath, h, `{"project":"` + fp.DefaultProject + `","model":"m","request":{"contents":[{"role":"system","parts":[{"text":"x"}]}]}}`, 400, "valid role"},
		{"gemini signature", agPath, h, `{"project":"` + fp.DefaultProject + `","model":"m","request":{"contents":[{"role":"user","parts":[{"text":"x"}]},{"role":"model","parts":[{"text":"y","thoughtSignature":"` + fp.GeminiSignature + `"}]},{"role":"user","parts":[{"text":"x"}]}]}}`, 400, "Corrupted thought signature."},
	})
	r := do(t, s, "POST", agPath, `{}`, "Authorization", "Bearer ya29.unknown")
	if gjson.Get(r.body, "error.status").String() != "UNAUTHENTICATED" {
		t.Fatalf("401 body %s", r.body)
	}
}
