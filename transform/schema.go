package transform

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
)

// SchemaTarget says which upstream a JSON Schema is being cleaned for.
//
// The cleaner is only ever applied to one schema (a tool's parameters or a
// response schema), never to a whole request: schema keywords such as
// "title", "format" or "default" are also ordinary keys in tool-call
// arguments, and cleaning a request would corrupt its history.
type SchemaTarget uint8

const (
	// SchemaGemini is the Gemini API's parametersJsonSchema and
	// responseJsonSchema, which take standard JSON Schema: only what it
	// rejects or misreads is rewritten ($schema/$id, $ref, const, null
	// unions, allOf).
	SchemaGemini SchemaTarget = iota
	// SchemaAntigravity is an Antigravity tool schema for a Gemini model:
	// the backend validates against a small subset (type, description,
	// properties, required, items, enum of strings), so everything else
	// is dropped, validation constraints becoming description hints.
	SchemaAntigravity
	// SchemaAntigravityClaude is an Antigravity tool schema for a Claude
	// model (functionCallingConfig mode VALIDATED): the strict subset plus
	// a placeholder required property when the schema has no properties.
	SchemaAntigravityClaude
	// SchemaAntigravityResponse is a response schema on Antigravity: the
	// strict subset, but additionalProperties:false is kept because the
	// backend enforces it for structured output.
	SchemaAntigravityResponse
)

// schemaPlaceholder is the property injected into empty Claude tool
// schemas: VALIDATED mode wants at least one required property.
const (
	schemaPlaceholderName = "reason"
	schemaPlaceholderDesc = "Brief explanation of why you are calling this tool"
)

// CleanSchema rewrites one JSON Schema for target. Input that is not a JSON
// object is returned unchanged (nil stays nil). It never fails: the worst
// case is a looser schema.
func CleanSchema(schema json.RawMessage, target SchemaTarget) json.RawMessage {
	if len(schema) == 0 || !gjson.ValidBytes(schema) {
		return schema
	}
	root := gjson.ParseBytes(schema)
	if !root.IsObject() {
		return schema
	}
	hard := target != SchemaGemini
	if !hard && !schemaNeedsLightClean(schema) {
		return schema
	}
	n := schemaParse(root, 0)
	c := schemaCleaner{hard: hard, keepAPFalse: target == SchemaAntigravityResponse}
	c.collectDefs(n)
	n = c.clean(n, 0)
	if target == SchemaAntigravityClaude {
		schemaAddPlaceholder(n)
	}
	return n.appendJSON(make([]byte, 0, len(schema)))
}

// schemaLightTriggers are the substrings without which a schema needs no
// light cleaning; most tool schemas contain none and skip the parse.
var schemaLightTriggers = [][]byte{
	[]byte(`"$`), []byte(`"const"`), []byte(`"anyOf"`), []byte(`"oneOf"`),
	[]byte(`"allOf"`), []byte(`"definitions"`),
}

func schemaNeedsLightClean(b []byte) bool {
	for _, t := range schemaLightTriggers {
		if bytes.Contains(b, t) {
			return true
		}
	}
	return false
}

type schemaCleaner struct {
	hard        bool
	keepAPFalse bool
	defs        map[string]*schemaNode // "#/$defs/x" → schema
	refStack    []string               // refs being inlined, to stop recursion
}

// collectDefs indexes the root's $defs and definitions for local $ref.
func (c *schemaCleaner) collectDefs(root *schemaNode) {
	for _, key := range []string{"$defs", "definitions"} {
		d := root.get(key)
		if !d.isObject() {
			continue
		}
		if c.defs == nil {
			c.defs = make(map[string]*schemaNode)
		}
		for i, name := range d.keys {
			c.defs["#/"+key+"/"+schemaEscapePointer(name)] = d.vals[i]
		}
	}
}

// schemaEscapePointer escapes a JSON Pointer token (RFC 6901).
func schemaEscapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// schemaDropAlways are keywords no Google schema dialect accepts.
var schemaDropAlways = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "$anchor": true, "$defs": true,
	"definitions": true, "$dynamicAnchor": true, "$dynamicRef": true, "$vocabulary": true,
}

