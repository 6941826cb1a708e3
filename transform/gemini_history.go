package transform

import "strings"

// Repairs applied to a conversation before it is sent to Gemini: signature
// placement, function-response pairing, and the shape of responses.

// fixModelParts applies the signature rules to one model turn and drops
// what the target would reject.
//
// Gemini 3 validates a signature on the first function call of every step;
// calls from another provider's history get Google's documented bypass
// value. When a client of another format kept Gemini's signature on its
// thinking block (the only place it could), it goes back to the call.
// Claude behind Antigravity wants its thinking signature on the thought
// part and on each call, and rejects empty text and thinking that does not
// lead the turn.
func (e *gemRequestEncoder) fixModelParts(oc *gemOutContent) {
	parts := oc.parts
	lastThoughtSig := -1
	firstCall := true
	for i := range parts {
		p := &parts[i]
		switch {
		case p.kind == gemOutText && p.thought && p.sig != "":
			lastThoughtSig = i
		case p.kind == gemOutCall && p.sig == "":
			switch {
			case e.claude && lastThoughtSig >= 0:
				p.sig = parts[lastThoughtSig].sig
			case e.claude:
				p.sig = gemSkipSignature
			case firstCall && lastThoughtSig >= 0:
				p.sig = parts[lastThoughtSig].sig
				parts[lastThoughtSig].sig = ""
			case firstCall:
				p.sig = gemSkipSignature
			}
			firstCall = false
		case p.kind == gemOutCall:
			firstCall = false
		}
	}
	kept := parts[:0]
	for _, p := range parts {
		if p.kind == gemOutText {
			// Unsigned thought text is only a summary; Gemini ignores it
			// in history and Claude would reject it without a signature.
			if p.thought && p.sig == "" {
				continue
			}
			if p.text == "" && (p.sig == "" || e.claude) {
				continue
			}
		}
		kept = append(kept, p)
	}
	if e.claude {
		gemThoughtsFirst(kept)
	}
	oc.parts = kept
}

// gemThoughtsFirst moves thought parts to the front, keeping order.
func gemThoughtsFirst(parts []gemOutPart) {
	gemStablePartition(parts, func(p *gemOutPart) bool { return p.kind == gemOutText && p.thought })
}

// gemResponsesFirst moves function responses to the front of a user turn:
// they must directly answer the calls before them, and text that a client
// sent after its tool results (or a mid-conversation system note merged
// in) must not sit between them.
func gemResponsesFirst(parts []gemOutPart) {
	gemStablePartition(parts, func(p *gemOutPart) bool { return p.kind == gemOutResponse })
}

// gemStablePartition moves the parts for which front is true before the
// others, keeping the order on both sides.
func gemStablePartition(parts []gemOutPart, front func(*gemOutPart) bool) {
	sorted := true
	seenBack := false
	for i := range parts {
		if front(&parts[i]) {
			if seenBack {
				sorted = false
				break
			}
		} else {
			seenBack = true
		}
	}
	if sorted {
		return
	}
	out := make([]gemOutPart, 0, len(parts))
	for i := range parts {
		if front(&parts[i]) {
			out = append(out, parts[i])
		}
	}
	for i := range parts {
		if !front(&parts[i]) {
			out = append(out, parts[i])
		}
	}
	copy(parts, out)
}

// gemPairResponses makes every model turn's function calls answered by the
// same number of function responses in the next turn, in call order, each
// named like its call (Gemini rejects any mismatch). Missing answers are
// filled with an error result; answers to calls that are not there (a
// truncated history) become plain text.
func gemPairResponses(contents []gemOutContent) {
	for i := range contents {
		c := &contents[i]
		if c.model {
			continue
		}
		var calls []gemOutPart
		if i > 0 && contents[i-1].model {
			for _, p := range contents[i-1].parts {
				if p.kind == gemOutCall {
					calls = append(calls, p)
				}
			}
		}
		nresp := 0
		for _, p := range c.parts {
			if p.kind == gemOutResponse {
				nresp++
			}
		}
		if len(calls) == 0 && nresp == 0 {
			continue
		}
		responses := c.parts[:nresp]
		rest := c.parts[nresp:]
		used := make([]bool, len(responses))
		out := make([]gemOutPart, 0, len(calls)+len(c.parts))
		for _, call := range calls {
			k := gemFindResponse(responses, used, call)
			if k < 0 {
				out = append(out, gemOutPart{kind: gemOutResponse, id: call.id, name: call.name,
					resp: []byte(`{"error":"No result was provided for this call."}`)})
				continue
			}
			used[k] = true
			r := responses[k]
			r.name = call.name
			if r.id == "" {
				r.id = call.id
			}
			out = append(out, r)
		}
		for k, r := range responses {
			if !used[k] {
				out = append(out, gemOutPart{kind: gemOutText, text: gemOrphanResultText(&r)})
				out = append(out, r.media...)
			}
		}
		c.parts = append(out, rest...)
	}
	// A model turn that ends the conversation with calls is left alone.
}

// gemFindResponse picks the response that answers call: by id, else an
// id-less response with the call's name, else (ids that do not match, as
// when a client rewrote them) any response with the call's name.
func gemFindResponse(responses []gemOutPart, used []bool, call gemOutPart) int {
	if call.id != "" {
		for k, r := range responses {
			if !used[k] && r.id == call.id {
				return k
			}
		}
	}
	for pass := 0; pass < 2; pass++ {
		for k, r := range responses {
			if !used[k] && r.name == call.name && (pass == 1 || r.id == "") {
				return k
			}
		}
	}
	return -1
}

// gemOrphanResultText renders a function result whose call is not in the
// history as text, so its content still reaches the model.
func gemOrphanResultText(r *gemOutPart) string {
	name := r.name
	if name == "" {
		name = "tool"
	}
	return "Result of " + name + " call " + r.id + ":\n" + string(r.resp)
}

// gemResponseObject builds functionResponse.response, which must be a JSON
// object: a result whose text is an object is sent as is, anything else is
// wrapped as {"result": text} ({"error": text} for failures).
func gemResponseObject(p *Part) []byte {
	var text string
	n := 0
	for k := range p.Content {
		if p.Content[k].Type == PartText {
			if n > 0 {
				text += "\n"
			}
			text += p.Content[k].Text
			n++
		}
	}
	if !p.IsError {
		if t := strings.TrimSpace(text); len(t) > 0 && t[0] == '{' {
			if o := gemJSONObject([]byte(t)); o != nil {
				return o
			}
		}
	}
	key := `{"result":`
	if p.IsError {
		key = `{"error":`
	}
	b := append(make([]byte, 0, len(text)+16), key...)
	b = appendJSONString(b, text)
	return append(b, '}')
}
