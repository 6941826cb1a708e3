package routing

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/transform"
)

// Default timeouts of a channel.
const (
	DefaultTimeout     = 5 * time.Minute
	DefaultIdleTimeout = 5 * time.Minute
)

// Snapshot is the compiled, immutable routing state. The relay loads it
// once per request from an atomic pointer and never locks.
type Snapshot struct {
	keys     map[[32]byte]*Key
	groups   map[string]*Group
	channels map[string]*Channel
	// direct maps an upstream model served by exactly one channel, and by
	// no group of that name, to a one-member group, so it may pass
	// straight through.
	direct map[string]*Group
	// names are the group names in sorted order (model lists).
	names []string
}

// Key is a compiled client key.
type Key struct {
	Name     string
	hash     [32]byte
	models   map[string]struct{} // nil: every group
	Expires  time.Time
	MaxCost  float64
	Disabled bool
}

// Channel is a compiled channel.
type Channel struct {
	Name        string
	Type        *provider.Type
	Format      transform.Format
	BaseURL     string
	Keys        []string
	Models      []string
	Headers     http.Header
	Client      *http.Client
	Timeout     time.Duration
	IdleTimeout time.Duration
	Disabled    bool
	// OAuth holds the Antigravity OAuth settings.
	OAuth OAuth
}

// OAuth is an Antigravity channel's token settings.
type OAuth struct {
	TokenURL, ClientID, ClientSecret, Project string
}

// Group is a compiled group.
type Group struct {
	Name        string
	Members     []*Member
	MaxAttempts int
	plan        *plan
}

// Member is one compiled group member.
type Member struct {
	Channel  *Channel
	Model    string
	Priority int
	Weight   int
}

// HashSecret returns the lookup hash of a client key secret.
func HashSecret(secret string) [32]byte { return sha256.Sum256([]byte(secret)) }

// Authenticate returns the key whose secret is secret. The lookup is by
// SHA-256, and the final comparison is constant-time, so response timing
// says nothing about how much of a guess was right.
func (s *Snapshot) Authenticate(secret string) (*Key, bool) {
	if secret == "" {
		return nil, false
	}
	h := HashSecret(secret)
	k, ok := s.keys[h]
	if !ok || subtle.ConstantTimeCompare(h[:], k.hash[:]) != 1 {
		return nil, false
	}
	return k, true
}

// Allows reports whether the key may use the group called name.
func (k *Key) Allows(name string) bool {
	if k.models == nil {
		return true
	}
	_, ok := k.models[name]
	return ok
}

// Expired reports whether the key has expired at now.
func (k *Key) Expired(now time.Time) bool { return !k.Expires.IsZero() && now.After(k.Expires) }

// Resolve returns the group that serves model: a group of that name, or a
// channel model served by exactly one channel.
func (s *Snapshot) Resolve(model string) (*Group, bool) {
	if g, ok := s.groups[model]; ok {
		return g, true
	}
	g, ok := s.direct[model]
	return g, ok
}

// Models returns the group names the key may use, sorted.
func (s *Snapshot) Models(k *Key) []string {
	out := make([]string, 0, len(s.names))
	for _, n := range s.names {
		if k == nil || k.Allows(n) {
			out = append(out, n)
		}
	}
	return out
}

// Channel returns the channel called name.
func (s *Snapshot) Channel(name string) (*Channel, bool) {
	c, ok := s.channels[name]
	return c, ok
}

// Compile validates cfg and builds a snapshot bound to rt. Errors name the
// object at fault and say what to fix.
func Compile(cfg Config, rt *Runtime) (*Snapshot, error) {
	s := &Snapshot{
		keys:     make(map[[32]byte]*Key, len(cfg.Keys)),
		groups:   make(map[string]*Group, len(cfg.Groups)),
		channels: make(map[string]*Channel, len(cfg.Channels)),
		direct:   map[string]*Group{},
	}
	for _, c := range cfg.Channels {
		ch, err := compileChannel(c, rt)
		if err != nil {
			return nil, err
		}
		if _, dup := s.channels[c.Name]; dup {
			return nil, fmt.Errorf("channel %q defined twice", c.Name)
		}
		s.channels[c.Name] = ch
	}
	for _, g := range cfg.Groups {
		if _, dup := s.groups[g.Name]; dup {
			return nil, fmt.Errorf("group %q defined twice", g.Name)
		}
		cg, err := s.compileGroup(g, rt)
		if err != nil {
			return nil, err
		}
		s.groups[g.Name] = cg
		s.names = append(s.names, g.Name)
	}
	// Models served by exactly one channel may be called by their own name.
	servedBy := map[string][]*Channel{}
	for _, c := range cfg.Channels {
		ch := s.channels[c.Name]
		for _, m := range ch.Models {
			servedBy[m] = append(servedBy[m], ch)
		}
	}
	for m, chs := range servedBy {
		if len(chs) != 1 || s.groups[m] != nil {
			continue
		}
		g, err := s.compileGroup(GroupConfig{Name: m, Members: []MemberConfig{{Channel: chs[0].Name, Model: m}}}, rt)
		if err != nil {
			return nil, err
		}
		s.direct[m] = g
	}
	slices.Sort(s.names)

	names := map[string]bool{}
	for _, k := range cfg.Keys {
		if k.Name == "" {
			return nil, fmt.Errorf("api_key without a name")
		}
		if names[k.Name] {
			return nil, fmt.Errorf("api_key %q defined twice", k.Name)
		}
		names[k.Name] = true
		var h [32]byte
		if k.Secret == "" && k.SecretHash != "" {
			if b, err := hex.DecodeString(k.SecretHash); err != nil || len(b) != 32 {
				return nil, fmt.Errorf("api_key %q: bad stored hash", k.Name)
			} else {
				copy(h[:], b)
			}
		} else {
			if len(k.Secret) < 8 {
				return nil, fmt.Errorf("api_key %q: the secret must be at least 8 characters", k.Name)
			}
			h = HashSecret(k.Secret)
		}
		if prev, dup := s.keys[h]; dup {
			return nil, fmt.Errorf("api_key %q has the same secret as api_key %q", k.Name, prev.Name)
		}
		ck := &Key{Name: k.Name, hash: h, Expires: k.Expires, MaxCost: k.MaxCost, Disabled: k.Disabled}
		if len(k.Models) > 0 {
			ck.models = make(map[string]struct{}, len(k.Models))
			for _, m := range k.Models {
				ck.models[m] = struct{}{}
			}
		}
		s.keys[h] = ck
	}
	return s, nil
}