// schemaHardKeep are the keywords the strict Antigravity subset accepts.
var schemaHardKeep = map[string]bool{
	"type": true, "description": true, "properties": true, "required": true,
	"items": true, "enum": true, "propertyOrdering": true,
}

// schemaHintKeys are constraints the strict subset cannot express; rather
// than losing them they are appended to the description, where the model
// still reads them.
var schemaHintKeys = []string{
	"format", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
	"minLength", "maxLength", "minItems", "maxItems", "default", "multipleOf",
}

// clean returns the cleaned form of schema node n. Each node is cleaned
// exactly once: its own subschemas first, then the branches of its
// combinators, which are then merged in already clean.
func (c *schemaCleaner) clean(n *schemaNode, depth int) *schemaNode {
	if !n.isObject() || depth > schemaMaxDepth {
		return n
	}
	n, pushed := c.resolveRef(n)
	defer func() { c.refStack = c.refStack[:len(c.refStack)-pushed] }()

	for i := 0; i < len(n.keys); {
		if schemaDropAlways[n.keys[i]] {
			n.keys = append(n.keys[:i], n.keys[i+1:]...)
			n.vals = append(n.vals[:i], n.vals[i+1:]...)
			continue
		}
		i++
	}
	if v := n.get("const"); v != nil {
		if n.get("enum") == nil {
			n.set("enum", &schemaNode{kind: 'a', vals: []*schemaNode{v}})
		}
		n.del("const")
	}

	// Own subschemas.
	if props := n.get("properties"); props.isObject() {
		for i := range props.vals {
			props.vals[i] = c.clean(props.vals[i], depth+1)
		}
	}
	if items := n.get("items"); items != nil {
		switch {
		case items.isObject():
			n.set("items", c.clean(items, depth+1))
		case items.kind == 'a' && c.hard:
			// Tuple form: the subset has one item schema; take the first.
			if len(items.vals) > 0 {
				n.set("items", c.clean(items.vals[0], depth+1))
			} else {
				n.del("items")
			}
		}
	}
	for _, key := range []string{"additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"} {
		if v := n.get(key); v.isObject() {
			n.set(key, c.clean(v, depth+1))
		}
	}
	for _, key := range []string{"patternProperties", "dependentSchemas"} {
		if m := n.get(key); m.isObject() {
			for i := range m.vals {
				m.vals[i] = c.clean(m.vals[i], depth+1)
			}
		}
	}
	// Combinator branches, then their merge.
	for _, key := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
		if l := n.get(key); l != nil && l.kind == 'a' {
			for i := range l.vals {
				l.vals[i] = c.clean(l.vals[i], depth+1)
			}
		}
	}
	schemaMergeAllOf(n)
	c.flattenUnion(n, "anyOf")
	c.flattenUnion(n, "oneOf")

	if c.hard {
		schemaFlattenTypeArray(n)
		c.applyHardSubset(n)
	}
	schemaFilterRequired(n)
	return n
}

// resolveRef inlines local $refs at n and reports how many names it pushed
// on the ref stack; they stay there while n's subtree is cleaned, so a
// reference back to one of them is seen as recursive. Sibling keywords of
// the $ref (usually a description) win over the target's. A recursive or
// unresolvable reference becomes a plain object with a hint, since neither
// Google dialect can express it.
func (c *schemaCleaner) resolveRef(n *schemaNode) (*schemaNode, int) {
	pushed := 0
	for {
		ref := n.get("$ref")
		if ref == nil {
			return n, pushed
		}
		n.del("$ref")
		name := ref.str
		target := c.defs[name]
		recursive := len(c.refStack) >= 32
		for _, r := range c.refStack {
			if r == name {
				recursive = true
				break
			}
		}
		if target == nil || recursive || !ref.isStr {
			out := &schemaNode{kind: 'o'}
			out.set("type", schemaString("object"))
			desc := n.getStr("description")
			if desc == "" {
				desc = "See " + strings.TrimPrefix(name, "#/")
			}
			out.set("description", schemaString(desc))
			return out, pushed
		}
		out := target.clone()
		if !out.isObject() {
			return n, pushed
		}
		for i, k := range n.keys {
			out.set(k, n.vals[i])
		}
		c.refStack = append(c.refStack, name)
		pushed++
		n = out
	}
}

