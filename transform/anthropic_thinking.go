package transform

import "strings"

// Thinking limits of the Messages API.
const (
	anMinThinkingBudget = 1024
	// anAnswerRoom is what the encoder keeps for the visible answer when it
	// has to shrink a thinking budget to fit under max_tokens.
	anAnswerRoom = 1024
)

// anThinking is the thinking configuration chosen for the upstream.
type anThinking struct {
	mode   string // "", "enabled", "adaptive" or "disabled"
	budget int
	effort string // output_config.effort, "" for none
}

func (t anThinking) on() bool { return t.mode == "enabled" || t.mode == "adaptive" }

// anChooseThinking maps the canonical reasoning request to Anthropic's
// thinking and effort knobs (protocols.md §6.4).
func anChooseThinking(r *Reasoning, model string) anThinking {
	if r == nil {
		return anThinking{}
	}
	if r.Disabled || r.Effort == "none" {
		return anThinking{mode: "disabled"}
	}
	var t anThinking
	switch {
	case r.Adaptive:
		t.mode = "adaptive"
		t.effort = anEffort(r.Effort)
	case r.BudgetTokens != nil && *r.BudgetTokens == 0:
		return anThinking{mode: "disabled"}
	case r.BudgetTokens != nil && *r.BudgetTokens > 0:
		t.mode, t.budget = "enabled", *r.BudgetTokens
		// An Anthropic client may give both a budget and an effort.
		t.effort = anEffort(r.Effort)
	case r.BudgetTokens != nil || r.Effort != "":
		// An effort level, or a dynamic budget (-1): models that think
		// adaptively take the effort; older ones need a budget.
		effort := r.Effort
		if effort == "" {
			effort = EffortForBudget(*r.BudgetTokens)
		}
		if anAdaptiveModel(model) {
			t.mode, t.effort = "adaptive", anEffort(effort)
		} else {
			t.mode, t.budget = "enabled", BudgetForEffort(effort)
		}
	default:
		return anThinking{} // e.g. only include_thoughts: leave the model default
	}
	if t.mode == "enabled" && t.budget < anMinThinkingBudget {
		t.budget = anMinThinkingBudget
	}
	return t
}

// anEffort maps a canonical effort to output_config.effort.
func anEffort(e string) string {
	switch e {
	case "minimal", "low":
		return "low"
	case "medium", "high":
		return e
	case "xhigh":
		// "max" is accepted by every model that takes an effort above
		// high; "xhigh" only by the newest.
		return "max"
	}
	return ""
}

// anFitBudget makes budget ≥ 1024 and < maxTokens as the API requires. A
// budget at or above the cap is shrunk to leave room for the answer when
// the cap allows, so the client's cap (and the model's output limit) holds;
// only a cap too small for the minimum budget is raised, by the budget.
func anFitBudget(maxTokens, budget int) (int, int) {
	if budget < anMinThinkingBudget {
		budget = anMinThinkingBudget
	}
	if budget < maxTokens {
		return maxTokens, budget
	}
	if maxTokens-anAnswerRoom >= anMinThinkingBudget {
		return maxTokens, maxTokens - anAnswerRoom
	}
	return budget + maxTokens, budget
}

// anAdaptiveModel guesses from a model name whether it takes adaptive
// thinking (Claude 4.6 and later). Names are like claude-opus-4-6,
// claude-sonnet-4-6-20260101, claude-3-7-sonnet-20250219 or Bedrock's
// us.anthropic.claude-opus-4-6-v1:0: the first one- or two-digit number is
// the major version and a following one is the minor (dates have 8 digits).
func anAdaptiveModel(model string) bool {
	m := strings.ToLower(model)
	if strings.Contains(m, "mythos") {
		return true
	}
	i := strings.Index(m, "claude")
	if i < 0 {
		return false
	}
	fields := strings.FieldsFunc(m[i:], func(r rune) bool { return r == '-' || r == '.' || r == ':' || r == '_' || r == '@' })
	for k, f := range fields {
		major, ok := anSmallNumber(f)
		if !ok {
			continue
		}
		minor := 0
		if k+1 < len(fields) {
			if n, ok := anSmallNumber(fields[k+1]); ok {
				minor = n
			}
		}
		return major > 4 || major == 4 && minor >= 6
	}
	return false
}

// anSmallNumber parses a one- or two-digit decimal.
func anSmallNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