// Retain makes rt forget the health state of channels, keys and groups
// this snapshot no longer serves. Call it once the snapshot is live (not at
// compile time: a config that fails to start must not disturb the running
// one).
func (s *Snapshot) Retain(rt *Runtime) {
	plans := make([]*plan, 0, len(s.groups)+len(s.direct))
	for _, g := range s.groups {
		plans = append(plans, g.plan)
	}
	for _, g := range s.direct {
		plans = append(plans, g.plan)
	}
	rt.balance.st.Retain(plans...)
}

func compileChannel(c ChannelConfig, rt *Runtime) (*Channel, error) {
	t := provider.Lookup(c.Type)
	if t == nil {
		return nil, fmt.Errorf("channel %q: unknown type %q (want one of %s)", c.Name, c.Type, provider.TypeNames())
	}
	if c.Name == "" {
		return nil, fmt.Errorf("channel without a name")
	}
	if len(c.Keys) == 0 {
		return nil, fmt.Errorf("channel %q: at least one key is required", c.Name)
	}
	for i, k := range c.Keys {
		if strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("channel %q: key %d is empty", c.Name, i+1)
		}
	}
	tr, err := rt.transport(c.Proxy)
	if err != nil {
		return nil, fmt.Errorf("channel %q: %v", c.Name, err)
	}
	base := c.BaseURL
	if base == "" {
		base = t.DefaultBaseURL
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("channel %q: base_url %q must start with http:// or https://", c.Name, base)
	}
	h := make(http.Header, len(c.Headers))
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	ch := &Channel{
		Name: c.Name, Type: t, Format: t.Format, BaseURL: strings.TrimRight(base, "/"),
		Keys: c.Keys, Models: c.Models, Headers: h,
		Client:      &http.Client{Transport: tr, CheckRedirect: noRedirect},
		Timeout:     durationOr(time.Duration(c.Timeout), DefaultTimeout),
		IdleTimeout: durationOr(time.Duration(c.IdleTimeout), DefaultIdleTimeout),
		Disabled:    c.Disabled,
	}
	ch.OAuth = OAuth{TokenURL: c.TokenURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret, Project: c.Project}
	return ch, nil
}

// noRedirect keeps POST bodies from being replayed to a redirect target.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (s *Snapshot) compileGroup(g GroupConfig, rt *Runtime) (*Group, error) {
	if !ValidMode(g.Mode) {
		return nil, fmt.Errorf("group %q: unknown mode %q (want round_robin, random, failover or weighted)", g.Name, g.Mode)
	}
	if len(g.Members) == 0 {
		return nil, fmt.Errorf("group %q: at least one member is required", g.Name)
	}
	cg := &Group{Name: g.Name, MaxAttempts: g.MaxAttempts}
	for _, m := range g.Members {
		ch, ok := s.channels[m.Channel]
		if !ok {
			return nil, fmt.Errorf("group %q: unknown channel %q", g.Name, m.Channel)
		}
		if m.Model == "" {
			return nil, fmt.Errorf("group %q: member %q has no upstream model", g.Name, m.Channel)
		}
		w := m.Weight
		if w <= 0 {
			w = 1
		}
		cg.Members = append(cg.Members, &Member{Channel: ch, Model: m.Model, Priority: m.Priority, Weight: w})
	}
	p, err := rt.balance.plan(g.Name, g.Mode, cg.Members, g.MaxAttempts)
	if err != nil {
		return nil, fmt.Errorf("group %q: %v", g.Name, err)
	}
	cg.plan = p
	return cg, nil
}
