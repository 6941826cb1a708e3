package fakeprovider

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
)

// geminiRequest is a validated GenerateContentRequest.
type geminiRequest struct {
	conv conversation
}

// geminiFields are the GenerateContentRequest fields Google accepts, in both
// proto-JSON spellings; anything else is an unknown-name error.
var geminiFields = map[string]bool{
	"contents": true, "tools": true, "toolConfig": true, "tool_config": true,
	"safetySettings": true, "safety_settings": true, "systemInstruction": true,
	"system_instruction": true, "generationConfig": true, "generation_config": true,
	"cachedContent": true, "cached_content": true, "model": true, "labels": true,
}

// googleBadJSON is Google's answer to a body that is not JSON.
func googleBadJSON() *apiError {
	return badRequest("Invalid JSON payload received. Unexpected token.")
}

// field reads a proto-JSON field by its camelCase or snake_case name.
func field(r gjson.Result, camel, snake string) gjson.Result {
	if v := r.Get(camel); v.Exists() {
		return v
	}
	return r.Get(snake)
}

// parseGemini validates a GenerateContentRequest as Google does. f is
// Gemini or Antigravity (which wraps the same request and mints its own
// signatures); strictFields rejects unknown top-level fields.
func parseGemini(root gjson.Result, f Format, model string, strictFields bool) (*geminiRequest, *apiError) {
	if !root.IsObject() {
		return nil, badRequest("Invalid JSON payload received. Expected an object.")
	}
	if strictFields {
		var unknown string
		root.ForEach(func(k, _ gjson.Result) bool {
			if !geminiFields[k.String()] {
				unknown = k.String()
				return false
			}
			return true
		})
		if unknown != "" {
			return nil, badRequest("Invalid JSON payload received. Unknown name %q: Cannot find field.", unknown)
		}
	}
	req := &geminiRequest{}
	req.conv.model = model
	contents := root.Get("contents")
	if !contents.IsArray() || len(contents.Array()) == 0 {
		return nil, badRequest("* GenerateContentRequest.contents: contents is not specified\n")
	}
	if e := checkGeminiContents(contents.Array(), f, model, &req.conv); e != nil {
		return nil, e
	}
	for i, t := range root.Get("tools").Array() {
		for j, d := range field(t, "functionDeclarations", "function_declarations").Array() {
			if d.Get("name").String() == "" {
				return nil, badRequest("* GenerateContentRequest.tools[%d].function_declarations[%d].name: Name cannot be empty.\n", i, j)
			}
			js, ps := field(d, "parametersJsonSchema", "parameters_json_schema"), d.Get("parameters")
			if js.Exists() && ps.Exists() {
				return nil, badRequest("* GenerateContentRequest.tools[%d].function_declarations[%d].parameters_json_schema: parameters_json_schema and parameters cannot both be set.\n", i, j)
			}
			schema := js
			if !schema.Exists() {
				schema = ps
			}
			req.conv.tools = append(req.conv.tools, toolDecl{name: d.Get("name").String(), schema: schema})
		}
	}
	fc := field(field(root, "toolConfig", "tool_config"), "functionCallingConfig", "function_calling_config")
	switch strings.ToUpper(fc.Get("mode").String()) {
	case "NONE":
		req.conv.choice.none = true
	case "ANY", "VALIDATED":
		if names := field(fc, "allowedFunctionNames", "allowed_function_names").Array(); len(names) == 1 {
			req.conv.choice.name = names[0].String()
		}
	}
	return req, nil
}

// validSignature reports whether the fake minted sig for format f, or sig
// is one of Google's documented bypass values.
func validSignature(f Format, sig string) bool {
	switch sig {
	case BypassSignature, BypassSignatureAlt:
		return true
	case GeminiSignature:
		return f == Gemini
	case AntigravitySignature:
		return f == Antigravity
	}
	return false
}

func signatureFor(f Format) string {
	if f == Antigravity {
		return AntigravitySignature
	}
	return GeminiSignature
}

