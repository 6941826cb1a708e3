package admin

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// groupOutput is a group as the API shows it.
type groupOutput struct {
	ID          any            `json:"id"`
	Source      string         `json:"source"`
	Name        string         `json:"name"`
	Mode        string         `json:"mode"`
	MaxAttempts int            `json:"max_attempts"`
	Members     []memberOutput `json:"members"`
	CreatedAt   *time.Time     `json:"created_at,omitempty"`
	UpdatedAt   *time.Time     `json:"updated_at,omitempty"`
}

type memberOutput struct {
	// Channel is the channel's name.
	Channel  string `json:"channel"`
	Model    string `json:"model"`
	Priority int    `json:"priority"`
	Weight   int    `json:"weight"`
	// Missing is set by model sync when the channel stopped listing Model.
	Missing bool `json:"missing"`
}

// groupInput is the body of POST and PUT /groups; on PUT only the fields
// sent change (members sent replace all members).
type groupInput struct {
	Name        opt[string]        `json:"name"`
	Mode        opt[string]        `json:"mode"`
	MaxAttempts opt[int]           `json:"max_attempts"`
	Members     opt[[]memberInput] `json:"members"`
	// Output fields a client may send back; ignored.
	ID        json.RawMessage `json:"id"`
	Source    json.RawMessage `json:"source"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
}

type memberInput struct {
	Channel  string `json:"channel"`
	Model    string `json:"model"`
	Priority int    `json:"priority"`
	Weight   int    `json:"weight"`
	// Output fields; ignored.
	ChannelID json.RawMessage `json:"channel_id"`
	Missing   json.RawMessage `json:"missing"`
}

func (in *groupInput) applyTo(g *store.Group) {
	in.Name.apply(&g.Name)
	in.Mode.apply(&g.Mode)
	in.MaxAttempts.apply(&g.MaxAttempts)
	if in.Members.Set {
		g.Members = make([]store.Member, len(in.Members.V))
		for i, m := range in.Members.V {
			g.Members[i] = store.Member{Channel: m.Channel, Model: m.Model, Priority: m.Priority, Weight: m.Weight}
		}
	}
}

// checkGroup validates what the store does not know: the Caddyfile's
// names, and that the group can be compiled.
func (h *Handler) checkGroup(g *store.Group) error {
	if len(g.Members) == 0 {
		return badField("members", "at least one member is required")
	}
	static := h.b.StaticConfig()
	for _, s := range static.Groups {
		if s.Name == g.Name {
			return staticClash("group", g.Name)
		}
	}
	for i, m := range g.Members {
		for _, s := range static.Channels {
			if s.Name == m.Channel {
				return badField(indexed("members", i)+".channel", "channel "+quote(m.Channel)+
					" is defined in the Caddyfile; groups created here can only use channels created here (declare the group in the Caddyfile instead)")
			}
		}
	}
	if g.Mode != "" && !routing.ValidMode(g.Mode) {
		return badField("mode", "unknown mode "+quote(g.Mode)+" (want "+strings.Join(routing.Modes, ", ")+")")
	}
	return nil
}

func storedGroupOutput(g *store.Group) groupOutput {
	created, updated := g.CreatedAt, g.UpdatedAt
	out := groupOutput{
		ID: g.ID, Source: SourceStore, Name: g.Name, Mode: g.Mode, MaxAttempts: g.MaxAttempts,
		Members: make([]memberOutput, len(g.Members)), CreatedAt: &created, UpdatedAt: &updated,
	}
	for i, m := range g.Members {
		out.Members[i] = memberOutput{Channel: m.Channel, Model: m.Model, Priority: m.Priority, Weight: m.Weight, Missing: m.Missing}
	}
	return out
}

func staticGroupOutput(g *routing.GroupConfig) groupOutput {
	mode := g.Mode
	if mode == "" {
		mode = store.DefaultGroupMode
	}
	out := groupOutput{
		ID: staticID(g.Name), Source: SourceCaddyfile, Name: g.Name, Mode: mode, MaxAttempts: g.MaxAttempts,
		Members: make([]memberOutput, len(g.Members)),
	}
	for i, m := range g.Members {
		w := m.Weight
		if w <= 0 {
			w = 1
		}
		out.Members[i] = memberOutput{Channel: m.Channel, Model: m.Model, Priority: m.Priority, Weight: w}
	}
	return out
}

// listGroups lists Caddyfile and store groups by name.
func (h *Handler) listGroups(c *call) error {
	st, err := h.store()
	if err != nil {
		return err
	}
	stored, err := st.ListGroups(c.r.Context())
	if err != nil {
		return err
	}
	static := h.b.StaticConfig().Groups
	out := make([]groupOutput, 0, len(static)+len(stored))
	for i := range static {
		out = append(out, staticGroupOutput(&static[i]))
	}
	for _, g := range stored {
		out = append(out, storedGroupOutput(g))
	}
	slices.SortStableFunc(out, func(a, b groupOutput) int { return strings.Compare(a.Name, b.Name) })
	return c.ok(out)
}

// findGroup resolves an id path segment: a Caddyfile group (static set)
// or a store group.
func (h *Handler) findGroup(ctx context.Context, param string) (*store.Group, *routing.GroupConfig, error) {
	id, err := parseID("group", param)
	if err != nil {
		return nil, nil, err
	}
	if id.static != "" {
		static := h.b.StaticConfig().Groups
		for i := range static {
			if static[i].Name == id.static {
				return nil, &static[i], nil
			}
		}
		return nil, nil, notFound("no group " + quote(id.static) + " in the Caddyfile")
	}
	st, err := h.store()
	if err != nil {
		return nil, nil, err
	}
	g, err := st.GetGroup(ctx, id.n)
	return g, nil, err
}

func (h *Handler) getGroup(c *call) error {
	g, static, err := h.findGroup(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if static != nil {
		return c.ok(staticGroupOutput(static))
	}
	return c.ok(storedGroupOutput(g))
}

func (h *Handler) createGroup(c *call) error {
	var in groupInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	var g store.Group
	in.applyTo(&g)
	if err := h.checkGroup(&g); err != nil {
		return err
	}
	out, err := write(h, c, "created group", func(ctx context.Context, st *store.Store) (*store.Group, error) {
		return st.CreateGroup(ctx, g)
	}, groupName)
	if err != nil {
		return err
	}
	return c.created(storedGroupOutput(out))
}

func (h *Handler) updateGroup(c *call) error {
	prev, static, err := h.findGroup(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if static != nil {
		return readOnly("group", static.Name)
	}
	var in groupInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	g := *prev
	in.applyTo(&g)
	if err := h.checkGroup(&g); err != nil {
		return err
	}
	out, err := write(h, c, "updated group", func(ctx context.Context, st *store.Store) (*store.Group, error) {
		return st.UpdateGroup(ctx, prev.ID, g)
	}, groupName)
	if err != nil {
		return err
	}
	return c.ok(storedGroupOutput(out))
}

func (h *Handler) deleteGroup(c *call) error {
	g, static, err := h.findGroup(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	if static != nil {
		return readOnly("group", static.Name)
	}
	if err := remove(h, c, "deleted group", g.Name, func(ctx context.Context, st *store.Store) error {
		return st.DeleteGroup(ctx, g.ID)
	}); err != nil {
		return err
	}
	return c.noContent()
}
