package pricing

import (
	"strings"

	"github.com/octopuscaddy/octopus/store"
)

// Source says where a price comes from, in lookup priority order.
type Source string

// Price sources.
const (
	// SourceChannel is the user's price for one channel's model.
	SourceChannel Source = "channel"
	// SourceDefault is the user's price for a model on any channel.
	SourceDefault Source = "default"
	// SourceModelsDev is a price synced from models.dev.
	SourceModelsDev Source = "models.dev"
)

// Entry is one known price.
type Entry struct {
	Model string `json:"model"`
	// Channel is set for SourceChannel only.
	Channel string `json:"channel,omitempty"`
	Source  Source `json:"source"`
	// Provider is the models.dev provider the price was taken from.
	Provider string `json:"provider,omitempty"`
	// ID is the store row's id (user prices only).
	ID    int   `json:"id,omitempty"`
	Price Price `json:"price"`

	r resolved
}

// Cost prices t with e's price, in USD.
func (e *Entry) Cost(t Tokens) float64 { return e.r.cost(t) }

// chanModel keys channel prices.
type chanModel struct{ channel, model string }

// Table is an immutable set of prices. The zero value and nil have no
// prices. It is safe for concurrent use.
type Table struct {
	channel map[chanModel]*Entry
	def     map[string]*Entry
	dev     map[string]*Entry
	// devFold indexes dev by lower-cased id and by the part after the
	// last "/" (ids such as "openai/gpt-4o"), for looser matches.
	devFold map[string]*Entry
	entries []*Entry
	// placeholders are the models with an unpriced placeholder row in
	// the store: known to have no price, and already listed for the
	// admin. They price nothing.
	placeholders map[string]bool
}

// NewTable builds a table from the store's prices and the models.dev
// entries (as returned by ParseModelsDev). Store rows with source
// models.dev are used only for models the synced entries lack.
func NewTable(stored []*store.Price, dev []Entry) *Table {
	t := &Table{
		channel:      map[chanModel]*Entry{},
		def:          map[string]*Entry{},
		dev:          make(map[string]*Entry, len(dev)),
		devFold:      make(map[string]*Entry, len(dev)),
		placeholders: map[string]bool{},
	}
	for i := range dev {
		e := dev[i]
		e.Source, e.Channel = SourceModelsDev, ""
		e.r = e.Price.resolve()
		t.addDev(&e)
	}
	for _, p := range stored {
		if p == nil {
			continue
		}
		if p.Unpriced {
			t.placeholders[p.Model] = true
			continue
		}
		e := &Entry{Model: p.Model, ID: p.ID, Price: fromStore(p)}
		e.r = e.Price.resolve()
		switch {
		case p.Source == store.PriceSourceModelsDev:
			if _, ok := t.dev[p.Model]; ok {
				continue
			}
			e.Source = SourceModelsDev
			t.addDev(e)
		case p.Channel != "":
			e.Source, e.Channel = SourceChannel, p.Channel
			t.channel[chanModel{p.Channel, p.Model}] = e
			t.entries = append(t.entries, e)
		default:
			e.Source = SourceDefault
			t.def[p.Model] = e
			t.entries = append(t.entries, e)
		}
	}
	return t
}

// addDev indexes a models.dev entry. Exact ids were deduplicated by
// ParseModelsDev; for the loose keys the first entry wins, and an exact
// id always beats a loose key (see Lookup).
func (t *Table) addDev(e *Entry) {
	if _, dup := t.dev[e.Model]; dup {
		return
	}
	t.dev[e.Model] = e
	t.entries = append(t.entries, e)
	for _, k := range foldKeys(e.Model) {
		if _, ok := t.devFold[k]; !ok {
			t.devFold[k] = e
		}
	}
}

// foldKeys are the loose keys of a model id: lower case, and lower case
// without any "vendor/" prefix.
func foldKeys(model string) []string {
	l := strings.ToLower(model)
	if i := strings.LastIndexByte(l, '/'); i >= 0 && i < len(l)-1 {
		return []string{l, l[i+1:]}
	}
	return []string{l}
}

// Lookup finds the price of model on channel: the user's price for that
// channel, then the user's default price, then the models.dev price. User
// prices match the model id exactly. Models.dev prices match the exact
// id first, then case-insensitively, then ignoring a "vendor/" prefix on
// either side ("openai/gpt-4o" finds "gpt-4o" and the other way round).
func (t *Table) Lookup(channel, model string) (*Entry, bool) {
	if t == nil || model == "" {
		return nil, false
	}
	if channel != "" {
		if e, ok := t.channel[chanModel{channel, model}]; ok {
			return e, true
		}
	}
	if e, ok := t.def[model]; ok {
		return e, true
	}
	if e, ok := t.dev[model]; ok {
		return e, true
	}
	for _, k := range foldKeys(model) {
		if e, ok := t.devFold[k]; ok {
			return e, true
		}
	}
	return nil, false
}

// HasPlaceholder reports whether the store holds the unpriced placeholder
// row of model.
func (t *Table) HasPlaceholder(model string) bool {
	return t != nil && t.placeholders[model]
}

// Entries returns every price in the table: user prices in store order,
// models.dev prices in id order. The slice must not be modified.
func (t *Table) Entries() []*Entry {
	if t == nil {
		return nil
	}
	return t.entries
}

// Len is the number of prices.
func (t *Table) Len() int { return len(t.Entries()) }

// fromStore converts a store row's amounts.
func fromStore(p *store.Price) Price {
	out := Price{
		Input: p.Input, Output: p.Output,
		CacheRead: p.CacheRead, CacheWrite: p.CacheWrite, Reasoning: p.Reasoning,
		LongInput: p.LongInput, LongOutput: p.LongOutput,
		LongCacheRead: p.LongCacheRead, LongCacheWrite: p.LongCacheWrite,
	}
	if p.LongContextThreshold != nil {
		out.LongContextThreshold = *p.LongContextThreshold
	}
	return out
}
