package transform

import (
	"strings"

	"github.com/tidwall/gjson"
)

// The non-conversation sections of an outgoing request: tools, toolConfig,
// generationConfig and the fields passed through from Gemini clients.

// schemaTarget picks how schemas are cleaned for this upstream and model.
func (e *gemRequestEncoder) schemaTarget() SchemaTarget {
	switch {
	case e.claude:
		return SchemaAntigravityClaude
	case e.format == Antigravity:
		return SchemaAntigravity
	}
	return SchemaGemini
}

// writeTools writes the function declarations (all in one tool object) and
// the Google built-in tools, then toolConfig.
func (e *gemRequestEncoder) writeTools(w *jsonWriter) {
	req := e.req
	builtins := e.builtinTools()
	if len(req.Tools) == 0 && len(builtins) == 0 {
		return
	}
	w.key("tools")
	w.arrOpen()
	if len(req.Tools) > 0 {
		w.objOpen()
		w.key("functionDeclarations")
		w.arrOpen()
		seen := make(map[string]bool, len(req.Tools))
		target := e.schemaTarget()
		for i := range req.Tools {
			t := &req.Tools[i]
			name := gemSanitizeName(t.Name)
			if seen[name] {
				continue // Gemini rejects duplicate declarations
			}
			seen[name] = true
			w.objOpen()
			w.fieldStr("name", name)
			if t.Description != "" {
				w.fieldStr("description", t.Description)
			}
			params := t.Parameters
			if len(params) == 0 && e.claude {
				params = []byte(`{"type":"object"}`)
			}
			if len(params) > 0 {
				if s, ok := cleanSchemaCached(params, target); ok {
					w.fieldRaw("parametersJsonSchema", s)
				}
			}
			w.objClose()
		}
		w.arrClose()
		w.objClose()
		e.hasDecls = true
	}
	for _, b := range builtins {
		w.raw(b)
	}
	w.arrClose()

	e.writeToolConfig(w)
}

// builtinTools returns the Google-hosted tool objects a Gemini client
// asked for (kept in Extra["tools"]); only tool kinds Gemini knows are
// copied. Claude behind Antigravity cannot run them.
func (e *gemRequestEncoder) builtinTools() [][]byte {
	raw, ok := e.req.Extra["tools"]
	if !ok || e.claude || !e.ownExtra() || !gjson.ValidBytes(raw) {
		return nil
	}
	var out [][]byte
	gjson.ParseBytes(raw).ForEach(func(_, t gjson.Result) bool {
		if !t.IsObject() {
			return true
		}
		good := true
		t.ForEach(func(k, _ gjson.Result) bool {
			good = gemBuiltinTools[k.Str]
			return good
		})
		if good {
			out = append(out, []byte(t.Raw))
		}
		return true
	})
	return out
}

// writeToolConfig maps the tool choice to functionCallingConfig.
func (e *gemRequestEncoder) writeToolConfig(w *jsonWriter) {
	tc := e.req.ToolChoice
	mode, allowed := "", ""
	if tc != nil {
		switch tc.Mode {
		case ToolChoiceAuto:
			mode = "AUTO"
		case ToolChoiceNone:
			mode = "NONE"
		case ToolChoiceRequired:
			mode = "ANY"
		case ToolChoiceTool:
			mode, allowed = "ANY", gemSanitizeName(tc.Name)
		}
	}
	if e.claude && e.hasDecls && (mode == "" || mode == "AUTO") {
		// What Antigravity clients send for Claude: calls are validated
		// against the (cleaned) schemas.
		mode = "VALIDATED"
	}
	var extra gjson.Result
	if raw, ok := e.req.Extra["toolConfig"]; ok && !e.claude && e.ownExtra() && gjson.ValidBytes(raw) {
		extra = gjson.ParseBytes(raw)
	}
	if (mode == "" || !e.hasDecls) && !extra.IsObject() {
		return
	}
	w.key("toolConfig")
	w.objOpen()
	if mode != "" && e.hasDecls {
		w.key("functionCallingConfig")
		w.objOpen()
		w.fieldStr("mode", mode)
		if allowed != "" {
			w.key("allowedFunctionNames")
			w.arrOpen()
			w.str(allowed)
			w.arrClose()
		}
		w.objClose()
	}
	extra.ForEach(func(k, v gjson.Result) bool {
		w.keyEsc(k.Str)
		w.rawStr(v.Raw)
		return true
	})
	w.objClose()
}

