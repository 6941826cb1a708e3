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
	out, _ := cleanSchema(schema, target)
	return out
}

// cleanSchema is CleanSchema that also reports whether the input was a
// valid JSON object (and so whether the output is one), letting callers
// skip validating the result again.
func cleanSchema(schema []byte, target SchemaTarget) ([]byte, bool) {
	if len(schema) == 0 || !gjson.ValidBytes(schema) {
		return schema, false
	}
	root := gjson.ParseBytes(schema)
	if !root.IsObject() {
		return schema, false
	}
	hard := target != SchemaGemini
	if !hard && !schemaNeedsLightClean(schema) {
		return schema, true
	}
	n := schemaParse(root, 0)
	c := schemaCleaner{hard: hard, keepAPFalse: target == SchemaAntigravityResponse}
	c.collectDefs(n)
	n = c.clean(n, 0)
	if target == SchemaAntigravityClaude {
		schemaAddPlaceholder(n)
	}
	return n.appendJSON(make([]byte, 0, len(schema))), true
}

// schemaNeedsLightClean reports whether a schema contains any key the
// light cleaning rewrites ("$…", const, anyOf, oneOf, allOf, definitions).
// Most tool schemas contain none and skip the parse; a string value that
// merely looks like one of these only costs the slow path.
func schemaNeedsLightClean(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		rest := b[i+1:]
		switch rest[0] {
		case '$':
			return true
		case 'c':
			if bytes.HasPrefix(rest, []byte(`const"`)) {
				return true
			}
		case 'a':
			if bytes.HasPrefix(rest, []byte(`anyOf"`)) || bytes.HasPrefix(rest, []byte(`allOf"`)) {
				return true
			}
		case 'o':
			if bytes.HasPrefix(rest, []byte(`oneOf"`)) {
				return true
			}
		case 'd':
			if bytes.HasPrefix(rest, []byte(`definitions"`)) {
				return true
			}
		}
	}
	return false
}

// schemaCleaner holds the state of cleaning one schema.
type schemaCleaner struct {
	hard        bool
	keepAPFalse bool
	defs        map[string]*schemaNode // "#/$defs/x" → schema
	refStack    []string               // refs being inlined, to stop recursion
	inlined     int                    // refs inlined so far, see schemaMaxInlines
	cloned      int                    // nodes copied by inlining, see schemaMaxCloned
}

// schemaMaxInlines bounds how many $refs one schema may inline. A chain of
// definitions that each reference the next twice doubles at every level;
// without a budget a few hundred bytes of input could expand without end.
const schemaMaxInlines = 200

// schemaMaxCloned bounds the nodes inlining may copy, for the same reason:
// a large definition referenced many times.
const schemaMaxCloned = 50000

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
// unresolvable reference, or one past the inlining budget, becomes a plain
// object with a hint, since neither Google dialect can express it.
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
		recursive := len(c.refStack) >= 32 || c.inlined >= schemaMaxInlines
		for _, r := range c.refStack {
			if r == name {
				recursive = true
				break
			}
		}
		size := 0
		if target != nil && !recursive {
			size = target.count(schemaMaxCloned - c.cloned + 1)
			recursive = c.cloned+size > schemaMaxCloned
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
		c.inlined++
		c.cloned += size
		n = out
	}
}