// schemaMergeAllOf folds (clean) allOf branches into n: properties and
// required are unioned, other keywords are taken from the first branch
// that has them. Neither Google dialect accepts allOf, and tool schemas use
// it almost only to compose objects.
func schemaMergeAllOf(n *schemaNode) {
	all := n.get("allOf")
	if all == nil {
		return
	}
	n.del("allOf")
	if all.kind != 'a' {
		return
	}
	for _, b := range all.vals {
		schemaMergeInto(n, b)
	}
}

// schemaMergeInto adds branch b's keywords that n lacks; properties and
// required are unioned.
func schemaMergeInto(n, b *schemaNode) {
	if !b.isObject() {
		return
	}
	for i, k := range b.keys {
		v := b.vals[i]
		switch k {
		case "properties":
			dst := n.get("properties")
			if !dst.isObject() {
				dst = &schemaNode{kind: 'o'}
				n.set("properties", dst)
			}
			if v.isObject() {
				for j, pk := range v.keys {
					if dst.get(pk) == nil {
						dst.set(pk, v.vals[j])
					}
				}
			}
		case "required":
			schemaUnionRequired(n, v)
		default:
			if n.get(k) == nil {
				n.set(k, v)
			}
		}
	}
}

func schemaUnionRequired(n, add *schemaNode) {
	if add == nil || add.kind != 'a' {
		return
	}
	dst := n.get("required")
	if dst == nil || dst.kind != 'a' {
		dst = &schemaNode{kind: 'a'}
		n.set("required", dst)
	}
	for _, v := range add.vals {
		if !v.isStr {
			continue
		}
		dup := false
		for _, have := range dst.vals {
			if have.isStr && have.str == v.str {
				dup = true
				break
			}
		}
		if !dup {
			dst.vals = append(dst.vals, v)
		}
	}
}

// flattenUnion simplifies anyOf/oneOf, whose branches are already clean.
// Null branches are dropped (an optional field is expressed by leaving it
// out of required); a single remaining branch is merged into n. In the
// strict subset a real union is reduced to its most structured branch;
// otherwise oneOf, which Gemini reads as anyOf, is renamed to anyOf.
func (c *schemaCleaner) flattenUnion(n *schemaNode, key string) {
	u := n.get(key)
	if u == nil {
		return
	}
	n.del(key)
	if u.kind != 'a' {
		return
	}
	var keep []*schemaNode
	for _, b := range u.vals {
		if b.isObject() && b.getStr("type") == "null" && len(b.keys) == 1 {
			continue
		}
		keep = append(keep, b)
	}
	switch {
	case len(keep) == 0:
	case len(keep) == 1 || c.hard:
		best := keep[0]
		if len(keep) > 1 {
			best = schemaBestBranch(keep)
			var types []string
			for _, b := range keep {
				if t := b.getStr("type"); t != "" {
					types = append(types, t)
				}
			}
			if len(types) > 1 {
				schemaAddHint(n, "Accepts: "+strings.Join(types, " | "))
			}
		}
		schemaMergeInto(n, best)
	default:
		u.vals = keep
		if n.get("anyOf") == nil {
			n.set("anyOf", u)
		}
	}
}

// schemaBestBranch picks the branch that keeps most structure: an object,
// then an array, then the first.
func schemaBestBranch(bs []*schemaNode) *schemaNode {
	for _, want := range []string{"object", "array"} {
		for _, b := range bs {
			if b.getStr("type") == want || want == "object" && b.get("properties") != nil {
				return b
			}
		}
	}
	return bs[0]
}

