package transform

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Decoding of the non-conversation sections of a Gemini request:
// systemInstruction, tools, toolConfig and generationConfig.

// systemInstruction collects the system text parts.
func (d *gemRequestDecoder) systemInstruction(v gjson.Result) {
	if v.Type == gjson.String { // lenient: some clients send a bare string
		if s := v.Str; s != "" {
			d.req.System = append(d.req.System, Part{Type: PartText, Text: s})
		}
		return
	}
	if !v.IsObject() {
		d.err = gemBadRequest("systemInstruction", "must be a content object with parts")
		return
	}
	i := 0
	gemGet(v, "parts", "").ForEach(func(_, pv gjson.Result) bool {
		t := pv.Get("text")
		if !t.Exists() {
			d.err = gemBadRequest("systemInstruction.parts["+strconv.Itoa(i)+"]", "only text parts are supported in a system instruction")
			return false
		}
		if s := t.String(); s != "" {
			d.req.System = append(d.req.System, Part{Type: PartText, Text: s})
		}
		i++
		return true
	})
}

// gemBuiltinTools are the Tool fields other than function declarations:
// Google-hosted tools with no equivalent elsewhere. They are kept in
// Extra["tools"] for Gemini-family upstreams and dropped for others.
var gemBuiltinTools = map[string]bool{
	"googleSearch": true, "google_search": true, "googleSearchRetrieval": true, "google_search_retrieval": true,
	"codeExecution": true, "code_execution": true, "urlContext": true, "url_context": true,
	"googleMaps": true, "google_maps": true, "fileSearch": true, "file_search": true,
	"computerUse": true, "computer_use": true, "enterpriseWebSearch": true, "enterprise_web_search": true,
	"retrieval": true,
}

// tools reads the function declarations; Google built-in tools are kept
// in Extra["tools"].
func (d *gemRequestDecoder) tools(v gjson.Result) {
	if !v.IsArray() {
		d.err = gemBadRequest("tools", "must be an array")
		return
	}
	var builtins []byte
	i := 0
	v.ForEach(func(_, t gjson.Result) bool {
		path := "tools[" + strconv.Itoa(i) + "]"
		i++
		if !t.IsObject() {
			d.err = gemBadRequest(path, "must be an object")
			return false
		}
		var rest jsonWriter
		t.ForEach(func(k, val gjson.Result) bool {
			switch {
			case k.Str == "functionDeclarations" || k.Str == "function_declarations":
				d.functionDeclarations(val, path+".functionDeclarations")
			case gemBuiltinTools[k.Str]:
				if len(rest.b) == 0 {
					rest.objOpen()
				}
				rest.keyEsc(k.Str)
				rest.rawStr(val.Raw)
			}
			return d.err == nil
		})
		if len(rest.b) > 0 {
			rest.objClose()
			if builtins == nil {
				builtins = append(builtins, '[')
			} else {
				builtins = append(builtins, ',')
			}
			builtins = append(builtins, rest.b...)
		}
		return d.err == nil
	})
	if builtins != nil {
		d.extra("tools", string(append(builtins, ']')))
	}
}

// functionDeclarations reads one declaration list; an OpenAPI-style
// "parameters" schema is converted to JSON Schema.
func (d *gemRequestDecoder) functionDeclarations(v gjson.Result, path string) {
	i := 0
	v.ForEach(func(_, fd gjson.Result) bool {
		p := path + "[" + strconv.Itoa(i) + "]"
		i++
		var t Tool
		var params, jsonSchema gjson.Result
		fd.ForEach(func(k, val gjson.Result) bool {
			switch k.Str {
			case "name":
				t.Name = val.String()
			case "description":
				t.Description = val.String()
			case "parameters":
				params = val
			case "parametersJsonSchema", "parameters_json_schema":
				jsonSchema = val
			}
			return true
		})
		if t.Name == "" {
			d.err = gemBadRequest(p+".name", "required")
			return false
		}
		switch {
		case jsonSchema.IsObject():
			t.Parameters = json.RawMessage(jsonSchema.Raw)
		case params.IsObject():
			t.Parameters = SchemaFromOpenAPI(json.RawMessage(params.Raw))
		}
		d.req.Tools = append(d.req.Tools, t)
		return true
	})
}

