package fakeprovider

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// responsesRequest is a validated Responses body.
type responsesRequest struct {
	root             gjson.Result
	conv             conversation
	stream           bool
	includeEncrypted bool
	obfuscate        bool // see chatRequest.obfuscate
}

// parseResponses validates a Responses body as OpenAI does.
func parseResponses(body []byte) (*responsesRequest, *apiError) {
	root, e := openAIRoot(body)
	if e != nil {
		return nil, e
	}
	if root.Get("model").String() == "" {
		return nil, &apiError{status: 400, msg: "Missing required parameter: 'model'.", param: "model", code: "missing_required_parameter"}
	}
	req := &responsesRequest{root: root, stream: root.Get("stream").Bool(),
		obfuscate: root.Get("stream_options.include_obfuscation").Type != gjson.False}
	req.conv.model = root.Get("model").String()
	root.Get("include").ForEach(func(_, v gjson.Result) bool {
		req.includeEncrypted = req.includeEncrypted || v.String() == "reasoning.encrypted_content"
		return true
	})
	in := root.Get("input")
	switch {
	case !in.Exists():
		return nil, &apiError{status: 400, msg: "Missing required parameter: 'input'.", param: "input", code: "missing_required_parameter"}
	case in.Type == gjson.String:
		req.conv.lastUserText = in.String()
	case in.IsArray():
		chained := root.Get("previous_response_id").String() != ""
		if e := checkResponsesInput(in.Array(), chained, &req.conv); e != nil {
			return nil, e
		}
	default:
		return nil, &apiError{status: 400, msg: fmt.Sprintf("Invalid type for 'input': expected one of a string or array of input items, but got %s instead.", jsonKind(in)), param: "input", code: "invalid_type"}
	}
	var err *apiError
	root.Get("tools").ForEach(func(k, t gjson.Result) bool {
		if t.Get("type").String() != "function" {
			return true
		}
		if !t.Get("name").Exists() {
			p := fmt.Sprintf("tools[%d].name", k.Int())
			err = &apiError{status: 400, msg: fmt.Sprintf("Missing required parameter: '%s'.", p), param: p, code: "missing_required_parameter"}
			return false
		}
		req.conv.tools = append(req.conv.tools, toolDecl{name: t.Get("name").String(), schema: t.Get("parameters")})
		return true
	})
	if err != nil {
		return nil, err
	}
	tc := root.Get("tool_choice")
	switch {
	case tc.Type == gjson.String && tc.String() == "none":
		req.conv.choice.none = true
	case tc.IsObject():
		req.conv.choice.name = tc.Get("name").String()
	}
	return req, nil
}

var responsesRoles = map[string]bool{"user": true, "assistant": true, "system": true, "developer": true}

// checkResponsesInput enforces call/output pairing and reads the
// conversation out of the input items. A chained request (with
// previous_response_id) may answer calls made in the previous response.
func checkResponsesInput(items []gjson.Result, chained bool, c *conversation) *apiError {
	calls := map[string]bool{}
	outputs := map[string]bool{}
	var callOrder []string
	for i, it := range items {
		typ := it.Get("type").String()
		if typ == "" && it.Get("role").Exists() {
			typ = "message"
		}
		switch typ {
		case "message":
			role := it.Get("role").String()
			if !responsesRoles[role] {
				return &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'assistant', 'system', 'developer', and 'user'.", role), param: fmt.Sprintf("input[%d].role", i), code: "invalid_value"}
			}
			if role == "user" {
				c.lastUserText, c.images = responsesContent(it.Get("content"))
			}
		case "function_call":
			args := it.Get("arguments")
			if args.Exists() && args.Type != gjson.String {
				p := fmt.Sprintf("input[%d].arguments", i)
				return &apiError{status: 400, msg: fmt.Sprintf("Invalid type for '%s': expected a string, but got %s instead.", p, jsonKind(args)), param: p, code: "invalid_type"}
			}
			id := it.Get("call_id").String()
			calls[id] = true
			callOrder = append(callOrder, id)
		case "function_call_output":
			outputs[it.Get("call_id").String()] = true
		case "reasoning":
			if ec := it.Get("encrypted_content"); ec.Exists() && ec.String() != EncryptedReasoning {
				return &apiError{status: 400, msg: fmt.Sprintf("The encrypted content for item %s could not be verified.", it.Get("id").String()), code: "invalid_encrypted_content"}
			}
		}
	}
	for i, it := range items {
		if it.Get("type").String() == "function_call_output" && !calls[it.Get("call_id").String()] && !chained {
			return &apiError{status: 400, msg: fmt.Sprintf("No tool call found for function call output with call_id %s.", it.Get("call_id").String()), param: fmt.Sprintf("input[%d]", i)}
		}
	}
	for _, id := range callOrder {
		if !outputs[id] {
			return &apiError{status: 400, msg: fmt.Sprintf("No tool output found for function call %s.", id), param: "input"}
		}
	}
	for i := len(items) - 1; i >= 0 && items[i].Get("type").String() == "function_call_output"; i-- {
		out := items[i].Get("output")
		text := out.String()
		if out.IsArray() {
			text, _ = responsesContent(out)
		}
		c.toolResults = append([]string{text}, c.toolResults...)
		c.hasToolResults = true
	}
	return nil
}

// responsesContent joins the text of message content and lists its images.
func responsesContent(c gjson.Result) (string, []image) {
	if c.Type == gjson.String {
		return c.String(), nil
	}
	var texts []string
	var imgs []image
	c.ForEach(func(_, p gjson.Result) bool {
		switch p.Get("type").String() {
		case "input_text", "output_text", "text":
			texts = append(texts, p.Get("text").String())
		case "input_image":
			imgs = append(imgs, dataURLImage(p.Get("image_url").String()))
		}
		return true
	})
	return strings.Join(texts, " "), imgs
}
