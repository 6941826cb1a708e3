package transform

import "strings"

// The individual rewrite rules of the schema cleaner.

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

// schemaUnionRequired adds the names in add to n's required list.
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

// schemaAddHint appends hint to n's description, once.
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
