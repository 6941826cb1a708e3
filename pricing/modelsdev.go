package pricing

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultModelsDevURL is where models.dev publishes its catalogue.
const DefaultModelsDevURL = "https://models.dev/api.json"

// longContextThreshold is the input size above which models.dev's
// context_over_200k tier applies.
const longContextThreshold = 200_000

// firstParty ranks the providers that sell their own models. When one
// model id is listed by several providers, the price of the first of
// these wins: resellers and aggregators (and free tiers such as coding
// assistants that list prices of 0) would otherwise decide by accident.
var firstParty = []string{
	"openai", "anthropic", "google", "google-vertex", "deepseek", "mistral",
	"xai", "alibaba", "moonshotai", "zhipuai", "cohere", "amazon-bedrock", "azure",
}

// devFile is the part of models.dev's api.json that is read; unknown
// fields are ignored.
type devFile map[string]struct {
	Models map[string]struct {
		ID   string   `json:"id"`
		Cost *devCost `json:"cost"`
	} `json:"models"`
}

type devCost struct {
	Input      *float64 `json:"input"`
	Output     *float64 `json:"output"`
	CacheRead  *float64 `json:"cache_read"`
	CacheWrite *float64 `json:"cache_write"`
	Reasoning  *float64 `json:"reasoning"`
	Long       *struct {
		Input      *float64 `json:"input"`
		Output     *float64 `json:"output"`
		CacheRead  *float64 `json:"cache_read"`
		CacheWrite *float64 `json:"cache_write"`
	} `json:"context_over_200k"`
}

// ParseModelsDev reads a models.dev api.json: provider → models → cost
// in USD per million tokens. Models without a cost, or whose input or
// output price is missing or negative, are skipped. When a model id
// appears under several providers one entry is kept: a first-party
// provider (in firstParty order) first, then a non-zero price over a
// zero one, then the provider id in alphabetical order. The result is
// sorted by model id.
func ParseModelsDev(data []byte) ([]Entry, error) {
	var f devFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("pricing: parse models.dev: %w", err)
	}
	best := map[string]Entry{}
	for provider, p := range f {
		for key, m := range p.Models {
			id := m.ID
			if id == "" {
				id = key
			}
			price, ok := m.Cost.price()
			if !ok || id == "" {
				continue
			}
			e := Entry{Model: id, Source: SourceModelsDev, Provider: provider, Price: price}
			if cur, seen := best[id]; !seen || better(&e, &cur) {
				best[id] = e
			}
		}
	}
	if len(best) == 0 {
		return nil, errors.New("pricing: models.dev data has no priced models")
	}
	out := make([]Entry, 0, len(best))
	for _, e := range best {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Model, b.Model) })
	return out, nil
}

// better reports whether a should replace b as the price of their model.
func better(a, b *Entry) bool {
	ra, rb := rank(a.Provider), rank(b.Provider)
	if ra != rb {
		return ra < rb
	}
	za, zb := a.Price.Input == 0 && a.Price.Output == 0, b.Price.Input == 0 && b.Price.Output == 0
	if za != zb {
		return !za
	}
	return cmp.Less(a.Provider, b.Provider)
}

// rank is the provider's place in firstParty, or len(firstParty).
func rank(provider string) int {
	if i := slices.Index(firstParty, provider); i >= 0 {
		return i
	}
	return len(firstParty)
}

// price converts a models.dev cost.
func (c *devCost) price() (Price, bool) {
	if c == nil || !valid(c.Input) || !valid(c.Output) {
		return Price{}, false
	}
	p := Price{
		Input: *c.Input, Output: *c.Output,
		CacheRead: validOrNil(c.CacheRead), CacheWrite: validOrNil(c.CacheWrite),
		Reasoning: validOrNil(c.Reasoning),
	}
	if l := c.Long; l != nil && (valid(l.Input) || valid(l.Output)) {
		p.LongContextThreshold = longContextThreshold
		p.LongInput, p.LongOutput = validOrNil(l.Input), validOrNil(l.Output)
		p.LongCacheRead, p.LongCacheWrite = validOrNil(l.CacheRead), validOrNil(l.CacheWrite)
	}
	return p, true
}

func valid(v *float64) bool { return v != nil && *v >= 0 }

func validOrNil(v *float64) *float64 {
	if valid(v) {
		return v
	}
	return nil
}