// writeGenerationConfig writes sampling, output, structured-output and
// thinking settings; Claude behind Antigravity gets only what it accepts.
func (e *gemRequestEncoder) writeGenerationConfig(w *jsonWriter) {
	req := e.req
	th := gemThinkingFor(req.Reasoning, e.model, e.claude)
	opened := false
	open := func() {
		if !opened {
			w.key("generationConfig")
			w.objOpen()
			opened = true
		}
	}
	claudeThinking := e.claude && th.set && th.budget > 0
	if req.Temperature != nil && !claudeThinking {
		t := *req.Temperature
		if e.claude && t > 1 {
			t = 1 // Claude's range is 0–1
		}
		open()
		w.key("temperature")
		w.float(t)
	}
	if req.TopP != nil {
		open()
		w.key("topP")
		w.float(*req.TopP)
	}
	if req.TopK != nil && !claudeThinking {
		open()
		w.fieldInt("topK", int64(*req.TopK))
	}
	if req.N != nil && *req.N > 0 && !e.claude {
		open()
		w.fieldInt("candidateCount", int64(*req.N))
	}
	if req.MaxTokens != nil {
		maxTok := *req.MaxTokens
		if claudeThinking && maxTok <= th.budget {
			// Claude counts thinking inside max_tokens and needs room
			// beyond the budget; the client's cap was meant for the answer.
			maxTok += th.budget
		}
		open()
		w.fieldInt("maxOutputTokens", int64(maxTok))
	}
	if len(req.Stop) > 0 {
		open()
		w.key("stopSequences")
		w.arrOpen()
		for i, s := range req.Stop {
			if i == 5 { // Gemini accepts at most five
				break
			}
			w.str(s)
		}
		w.arrClose()
	}
	if !e.claude {
		if req.PresencePenalty != nil {
			open()
			w.key("presencePenalty")
			w.float(*req.PresencePenalty)
		}
		if req.FrequencyPenalty != nil {
			open()
			w.key("frequencyPenalty")
			w.float(*req.FrequencyPenalty)
		}
		if req.Seed != nil {
			open()
			w.fieldInt("seed", *req.Seed)
		}
	}
	if rf := req.ResponseFormat; rf != nil && (rf.Type == "json_object" || rf.Type == "json_schema") {
		open()
		w.fieldStr("responseMimeType", "application/json")
		if rf.Type == "json_schema" && len(rf.Schema) > 0 {
			target := SchemaGemini
			if e.format == Antigravity {
				target = SchemaAntigravityResponse
			}
			if s, ok := cleanSchemaCached(rf.Schema, target); ok {
				w.fieldRaw("responseJsonSchema", s)
			}
		}
	}
	if th.set {
		open()
		w.key("thinkingConfig")
		w.objOpen()
		if th.include {
			w.fieldBool("includeThoughts", true)
		}
		if th.level != "" {
			w.fieldStr("thinkingLevel", th.level)
		} else if th.hasBudget {
			w.fieldInt("thinkingBudget", int64(th.budget))
		}
		w.objClose()
	}
	if raw, ok := req.Extra["generationConfig"]; ok && !e.claude && e.ownExtra() && gjson.ValidBytes(raw) {
		gjson.ParseBytes(raw).ForEach(func(k, v gjson.Result) bool {
			open()
			w.keyEsc(k.Str)
			w.rawStr(v.Raw)
			return true
		})
	}
	if opened {
		w.objClose()
	}
}

// gemPassthrough are the top-level fields of a Gemini client's request
// (kept in Extra) that are copied to a Gemini upstream. A whitelist even
// for Gemini clients: unknown keys would make Gemini answer 400.
var gemPassthrough = []string{"safetySettings", "cachedContent", "labels"}

// writeExtras writes the top-level fields that are neither conversation
// nor configuration.
func (e *gemRequestEncoder) writeExtras(w *jsonWriter) {
	req := e.req
	if e.format == Antigravity {
		// Antigravity rejects safetySettings; sessionId groups a
		// conversation's requests the way the Antigravity client does.
		if sid := agSessionID(req); sid != "" {
			w.fieldStr("sessionId", sid)
		}
		return
	}
	if !e.ownExtra() {
		return
	}
	for _, k := range gemPassthrough {
		raw, ok := req.Extra[k]
		if !ok {
			raw, ok = req.Extra[gemSnake(k)]
		}
		if ok && gjson.ValidBytes(raw) {
			w.fieldRaw(k, raw)
		}
	}
}

// gemSnake returns the snake_case spelling of a camelCase key.
func gemSnake(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
