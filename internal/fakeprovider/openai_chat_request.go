package fakeprovider

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// OpenAI's message for a body that is not JSON.
const openAIBadJSON = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)"

// chatRequest is what the Chat handler needs beyond the conversation.
type chatRequest struct {
	conv         conversation
	stream       bool
	includeUsage bool
	// obfuscate adds the "obfuscation" padding field OpenAI puts on stream
	// chunks unless stream_options.include_obfuscation is false.
	obfuscate bool
}

// parseChat validates a Chat Completions body as OpenAI does.
func parseChat(body []byte) (*chatRequest, *apiError) {
	root, e := openAIRoot(body)
	if e != nil {
		return nil, e
	}
	if root.Get("model").String() == "" {
		return nil, &apiError{status: 400, msg: "you must provide a model parameter"}
	}
	req := &chatRequest{
		stream:       root.Get("stream").Bool(),
		includeUsage: root.Get("stream_options.include_usage").Bool(),
		obfuscate:    root.Get("stream_options.include_obfuscation").Type != gjson.False,
	}
	req.conv.model = root.Get("model").String()
	msgs := root.Get("messages")
	switch {
	case !msgs.Exists():
		return nil, &apiError{status: 400, msg: "Missing required parameter: 'messages'.", param: "messages", code: "missing_required_parameter"}
	case !msgs.IsArray():
		return nil, &apiError{status: 400, msg: fmt.Sprintf("Invalid type for 'messages': expected an array of objects, but got %s instead.", jsonKind(msgs)), param: "messages", code: "invalid_type"}
	case len(msgs.Array()) == 0:
		return nil, &apiError{status: 400, msg: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: "messages", code: "empty_array"}
	}
	if e := checkChatMessages(msgs.Array(), &req.conv); e != nil {
		return nil, e
	}
	if e := chatTools(root, &req.conv); e != nil {
		return nil, e
	}
	return req, nil
}

// openAIRoot parses the body and insists on a JSON object.
func openAIRoot(body []byte) (gjson.Result, *apiError) {
	if !gjson.ValidBytes(body) {
		return gjson.Result{}, &apiError{status: 400, msg: openAIBadJSON}
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return gjson.Result{}, &apiError{status: 400, msg: fmt.Sprintf("Invalid type for root: expected an object, but got %s instead.", jsonKind(root)), code: "invalid_type"}
	}
	return root, nil
}

// jsonKind names a JSON value's type the way OpenAI's messages do.
func jsonKind(r gjson.Result) string {
	switch {
	case r.IsArray():
		return "an array"
	case r.IsObject():
		return "an object"
	case r.Type == gjson.String:
		return "a string"
	case r.Type == gjson.Number:
		return "a number"
	case r.Type == gjson.True || r.Type == gjson.False:
		return "a boolean"
	}
	return "null"
}

var chatRoles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true}

