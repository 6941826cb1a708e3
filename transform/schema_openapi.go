package transform

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
)

// SchemaFromOpenAPI converts a Gemini "parameters"/"responseSchema" value,
// which is Google's OpenAPI 3.0 subset (upper-case type names such as
// "OBJECT", "nullable": true, "propertyOrdering"), into standard JSON
// Schema that the other formats accept. A schema that needs no change is
// returned as is.
func SchemaFromOpenAPI(schema json.RawMessage) json.RawMessage {
	if len(schema) == 0 || !schemaLooksOpenAPI(schema) || !gjson.ValidBytes(schema) {
		return schema
	}
	root := gjson.ParseBytes(schema)
	if !root.IsObject() {
		return schema
	}
	n := schemaParse(root, 0)
	schemaOpenAPIToJSON(n, 0)
	return n.appendJSON(make([]byte, 0, len(schema)))
}

func schemaLooksOpenAPI(b []byte) bool {
	if bytes.Contains(b, []byte(`"nullable"`)) || bytes.Contains(b, []byte(`"propertyOrdering"`)) {
		return true
	}
	for _, t := range []string{`"OBJECT"`, `"STRING"`, `"ARRAY"`, `"NUMBER"`, `"INTEGER"`, `"BOOLEAN"`, `"NULL"`, `"TYPE_UNSPECIFIED"`} {
		if bytes.Contains(b, []byte(t)) {
			return true
		}
	}
	return false
}

func schemaOpenAPIToJSON(n *schemaNode, depth int) {
	if !n.isObject() || depth > schemaMaxDepth {
		return
	}
	if t := n.get("type"); t != nil && t.isStr {
		lt := strings.ToLower(t.str)
		if lt == "type_unspecified" {
			n.del("type")
		} else if lt != t.str {
			n.set("type", schemaString(lt))
		}
	}
	if nb := n.get("nullable"); nb != nil {
		n.del("nullable")
		if nb.raw == "true" {
			if t := n.get("type"); t != nil && t.isStr && t.str != "null" {
				n.set("type", &schemaNode{kind: 'a', vals: []*schemaNode{t, schemaString("null")}})
			}
		}
	}
	n.del("propertyOrdering")
	if props := n.get("properties"); props.isObject() {
		for _, v := range props.vals {
			schemaOpenAPIToJSON(v, depth+1)
		}
	}
	if items := n.get("items"); items.isObject() {
		schemaOpenAPIToJSON(items, depth+1)
	}
	if ap := n.get("additionalProperties"); ap.isObject() {
		schemaOpenAPIToJSON(ap, depth+1)
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		if l := n.get(key); l != nil && l.kind == 'a' {
			for _, v := range l.vals {
				schemaOpenAPIToJSON(v, depth+1)
			}
		}
	}
}