// toolConfig maps functionCallingConfig to the tool choice; other keys
// are kept in Extra["toolConfig"].
func (d *gemRequestDecoder) toolConfig(v gjson.Result) {
	var rest jsonWriter
	v.ForEach(func(k, val gjson.Result) bool {
		if k.Str != "functionCallingConfig" && k.Str != "function_calling_config" {
			if len(rest.b) == 0 {
				rest.objOpen()
			}
			rest.keyEsc(k.Str)
			rest.rawStr(val.Raw)
			return true
		}
		mode := strings.ToUpper(val.Get("mode").String())
		var allowed []string
		gemGet(val, "allowedFunctionNames", "allowed_function_names").ForEach(func(_, n gjson.Result) bool {
			allowed = append(allowed, n.String())
			return true
		})
		switch mode {
		case "NONE":
			d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceNone}
		case "ANY":
			if len(allowed) == 1 {
				d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceTool, Name: allowed[0]}
			} else {
				d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceRequired}
			}
		case "AUTO", "VALIDATED":
			d.req.ToolChoice = &ToolChoice{Mode: ToolChoiceAuto}
		}
		return true
	})
	if len(rest.b) > 0 {
		rest.objClose()
		d.extra("toolConfig", string(rest.b))
	}
}

// generationConfig reads sampling and output settings; unknown keys are
// kept in Extra["generationConfig"].
func (d *gemRequestDecoder) generationConfig(v gjson.Result) {
	req := d.req
	var rest jsonWriter
	var mime string
	var schema json.RawMessage
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "maxOutputTokens", "max_output_tokens":
			n := int(val.Int())
			req.MaxTokens = &n
		case "temperature":
			f := val.Float()
			req.Temperature = &f
		case "topP", "top_p":
			f := val.Float()
			req.TopP = &f
		case "topK", "top_k":
			n := int(val.Float())
			req.TopK = &n
		case "stopSequences", "stop_sequences":
			val.ForEach(func(_, s gjson.Result) bool {
				req.Stop = append(req.Stop, s.String())
				return true
			})
		case "candidateCount", "candidate_count":
			n := int(val.Int())
			req.N = &n
		case "seed":
			n := val.Int()
			req.Seed = &n
		case "presencePenalty", "presence_penalty":
			f := val.Float()
			req.PresencePenalty = &f
		case "frequencyPenalty", "frequency_penalty":
			f := val.Float()
			req.FrequencyPenalty = &f
		case "responseMimeType", "response_mime_type":
			mime = val.String()
		case "responseJsonSchema", "response_json_schema", "_responseJsonSchema":
			if val.IsObject() {
				schema = json.RawMessage(val.Raw)
			}
		case "responseSchema", "response_schema":
			if val.IsObject() && schema == nil {
				schema = SchemaFromOpenAPI(json.RawMessage(val.Raw))
			}
		case "thinkingConfig", "thinking_config":
			d.thinkingConfig(val)
		default:
			if len(rest.b) == 0 {
				rest.objOpen()
			}
			rest.keyEsc(k.Str)
			rest.rawStr(val.Raw)
		}
		return true
	})
	switch {
	case schema != nil && (mime == "" || mime == "application/json" || mime == "text/x.enum"):
		req.ResponseFormat = &ResponseFormat{Type: "json_schema", Schema: schema}
	case mime == "application/json":
		req.ResponseFormat = &ResponseFormat{Type: "json_object"}
	}
	if len(rest.b) > 0 {
		rest.objClose()
		d.extra("generationConfig", string(rest.b))
	}
}

// thinkingConfig reads the reasoning request.
func (d *gemRequestDecoder) thinkingConfig(v gjson.Result) {
	r := &Reasoning{}
	v.ForEach(func(k, val gjson.Result) bool {
		switch k.Str {
		case "thinkingBudget", "thinking_budget":
			n := int(val.Int())
			r.BudgetTokens = &n
			r.Disabled = n == 0
		case "thinkingLevel", "thinking_level":
			lvl := strings.ToLower(val.String())
			if lvl != "thinking_level_unspecified" {
				r.Effort = lvl
			}
		case "includeThoughts", "include_thoughts":
			r.IncludeThoughts = val.Bool()
		}
		return true
	})
	d.req.Reasoning = r
}