// schemaFlattenTypeArray turns "type": ["string", "null"] into "string";
// with several non-null types the first is kept and the rest hinted.
func schemaFlattenTypeArray(n *schemaNode) {
	t := n.get("type")
	if t == nil || t.kind != 'a' {
		return
	}
	var types []string
	for _, v := range t.vals {
		if v.isStr && v.str != "null" {
			types = append(types, v.str)
		}
	}
	if len(types) == 0 {
		n.del("type")
		return
	}
	n.set("type", schemaString(types[0]))
	if len(types) > 1 {
		schemaAddHint(n, "Accepts: "+strings.Join(types, " | "))
	}
}

// applyHardSubset keeps only the strict subset's keywords.
func (c *schemaCleaner) applyHardSubset(n *schemaNode) {
	for _, k := range schemaHintKeys {
		if v := n.get(k); v != nil && v.kind == 'v' {
			val := v.raw
			if v.isStr {
				val = v.str
			}
			schemaAddHint(n, k+": "+val)
		}
	}
	if e := n.get("enum"); e != nil {
		allStrings := e.kind == 'a' && len(e.vals) > 0
		if allStrings {
			for _, v := range e.vals {
				if !v.isStr {
					allStrings = false
					break
				}
			}
		}
		if !allStrings {
			// The backend takes string enum members only, and turning
			// numbers into strings would change the arguments' JSON type.
			if e.kind == 'a' {
				var vals []string
				for _, v := range e.vals {
					vals = append(vals, v.raw)
				}
				schemaAddHint(n, "Allowed values: "+strings.Join(vals, ", "))
			}
			n.del("enum")
		}
	}
	apFalse := false
	if ap := n.get("additionalProperties"); ap != nil && ap.raw == "false" {
		apFalse = true
	}
	for i := 0; i < len(n.keys); {
		if !schemaHardKeep[n.keys[i]] {
			n.keys = append(n.keys[:i], n.keys[i+1:]...)
			n.vals = append(n.vals[:i], n.vals[i+1:]...)
			continue
		}
		i++
	}
	if c.keepAPFalse && apFalse {
		n.set("additionalProperties", schemaRawValue("false"))
	}
	if n.get("type") == nil {
		switch {
		case n.get("properties") != nil:
			n.set("type", schemaString("object"))
		case n.get("items") != nil:
			n.set("type", schemaString("array"))
		case n.get("enum") != nil:
			n.set("type", schemaString("string"))
		}
	}
	if n.getStr("type") == "array" && n.get("items") == nil {
		// The subset rejects arrays without an item schema.
		it := &schemaNode{kind: 'o'}
		it.set("type", schemaString("string"))
		n.set("items", it)
	}
}

// schemaFilterRequired drops required entries that name no property, and
// an empty required list; Google backends reject both.
func schemaFilterRequired(n *schemaNode) {
	req := n.get("required")
	if req == nil {
		return
	}
	if req.kind != 'a' {
		n.del("required")
		return
	}
	props := n.get("properties")
	kept := req.vals[:0]
	for _, v := range req.vals {
		if v.isStr && props.isObject() && props.index(v.str) >= 0 {
			kept = append(kept, v)
		}
	}
	req.vals = kept
	if len(kept) == 0 {
		n.del("required")
	}
}

func schemaAddHint(n *schemaNode, hint string) {
	desc := n.getStr("description")
	if strings.Contains(desc, hint) {
		return
	}
	if desc == "" {
		desc = hint
	} else {
		desc += " (" + hint + ")"
	}
	n.set("description", schemaString(desc))
}

// schemaAddPlaceholder gives a top-level schema without properties one
// required string property, which Claude's VALIDATED mode needs.
func schemaAddPlaceholder(n *schemaNode) {
	if !n.isObject() {
		return
	}
	props := n.get("properties")
	if props.isObject() && len(props.keys) > 0 {
		return
	}
	n.set("type", schemaString("object"))
	p := &schemaNode{kind: 'o'}
	p.set("type", schemaString("string"))
	p.set("description", schemaString(schemaPlaceholderDesc))
	props = &schemaNode{kind: 'o'}
	props.set(schemaPlaceholderName, p)
	n.set("properties", props)
	n.set("required", &schemaNode{kind: 'a', vals: []*schemaNode{schemaString(schemaPlaceholderName)}})
}