// checkChatMessages enforces role and tool-call pairing rules and fills in
// the conversation.
func checkChatMessages(msgs []gjson.Result, c *conversation) *apiError {
	var pending []string // tool_call_ids of the open assistant turn not yet answered
	var calls []string   // every id of that turn
	openAt, lastAssistantWithCalls := -1, false
	for i, m := range msgs {
		role := m.Get("role")
		if !role.Exists() {
			return &apiError{status: 400, msg: fmt.Sprintf("Missing required parameter: 'messages[%d].role'.", i), param: fmt.Sprintf("messages[%d].role", i), code: "missing_required_parameter"}
		}
		if !chatRoles[role.String()] {
			return &apiError{status: 400, msg: fmt.Sprintf("Invalid value: '%s'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", role.String()), param: fmt.Sprintf("messages[%d].role", i), code: "invalid_value"}
		}
		r := role.String()
		if r != "tool" && len(pending) > 0 {
			return unansweredCalls(openAt, pending)
		}
		switch r {
		case "tool":
			if !lastAssistantWithCalls {
				return &apiError{status: 400, msg: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: fmt.Sprintf("messages.[%d].role", i)}
			}
			id := m.Get("tool_call_id")
			if !id.Exists() {
				return &apiError{status: 400, msg: fmt.Sprintf("Missing required parameter: 'messages[%d].tool_call_id'.", i), param: fmt.Sprintf("messages[%d].tool_call_id", i), code: "missing_required_parameter"}
			}
			if !contains(calls, id.String()) {
				return &apiError{status: 400, msg: fmt.Sprintf("Invalid parameter: 'tool_call_id' of '%s' not found in 'tool_calls' of previous message.", id.String()), param: fmt.Sprintf("messages.[%d].tool_call_id", i)}
			}
			pending = remove(pending, id.String())
		case "assistant":
			lastAssistantWithCalls = false
			tcs := m.Get("tool_calls")
			if tcs.IsArray() && len(tcs.Array()) > 0 {
				pending, calls, openAt = nil, nil, i
				for j, tc := range tcs.Array() {
					args := tc.Get("function.arguments")
					if args.Exists() && args.Type != gjson.String {
						p := fmt.Sprintf("messages[%d].tool_calls[%d].function.arguments", i, j)
						return &apiError{status: 400, msg: fmt.Sprintf("Invalid type for '%s': expected a string, but got %s instead.", p, jsonKind(args)), param: p, code: "invalid_type"}
					}
					pending = append(pending, tc.Get("id").String())
					calls = append(calls, tc.Get("id").String())
				}
				lastAssistantWithCalls = true
			}
		default:
			lastAssistantWithCalls = false
			if r == "user" {
				c.lastUserText, c.images = chatContent(m.Get("content"))
			}
		}
	}
	if len(pending) > 0 {
		return unansweredCalls(openAt, pending)
	}
	// The turn carries tool results when the conversation ends with tool
	// messages.
	for i := len(msgs) - 1; i >= 0 && msgs[i].Get("role").String() == "tool"; i-- {
		text, _ := chatContent(msgs[i].Get("content"))
		c.toolResults = append([]string{text}, c.toolResults...)
		c.hasToolResults = true
	}
	return nil
}

func unansweredCalls(at int, ids []string) *apiError {
	return &apiError{status: 400, msg: "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: " + strings.Join(ids, ", "), param: fmt.Sprintf("messages.[%d].role", at)}
}

// chatContent joins the text of a string-or-parts content and lists its images.
func chatContent(c gjson.Result) (string, []image) {
	if c.Type == gjson.String {
		return c.String(), nil
	}
	var texts []string
	var imgs []image
	c.ForEach(func(_, p gjson.Result) bool {
		switch p.Get("type").String() {
		case "text":
			texts = append(texts, p.Get("text").String())
		case "image_url":
			imgs = append(imgs, dataURLImage(p.Get("image_url.url").String()))
		}
		return true
	})
	return strings.Join(texts, " "), imgs
}

// chatTools reads tools and tool_choice.
func chatTools(root gjson.Result, c *conversation) *apiError {
	var err *apiError
	root.Get("tools").ForEach(func(k, t gjson.Result) bool {
		name := t.Get("function.name")
		if !name.Exists() {
			p := fmt.Sprintf("tools[%d].function.name", k.Int())
			err = &apiError{status: 400, msg: fmt.Sprintf("Missing required parameter: '%s'.", p), param: p, code: "missing_required_parameter"}
			return false
		}
		c.tools = append(c.tools, toolDecl{name: name.String(), schema: t.Get("function.parameters")})
		return true
	})
	if err != nil {
		return err
	}
	tc := root.Get("tool_choice")
	switch {
	case tc.Type == gjson.String && tc.String() == "none":
		c.choice.none = true
	case tc.IsObject():
		c.choice.name = tc.Get("function.name").String()
		if c.choice.name == "" {
			c.choice.name = tc.Get("name").String()
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func remove(list []string, s string) []string {
	for i, v := range list {
		if v == s {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}
