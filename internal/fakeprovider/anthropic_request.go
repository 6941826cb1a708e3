package fakeprovider

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"
)

// AnthropicSignature returns the signature the fake mints for a thinking
// block with this text. The fake accepts a thinking block back only with
// exactly this signature, so a signature from another provider, or thinking
// text that was altered, is rejected like the real API does.
func AnthropicSignature(thinking string) string {
	h := sha256.Sum256([]byte("fakeprovider/anthropic\x00" + thinking))
	return "EqQB" + base64.RawStdEncoding.EncodeToString(h[:24]) + "fake"
}

// anthropicRequest is a validated Messages body.
type anthropicRequest struct {
	conv   conversation
	stream bool
}

var toolUseID = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// Anthropic's message when thinking is on and the last assistant turn of a
// tool loop does not start with its thinking.
const anthropicExpectedThinking = "Expected `thinking` or `redacted_thinking`, but found `%s`. When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"

// parseMessages validates a Messages body as Anthropic does for API
// version version. count is set for count_tokens, which takes no max_tokens.
func parseMessages(body []byte, version string, count bool) (*anthropicRequest, *apiError) {
	if !gjson.ValidBytes(body) {
		return nil, badRequest("There was an issue with the formatting of your request body: it is not valid JSON.")
	}
	root := gjson.ParseBytes(body)
	if !root.IsObject() {
		return nil, badRequest("Input should be a valid dictionary")
	}
	if root.Get("model").String() == "" {
		return nil, badRequest("model: Field required")
	}
	maxTokens := root.Get("max_tokens")
	if !count && !maxTokens.Exists() {
		return nil, badRequest("max_tokens: Field required")
	}
	if version == "2026-10-21" {
		// That version removed the sampling parameters from the request.
		for _, k := range []string{"temperature", "top_p", "top_k"} {
			if root.Get(k).Exists() {
				return nil, badRequest("%s: Extra inputs are not permitted", k)
			}
		}
	}
	req := &anthropicRequest{stream: root.Get("stream").Bool()}
	req.conv.model = root.Get("model").String()

	thinking := root.Get("thinking")
	thinkingOn := false
	switch thinking.Get("type").String() {
	case "enabled":
		thinkingOn = true
		budget := thinking.Get("budget_tokens")
		if !budget.Exists() {
			return nil, badRequest("thinking.enabled.budget_tokens: Field required")
		}
		if budget.Int() < 1024 {
			return nil, badRequest("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
		}
		if !count && budget.Int() >= maxTokens.Int() {
			return nil, badRequest("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size")
		}
	case "adaptive":
		thinkingOn = true
	}
	tc := root.Get("tool_choice")
	switch tc.Get("type").String() {
	case "any", "tool":
		if thinkingOn {
			return nil, badRequest("Thinking may not be enabled when tool_choice forces tool use.")
		}
		req.conv.choice.name = tc.Get("name").String()
	case "none":
		req.conv.choice.none = true
	}

	msgs := root.Get("messages")
	if !msgs.Exists() {
		return nil, badRequest("messages: Field required")
	}
	if !msgs.IsArray() {
		return nil, badRequest("messages: Input should be a valid list")
	}
	if len(msgs.Array()) == 0 {
		return nil, badRequest("messages: List should have at least 1 item after validation, not 0")
	}
	if e := checkAnthropicMessages(msgs.Array(), version, thinkingOn, &req.conv); e != nil {
		return nil, e
	}

	var err *apiError
	root.Get("tools").ForEach(func(k, t gjson.Result) bool {
		if typ := t.Get("type").String(); typ != "" && typ != "custom" {
			return true // server tools (web search etc.)
		}
		if !t.Get("name").Exists() {
			err = badRequest("tools.%d.custom.name: Field required", k.Int())
			return false
		}
		if !t.Get("input_schema").Exists() {
			err = badRequest("tools.%d.custom.input_schema: Field required", k.Int())
			return false
		}
		req.conv.tools = append(req.conv.tools, toolDecl{name: t.Get("name").String(), schema: t.Get("input_schema")})
		return true
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// blocks returns a message's content as blocks; a string is one text block.
func blocks(content gjson.Result) []gjson.Result {
	if content.Type == gjson.String {
		return []gjson.Result{gjson.Parse(string(obj("type", "text", "text", content.String())))}
	}
	return content.Array()
}

func checkAnthropicMessages(msgs []gjson.Result, version string, thinkingOn bool, c *conversation) *apiError {
	roles := "'user' or 'assistant'"
	if version == "2026-10-21" {
		roles = "'user', 'assistant' or 'system'"
	}
	var prevToolUse []string // tool_use ids of the previous assistant message
	last := len(msgs) - 1
	for i, m := range msgs {
		role := m.Get("role").String()
		switch {
		case !m.Get("role").Exists():
			return badRequest("messages.%d.role: Field required", i)
		case role == "user" || role == "assistant":
		case role == "system" && version == "2026-10-21":
		default:
			return badRequest("messages.%d.role: Input should be %s", i, roles)
		}
		content := m.Get("content")
		if !content.Exists() {
			return badRequest("messages.%d.content: Field required", i)
		}
		bs := blocks(content)
		if content.Type == gjson.String && content.String() == "" {
			bs = nil
		}
		if len(bs) == 0 {
			if i != last || role != "assistant" {
				return badRequest("messages.%d: all messages must have non-empty content except for the optional final assistant message", i)
			}
		}
		var toolUses, results []string
		seenOther := false
		var texts []string
		var imgs []image
		for j, b := range bs {
			switch typ := b.Get("type").String(); typ {
			case "text":
				if b.Get("text").String() == "" {
					return badRequest("messages.%d.content.%d: text content blocks must be non-empty", i, j)
				}
				texts = append(texts, b.Get("text").String())
			case "image":
				imgs = append(imgs, anthropicImage(b.Get("source")))
			case "tool_use":
				if role != "assistant" {
					return badRequest("messages.%d.content.%d: tool_use blocks can only be in assistant messages", i, j)
				}
				if id := b.Get("id").String(); !toolUseID.MatchString(id) {
					return badRequest("messages.%d.content.%d.id: String should match pattern '^[a-zA-Z0-9_-]+$'", i, j)
				}
				toolUses = append(toolUses, b.Get("id").String())
			case "tool_result":
				id := b.Get("tool_use_id").String()
				if !contains(prevToolUse, id) {
					return badRequest("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` blocks: %s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.", i, j, id)
				}
				if seenOther {
					return badRequest("messages.%d.content.%d: tool_result blocks must come first in the user message, before any other content", i, j)
				}
				results = append(results, id)
			case "thinking":
				sig := b.Get("signature")
				if !sig.Exists() {
					return badRequest("messages.%d.content.%d.thinking.signature: Field required", i, j)
				}
				if sig.String() != AnthropicSignature(b.Get("thinking").String()) {
					return badRequest("messages.%d.content.%d: Invalid `signature` in `thinking` block", i, j)
				}
			case "redacted_thinking":
				// The fake never mints redacted thinking, so none is valid.
				return badRequest("messages.%d.content.%d: Invalid `data` in `redacted_thinking` block", i, j)
			}
			if b.Get("type").String() != "tool_result" {
				seenOther = true
			}
		}
		if len(prevToolUse) > 0 {
			var missing []string
			for _, id := range prevToolUse {
				if !contains(results, id) {
					missing = append(missing, id)
				}
			}
			if role != "user" || len(missing) > 0 {
				return badRequest("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.", i, strings.Join(missing, ", "))
			}
		}
		if role == "assistant" && thinkingOn && len(toolUses) > 0 && i == last-1 && anthropicEndsWithResults(msgs[last]) {
			if t := bs[0].Get("type").String(); t != "thinking" && t != "redacted_thinking" {
				return badRequest("messages.%d.content.0.type: "+anthropicExpectedThinking, i, t)
			}
		}
		prevToolUse = toolUses
		if role == "user" {
			c.lastUserText = strings.Join(texts, " ")
			c.images = append(c.images, imgs...)
			if i == last && len(results) > 0 {
				c.hasToolResults = true
				for _, b := range bs {
					if b.Get("type").String() == "tool_result" {
						c.toolResults = append(c.toolResults, anthropicResultText(b.Get("content")))
					}
				}
			}
		}
	}
	return nil
}

func anthropicEndsWithResults(m gjson.Result) bool {
	bs := blocks(m.Get("content"))
	return m.Get("role").String() == "user" && len(bs) > 0 && bs[0].Get("type").String() == "tool_result"
}

func anthropicImage(src gjson.Result) image {
	if src.Get("type").String() == "base64" {
		return image{mime: src.Get("media_type").String(), size: b64Size(src.Get("data").String())}
	}
	return dataURLImage(src.Get("url").String())
}

func anthropicResultText(c gjson.Result) string {
	if c.Type == gjson.String || !c.Exists() {
		return c.String()
	}
	var texts []string
	c.ForEach(func(_, b gjson.Result) bool {
		if b.Get("type").String() == "text" {
			texts = append(texts, b.Get("text").String())
		}
		return true
	})
	return strings.Join(texts, " ")
}
