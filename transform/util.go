package transform

import "strings"

// ParseDataURL splits "data:<mime>[;base64],<payload>". ok is false when s
// is not a data URL.
func ParseDataURL(s string) (mediaType, data string, ok bool) {
	rest, found := strings.CutPrefix(s, "data:")
	if !found {
		return "", "", false
	}
	meta, payload, found := strings.Cut(rest, ",")
	if !found {
		return "", "", false
	}
	meta = strings.TrimSuffix(meta, ";base64")
	if i := strings.IndexByte(meta, ';'); i >= 0 { // drop charset and such
		meta = meta[:i]
	}
	if meta == "" {
		meta = "application/octet-stream"
	}
	return meta, payload, true
}

// DataURL builds a base64 data URL.
func DataURL(mediaType, data string) string {
	return "data:" + mediaType + ";base64," + data
}

// Effort budgets: how a reasoning effort maps to a thinking token budget
// for targets that want a budget (AN enabled thinking, GE 2.5), and back.
var effortBudgets = []struct {
	effort string
	budget int
}{
	{"minimal", 1024},
	{"low", 2048},
	{"medium", 8192},
	{"high", 24576},
	{"xhigh", 32768},
}

// BudgetForEffort returns the thinking budget for an effort level; 0 for
// "none" or an unknown level.
func BudgetForEffort(effort string) int {
	for _, e := range effortBudgets {
		if e.effort == effort {
			return e.budget
		}
	}
	return 0
}

// EffortForBudget returns the smallest effort whose budget covers b.
func EffortForBudget(b int) string {
	if b == 0 {
		return "none"
	}
	if b < 0 {
		return "medium" // dynamic
	}
	for _, e := range effortBudgets {
		if b <= e.budget {
			return e.effort
		}
	}
	return "xhigh"
}

// DefaultMaxTokens is the max_tokens the gateway fills in for Anthropic
// targets when the client gave none (the field is mandatory there).
const DefaultMaxTokens = 32000
