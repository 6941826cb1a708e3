package transform

import (
	"github.com/tidwall/gjson"
)

// schemaNode is a JSON value parsed into a tree that keeps object key
// order. The schema cleaner needs an editable tree, and key order matters:
// Gemini emits structured output in property order, and users read tool
// schemas. map[string]any would lose the order and cost reflection.
type schemaNode struct {
	kind  byte // 'o' object, 'a' array, 'v' any other value (raw holds it)
	keys  []string
	vals  []*schemaNode // object values, parallel to keys; array elements
	raw   string        // JSON text of a scalar (or of a subtree too deep to parse)
	str   string        // decoded value when the scalar is a string
	isStr bool
}

// schemaMaxDepth bounds recursion on hostile input; anything deeper is kept
// verbatim rather than cleaned.
const schemaMaxDepth = 64

func schemaParse(v gjson.Result, depth int) *schemaNode {
	switch {
	case v.IsObject() && depth < schemaMaxDepth:
		n := &schemaNode{kind: 'o'}
		v.ForEach(func(k, val gjson.Result) bool {
			n.keys = append(n.keys, k.String())
			n.vals = append(n.vals, schemaParse(val, depth+1))
			return true
		})
		return n
	case v.IsArray() && depth < schemaMaxDepth:
		n := &schemaNode{kind: 'a'}
		v.ForEach(func(_, val gjson.Result) bool {
			n.vals = append(n.vals, schemaParse(val, depth+1))
			return true
		})
		return n
	}
	n := &schemaNode{kind: 'v', raw: v.Raw}
	if v.Type == gjson.String {
		n.str, n.isStr = v.Str, true
	}
	return n
}

func schemaString(s string) *schemaNode {
	return &schemaNode{kind: 'v', raw: string(appendJSONString(nil, s)), str: s, isStr: true}
}

func schemaRawValue(raw string) *schemaNode { return &schemaNode{kind: 'v', raw: raw} }

func (n *schemaNode) isObject() bool { return n != nil && n.kind == 'o' }

func (n *schemaNode) index(key string) int {
	for i, k := range n.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// get returns the value under key, nil when absent or n is no object.
func (n *schemaNode) get(key string) *schemaNode {
	if !n.isObject() {
		return nil
	}
	if i := n.index(key); i >= 0 {
		return n.vals[i]
	}
	return nil
}

// getStr returns the string under key, "" when absent or not a string.
func (n *schemaNode) getStr(key string) string {
	if v := n.get(key); v != nil && v.isStr {
		return v.str
	}
	return ""
}

// set replaces the value under key, or appends key at the end.
func (n *schemaNode) set(key string, v *schemaNode) {
	if i := n.index(key); i >= 0 {
		n.vals[i] = v
		return
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
}

func (n *schemaNode) del(key string) {
	if i := n.index(key); i >= 0 {
		n.keys = append(n.keys[:i], n.keys[i+1:]...)
		n.vals = append(n.vals[:i], n.vals[i+1:]...)
	}
}

// clone copies n deeply (scalars are immutable and shared).
func (n *schemaNode) clone() *schemaNode {
	if n == nil || n.kind == 'v' {
		return n
	}
	c := &schemaNode{kind: n.kind, keys: append([]string(nil), n.keys...), vals: make([]*schemaNode, len(n.vals))}
	for i, v := range n.vals {
		c.vals[i] = v.clone()
	}
	return c
}

// count returns the number of nodes in n, stopping once it reaches limit.
func (n *schemaNode) count(limit int) int {
	c := 1
	for _, v := range n.vals {
		if c >= limit {
			break
		}
		c += v.count(limit - c)
	}
	return c
}

func (n *schemaNode) appendJSON(dst []byte) []byte {
	switch n.kind {
	case 'o':
		dst = append(dst, '{')
		for i, k := range n.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = n.vals[i].appendJSON(dst)
		}
		return append(dst, '}')
	case 'a':
		dst = append(dst, '[')
		for i, v := range n.vals {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = v.appendJSON(dst)
		}
		return append(dst, ']')
	}
	if n.raw == "" {
		return append(dst, "null"...)
	}
	return append(dst, n.raw...)
}