// needsSignatures reports whether model is a Gemini 3 model, which rejects
// current-turn function calls without a thought signature.
func needsSignatures(model string) bool {
	return strings.Contains(strings.ToLower(model), "gemini-3")
}

func checkGeminiContents(contents []gjson.Result, f Format, model string, c *conversation) *apiError {
	turnStart := currentTurnStart(contents)
	prevCalls := 0
	for i, ct := range contents {
		role := ct.Get("role").String()
		if role != "" && role != "user" && role != "model" {
			return badRequest("Please use a valid role: user, model.")
		}
		parts := ct.Get("parts").Array()
		if len(parts) == 0 {
			return badRequest("* GenerateContentRequest.contents[%d].parts: contents.parts must not be empty.\n", i)
		}
		calls, responses, ordinary := 0, 0, false
		firstCallSigned, firstCallName, firstCallPos := false, "", -1
		var texts, results []string
		for j, p := range parts {
			if sig := field(p, "thoughtSignature", "thought_signature"); sig.Exists() && !validSignature(f, sig.String()) {
				return badRequest("Corrupted thought signature.")
			}
			switch {
			case p.Get("text").Exists():
				ordinary = true
				if !p.Get("thought").Bool() {
					texts = append(texts, p.Get("text").String())
				}
			case field(p, "inlineData", "inline_data").Exists():
				ordinary = true
				d := field(p, "inlineData", "inline_data")
				if mt := field(d, "mimeType", "mime_type").String(); isImageMIME(mt) {
					c.images = append(c.images, image{mime: mt, size: b64Size(d.Get("data").String())})
				}
			case field(p, "fileData", "file_data").Exists():
				ordinary = true
				d := field(p, "fileData", "file_data")
				if mt := field(d, "mimeType", "mime_type").String(); isImageMIME(mt) {
					c.images = append(c.images, image{mime: mt})
				}
			case field(p, "functionCall", "function_call").Exists():
				if calls == 0 {
					firstCallPos = j
					firstCallName = field(p, "functionCall", "function_call").Get("name").String()
					firstCallSigned = field(p, "thoughtSignature", "thought_signature").Exists()
				}
				calls++
			case field(p, "functionResponse", "function_response").Exists():
				fr := field(p, "functionResponse", "function_response")
				if fr.Get("name").String() == "" {
					return badRequest("* GenerateContentRequest.contents[%d].parts[%d].function_response.name: Name cannot be empty.\n", i, j)
				}
				responses++
				results = append(results, compactJSON(fr.Get("response").Raw))
			case p.Get("executableCode").Exists() || p.Get("codeExecutionResult").Exists():
			default:
				return badRequest("* GenerateContentRequest.contents[%d].parts[%d].data: required oneof field 'data' must have one initialized field\n", i, j)
			}
		}
		if role != "model" {
			if prevCalls > 0 && responses != prevCalls || prevCalls == 0 && responses > 0 {
				return badRequest("Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.")
			}
			if ordinary {
				c.lastUserText = strings.Join(texts, " ")
			}
			c.toolResults, c.hasToolResults = results, responses > 0
			prevCalls = 0
			continue
		}
		if needsSignatures(model) && i >= turnStart && calls > 0 && !firstCallSigned {
			return badRequest("Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:%s` , position %d. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.", firstCallName, firstCallPos+1)
		}
		prevCalls = calls
		c.toolResults, c.hasToolResults = nil, false
	}
	return nil
}

// currentTurnStart returns the index after the last user content with
// ordinary parts (not only function responses): Gemini 3 checks signatures
// from there on.
func currentTurnStart(contents []gjson.Result) int {
	start := 0
	for i, ct := range contents {
		if ct.Get("role").String() == "model" {
			continue
		}
		for _, p := range ct.Get("parts").Array() {
			if !field(p, "functionResponse", "function_response").Exists() {
				start = i + 1
				break
			}
		}
	}
	return start
}

func compactJSON(raw string) string {
	if raw == "" {
		return "null"
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(raw)); err != nil {
		return raw
	}
	return b.String()
}
