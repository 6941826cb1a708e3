package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/ent"
	entchannel "github.com/octopuscaddy/octopus/ent/channel"
	entgroup "github.com/octopuscaddy/octopus/ent/group"
	"github.com/octopuscaddy/octopus/ent/groupmember"
	"github.com/octopuscaddy/octopus/ent/schema"
)

// Group modes, in the order the UI offers them.
var GroupModes = []string{"round_robin", "random", "failover", "weighted"}

// DefaultGroupMode is the mode of a group that names none.
const DefaultGroupMode = "round_robin"

// Group is a public model name served by one or more members. As input to
// CreateGroup and UpdateGroup, ID, CreatedAt and UpdatedAt are ignored.
type Group struct {
	ID int `json:"id"`
	// Name is the model name clients send.
	Name string `json:"name"`
	// Mode is one of GroupModes; empty means DefaultGroupMode.
	Mode string `json:"mode"`
	// MaxAttempts bounds the attempts of one request; 0: each member once.
	MaxAttempts int       `json:"max_attempts"`
	Members     []Member  `json:"members"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Member is one entry of a group.
type Member struct {
	// Channel names a stored channel.
	Channel string `json:"channel"`
	// ChannelID is filled in on output; ignored on input.
	ChannelID int `json:"channel_id"`
	// Model is the upstream model sent to the channel.
	Model string `json:"model"`
	// Priority orders members in failover mode: lower first.
	Priority int `json:"priority"`
	// Weight is the share in weighted mode; 0 on input means 1.
	Weight int `json:"weight"`
	// Missing is set by model sync when the channel stopped listing Model.
	// Ignored on input.
	Missing bool `json:"missing"`
}

// CreateGroup validates g and stores it with its members. Members name
// channels by name; an unknown channel is a *ValidationError naming it.
func (s *Store) CreateGroup(ctx context.Context, g Group) (*Group, error) {
	if err := checkGroup(&g); err != nil {
		return nil, err
	}
	var id int
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := groupNameFree(ctx, tx, g.Name, 0); err != nil {
			return err
		}
		row, err := tx.Group.Create().SetName(g.Name).SetMode(g.Mode).SetMaxAttempts(g.MaxAttempts).Save(ctx)
		if err != nil {
			return mapErr(err, "group", g.Name)
		}
		id = row.ID
		if err := insertMembers(ctx, tx, id, g.Members); err != nil {
			return err
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return s.GetGroup(ctx, id)
}

// UpdateGroup replaces group id's name, mode, attempts and members in one
// transaction: either everything changes or nothing does.
func (s *Store) UpdateGroup(ctx context.Context, id int, g Group) (*Group, error) {
	if err := checkGroup(&g); err != nil {
		return nil, err
	}
	err := s.withTx(ctx, func(tx *ent.Tx) error {
		if err := groupNameFree(ctx, tx, g.Name, id); err != nil {
			return err
		}
		err := tx.Group.UpdateOneID(id).SetName(g.Name).SetMode(g.Mode).SetMaxAttempts(g.MaxAttempts).Exec(ctx)
		if err != nil {
			return mapErr(err, "group", id)
		}
		if _, err := tx.GroupMember.Delete().Where(groupmember.GroupID(id)).Exec(ctx); err != nil {
			return fmt.Errorf("store: clear members of group %q: %w", g.Name, err)
		}
		if err := insertMembers(ctx, tx, id, g.Members); err != nil {
			return err
		}
		return bumpVersion(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return s.GetGroup(ctx, id)
}

// GetGroup returns group id with its members.
func (s *Store) GetGroup(ctx context.Context, id int) (*Group, error) {
	g, err := groupQuery(s.client.Group.Query().Where(entgroup.ID(id))).Only(ctx)
	if err != nil {
		return nil, mapErr(err, "group", id)
	}
	return groupFromEnt(g), nil
}

// GetGroupByName returns the group called name with its members.
func (s *Store) GetGroupByName(ctx context.Context, name string) (*Group, error) {
	g, err := groupQuery(s.client.Group.Query().Where(entgroup.Name(name))).Only(ctx)
	if err != nil {
		return nil, mapErr(err, "group", name)
	}
	return groupFromEnt(g), nil
}

// ListGroups returns every group with its members, ordered by name.
func (s *Store) ListGroups(ctx context.Context) ([]*Group, error) {
	rows, err := groupQuery(s.client.Group.Query()).Order(ent.Asc(entgroup.FieldName)).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: list groups: %w", err)
	}
	out := make([]*Group, len(rows))
	for i, r := range rows {
		out[i] = groupFromEnt(r)
	}
	return out, nil
}

// DeleteGroup deletes group id and its members.
func (s *Store) DeleteGroup(ctx context.Context, id int) error {
	return s.withTx(ctx, func(tx *ent.Tx) error {
		// Members go first rather than relying on ON DELETE CASCADE, so the
		// outcome does not depend on how the database was configured.
		if _, err := tx.GroupMember.Delete().Where(groupmember.GroupID(id)).Exec(ctx); err != nil {
			return fmt.Errorf("store: delete members of group %d: %w", id, err)
		}
		if err := tx.Group.DeleteOneID(id).Exec(ctx); err != nil {
			return mapErr(err, "group", id)
		}
		return bumpVersion(ctx, tx)
	})
}

// groupQuery eager-loads members (ordered by priority, then as entered)
// and their channels' names.
func groupQuery(q *ent.GroupQuery) *ent.GroupQuery {
	return q.WithMembers(func(m *ent.GroupMemberQuery) {
		m.Order(ent.Asc(groupmember.FieldPriority), ent.Asc(groupmember.FieldID)).
			WithChannel(func(c *ent.ChannelQuery) { c.Select(entchannel.FieldName) })
	})
}

// insertMembers resolves the members' channel names inside tx (so a channel
// deleted concurrently cannot slip through) and inserts them.
func insertMembers(ctx context.Context, tx *ent.Tx, groupID int, members []Member) error {
	if len(members) == 0 {
		return nil
	}
	names := make([]string, 0, len(members))
	for _, m := range members {
		names = append(names, m.Channel)
	}
	rows, err := tx.Channel.Query().
		Where(entchannel.NameIn(names...)).
		Select(entchannel.FieldID, entchannel.FieldName).
		All(ctx)
	if err != nil {
		return fmt.Errorf("store: look up member channels: %w", err)
	}
	ids := make(map[string]int, len(rows))
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	builders := make([]*ent.GroupMemberCreate, len(members))
	for i, m := range members {
		cid, ok := ids[m.Channel]
		if !ok {
			return invalid("members["+strconv.Itoa(i)+"].channel", "unknown channel %q", m.Channel)
		}
		builders[i] = tx.GroupMember.Create().
			SetGroupID(groupID).SetChannelID(cid).SetModel(m.Model).
			SetPriority(m.Priority).SetWeight(m.Weight)
	}
	if err := tx.GroupMember.CreateBulk(builders...).Exec(ctx); err != nil {
		return mapErr(err, "group member", groupID)
	}
	return nil
}

// checkGroup validates g and fills in defaults.
func checkGroup(g *Group) error {
	if err := checkName("name", g.Name, schema.ModelMaxLen); err != nil {
		return err
	}
	if g.Mode == "" {
		g.Mode = DefaultGroupMode
	}
	if !slices.Contains(GroupModes, g.Mode) {
		return invalid("mode", "unknown mode %q (want one of %s)", g.Mode, strings.Join(GroupModes, ", "))
	}
	if g.MaxAttempts < 0 {
		return invalid("max_attempts", "must not be negative")
	}
	type key struct{ channel, model string }
	seen := make(map[key]int, len(g.Members))
	members := make([]Member, len(g.Members))
	for i, m := range g.Members {
		f := "members[" + strconv.Itoa(i) + "]"
		if err := checkName(f+".channel", m.Channel, schema.NameMaxLen); err != nil {
			return err
		}
		if err := checkModel(f+".model", m.Model); err != nil {
			return err
		}
		if m.Weight < 0 {
			return invalid(f+".weight", "must not be negative")
		}
		if m.Weight == 0 {
			m.Weight = 1
		}
		k := key{m.Channel, m.Model}
		if j, dup := seen[k]; dup {
			return invalid(f, "channel %q with model %q is already members[%d]", m.Channel, m.Model, j)
		}
		seen[k] = i
		members[i] = Member{Channel: m.Channel, Model: m.Model, Priority: m.Priority, Weight: m.Weight}
	}
	g.Members = members
	return nil
}

// groupNameFree fails with a *ConflictError when another group than except
// is called name.
func groupNameFree(ctx context.Context, tx *ent.Tx, name string, except int) error {
	q := tx.Group.Query().Where(entgroup.Name(name))
	if except != 0 {
		q = q.Where(entgroup.IDNEQ(except))
	}
	taken, err := q.Exist(ctx)
	if err != nil {
		return fmt.Errorf("store: check group name: %w", err)
	}
	if taken {
		return conflict("a group named %q already exists", name)
	}
	return nil
}

// groupFromEnt converts a row loaded by groupQuery.
func groupFromEnt(g *ent.Group) *Group {
	out := &Group{
		ID: g.ID, Name: g.Name, Mode: g.Mode, MaxAttempts: g.MaxAttempts,
		Members:   make([]Member, 0, len(g.Edges.Members)),
		CreatedAt: g.CreatedAt.UTC(), UpdatedAt: g.UpdatedAt.UTC(),
	}
	for _, m := range g.Edges.Members {
		mm := Member{ChannelID: m.ChannelID, Model: m.Model, Priority: m.Priority, Weight: m.Weight, Missing: m.Missing}
		if m.Edges.Channel != nil {
			mm.Channel = m.Edges.Channel.Name
		}
		out.Members = append(out.Members, mm)
	}
	return out
}
