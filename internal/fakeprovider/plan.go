package fakeprovider

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// conversation is what every format's request is reduced to before the
// fake decides its answer.
type conversation struct {
	model        string
	lastUserText string
	// toolResults holds the results carried by the last user turn;
	// hasToolResults is set even when they are empty strings.
	toolResults    []string
	hasToolResults bool
	images         []image
	tools          []toolDecl
	choice         toolChoice
}

type image struct {
	mime string
	size int // decoded bytes; 0 for images given by URL
}

type toolDecl struct {
	name   string
	schema gjson.Result
}

// toolChoice is the request's tool_choice reduced to its meaning.
type toolChoice struct {
	none bool   // tools must not be called
	name string // this tool must be called
}

type stopKind int

const (
	stopEnd stopKind = iota
	stopLength
	stopTool
)

// answer is the format-independent content of a reply.
type answer struct {
	reasoning string
	text      string
	calls     []toolCall
	stop      stopKind
	usage     usage
}

type toolCall struct {
	name string
	args string // compact JSON object
}

// usage holds the fixed counts with canonical meaning: input includes cache
// reads and writes, output includes reasoning.
type usage struct {
	input, cacheRead, cacheWrite, output, reasoning int
}

// plan decides the answer; see doc.go for the rules.
func plan(f Format, c *conversation) answer {
	m := strings.ToLower(c.model)
	var a answer
	a.usage = usage{input: PromptTokens, output: CompletionTokens}
	if strings.Contains(m, MarkerCache) {
		a.usage.cacheRead = CachedTokens
		a.usage.cacheWrite = CacheWriteTokens
	}
	if strings.Contains(m, MarkerThink) {
		a.reasoning = ThinkingText
		a.usage.reasoning = ReasoningTokens
	}
	switch {
	case strings.Contains(m, MarkerLength):
		a.text = greeting(f, c)
		a.stop = stopLength
	case c.hasToolResults:
		a.text = ToolResultsPrefix + strings.Join(c.toolResults, ToolResultsSeparator)
	case len(c.tools) > 0 && !c.choice.none:
		a.calls = planCalls(c, strings.Contains(m, MarkerParallel))
		a.stop = stopTool
	default:
		a.text = greeting(f, c)
	}
	return a
}

func greeting(f Format, c *conversation) string {
	var b strings.Builder
	fmt.Fprintf(&b, GreetingFormat, f, c.lastUserText)
	for _, im := range c.images {
		fmt.Fprintf(&b, ImageFormat, im.mime, im.size)
	}
	return b.String()
}

// planCalls calls the first declared tool (or the forced one); parallel
// answers add a second call: the second tool, or the first one again with
// other arguments.
func planCalls(c *conversation, parallel bool) []toolCall {
	first := c.tools[0]
	if c.choice.name != "" {
		for _, t := range c.tools {
			if t.name == c.choice.name {
				first = t
			}
		}
	}
	calls := []toolCall{{name: first.name, args: argsFor(first.schema, 0)}}
	if !parallel {
		return calls
	}
	if len(c.tools) > 1 && c.choice.name == "" {
		second := c.tools[1]
		return append(calls, toolCall{name: second.name, args: argsFor(second.schema, 0)})
	}
	return append(calls, toolCall{name: first.name, args: argsFor(first.schema, 1)})
}

// argsFor builds arguments that satisfy schema: every property gets a
// value of its type; variant 1 picks different values.
func argsFor(schema gjson.Result, variant int) string {
	var b strings.Builder
	writeObject(&b, schema, variant, 0)
	return b.String()
}

func writeObject(b *strings.Builder, schema gjson.Result, variant, depth int) {
	b.WriteByte('{')
	n := 0
	schema.Get("properties").ForEach(func(k, v gjson.Result) bool {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.Write(marshal(k.String()))
		b.WriteByte(':')
		writeValue(b, k.String(), v, variant, depth+1)
		return true
	})
	b.WriteByte('}')
}

func writeValue(b *strings.Builder, name string, prop gjson.Result, variant, depth int) {
	if e := prop.Get("enum"); e.IsArray() && len(e.Array()) > 0 {
		vals := e.Array()
		b.WriteString(vals[min(variant, len(vals)-1)].Raw)
		return
	}
	if depth > 8 {
		// Recursive schemas end in null rather than looping.
		b.WriteString("null")
		return
	}
	switch schemaType(prop) {
	case "integer", "number":
		fmt.Fprintf(b, "%d", 42+variant)
	case "boolean":
		if variant == 0 {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case "array":
		b.WriteByte('[')
		if items := prop.Get("items"); items.Exists() {
			writeValue(b, name, items, variant, depth+1)
		}
		b.WriteByte(']')
	case "object":
		writeObject(b, prop, variant, depth)
	case "null":
		b.WriteString("null")
	default:
		b.Write(marshal(stringValue(name, variant)))
	}
}

// schemaType returns the lower-case JSON type of a schema (Gemini's OpenAPI
// schemas use upper case; a type list picks its first non-null entry).
func schemaType(prop gjson.Result) string {
	t := prop.Get("type")
	if t.IsArray() {
		for _, v := range t.Array() {
			if s := strings.ToLower(v.String()); s != "null" {
				return s
			}
		}
		return "null"
	}
	if t.Exists() {
		return strings.ToLower(t.String())
	}
	if prop.Get("properties").Exists() {
		return "object"
	}
	return "string"
}

func stringValue(name string, variant int) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "city") || strings.Contains(n, "location") || strings.Contains(n, "place"):
		return [...]string{"Paris", "London"}[variant]
	case strings.Contains(n, "unit"):
		return [...]string{"celsius", "fahrenheit"}[variant]
	}
	return [...]string{"example", "example 2"}[variant]
}
