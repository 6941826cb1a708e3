package transform

import "strings"

// gemThinking is the thinkingConfig to send.
type gemThinking struct {
	set       bool // send a thinkingConfig at all
	include   bool
	level     string
	budget    int
	hasBudget bool
}

// gemThinkingFor maps the canonical reasoning request to a thinkingConfig
// for model. Gemini 3 and later take a thinkingLevel; Gemini 2.x and Claude
// behind Antigravity take a token budget. Sending both is an error, so
// exactly one is chosen. Thoughts are included whenever reasoning is on,
// because other formats' clients expect to see (and send back) it.
func gemThinkingFor(r *Reasoning, model string, claude bool) gemThinking {
	if r == nil {
		return gemThinking{}
	}
	off := r.Disabled || r.Effort == "none"
	if claude {
		// Only an explicit request turns Claude's thinking on; a bare
		// includeThoughts from a Gemini client is not one.
		if off || r.Effort == "" && r.BudgetTokens == nil && !r.Adaptive {
			return gemThinking{}
		}
		b := 0
		switch {
		case r.BudgetTokens != nil && *r.BudgetTokens > 0:
			b = *r.BudgetTokens
		case r.Effort != "":
			b = BudgetForEffort(r.Effort)
		}
		if b < 1024 {
			b = BudgetForEffort("medium") // Claude has no dynamic budget
		}
		return gemThinking{set: true, include: true, budget: b, hasBudget: true}
	}
	lower := strings.ToLower(model)
	if gemMajorVersion(model) >= 3 {
		t := gemThinking{set: true, include: !off}
		switch {
		case off:
			t.level = gemLowestLevel(lower)
		case r.Effort != "":
			t.level = gemLevel(r.Effort, lower)
		case r.BudgetTokens != nil && *r.BudgetTokens >= 0:
			t.level = gemLevel(EffortForBudget(*r.BudgetTokens), lower)
		}
		// A dynamic budget or adaptive thinking leaves the level to the
		// model's default.
		if r.IncludeThoughts {
			t.include = true
		}
		return t
	}
	t := gemThinking{set: true, include: !off || r.IncludeThoughts, hasBudget: true}
	switch {
	case off:
		t.budget = 0
		if strings.Contains(lower, "pro") {
			t.budget = 128 // 2.5 Pro cannot turn thinking off; 128 is its floor
		}
	case r.BudgetTokens != nil:
		t.budget = *r.BudgetTokens
	case r.Effort != "":
		t.budget = BudgetForEffort(r.Effort)
	default:
		t.budget = -1 // dynamic, for adaptive or bare includeThoughts
		if !r.Adaptive && r.IncludeThoughts {
			t.hasBudget = false
		}
	}
	if t.budget > 24576 && strings.Contains(lower, "flash") {
		t.budget = 24576 // Flash's ceiling
	}
	return t
}

// gemLevel maps an effort to a Gemini 3 thinking level the model accepts:
// Flash models take minimal/low/medium/high; Pro models have no minimal,
// and Gemini 3.0 Pro no medium either.
func gemLevel(effort, model string) string {
	flash := strings.Contains(model, "flash")
	switch effort {
	case "none", "minimal":
		if flash {
			return "minimal"
		}
		return "low"
	case "low":
		return "low"
	case "medium":
		if strings.Contains(model, "gemini-3-pro") {
			return "high"
		}
		return "medium"
	}
	return "high" // high, xhigh, anything newer
}

func gemLowestLevel(model string) string { return gemLevel("minimal", model) }
