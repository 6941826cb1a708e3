package octopus

import (
	"fmt"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/routing"
)

func init() {
	httpcaddyfile.RegisterGlobalOption("octopus", parseGlobalOption)
	httpcaddyfile.RegisterHandlerDirective("octopus", parseHandler)
	// Before reverse_proxy, so a site can proxy what the gateway does not
	// serve; after the auth and rate-limit directives.
	httpcaddyfile.RegisterDirectiveOrder("octopus", httpcaddyfile.Before, "reverse_proxy")
}

// parseGlobalOption parses the `octopus` global option into the app config.
// Several `octopus` blocks merge; a name defined twice is an error.
//
//	octopus {
//		database sqlite|postgres|mysql <dsn>
//		admin_password <password>
//		stats_flush_interval <duration>
//		price_sync <url> [<interval>] | off
//		model_sync_interval <duration>
//		log_retention <duration>
//		log_bodies [on|off] [<max_bytes>]
//		channel <name> { ... }
//		group <name> { ... }
//		api_key <name> <secret> [{ ... }]
//	}
func parseGlobalOption(d *caddyfile.Dispenser, existing any) (any, error) {
	app := new(App)
	if existing != nil {
		prev, ok := existing.(httpcaddyfile.App)
		if !ok {
			return nil, d.Errf("unexpected existing value for octopus option: %T", existing)
		}
		if err := caddy.StrictUnmarshalJSON(prev.Value, app); err != nil {
			return nil, err
		}
	}
	if err := app.UnmarshalCaddyfile(d); err != nil {
		return nil, err
	}
	return httpcaddyfile.App{Name: "octopus", Value: caddyconfig.JSON(app, nil)}, nil
}

// memberRef remembers where a group member was written, so an unknown
// channel can be reported at its line once every channel is known.
type memberRef struct {
	group, channel string
	file           string
	line           int
}

// UnmarshalCaddyfile fills the app from an `octopus` global option block.
func (a *App) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // option name
	if d.NextArg() {
		return d.ArgErr()
	}
	seen := map[string]bool{}
	for _, c := range a.Channels {
		seen["channel/"+c.Name] = true
	}
	for _, g := range a.Groups {
		seen["group/"+g.Name] = true
	}
	for _, k := range a.APIKeys {
		seen["api_key/"+k.Name] = true
	}
	var refs []memberRef
	for d.NextBlock(0) {
		switch d.Val() {
		case "database":
			var driver, dsn string
			if !d.Args(&driver) {
				return d.ArgErr()
			}
			switch driver {
			case "sqlite", "postgres", "mysql":
			default:
				return d.Errf("unknown database driver %q (want sqlite, postgres or mysql)", driver)
			}
			if d.NextArg() {
				dsn = d.Val()
			} else if driver != "sqlite" {
				return d.Errf("database %s needs a connection string", driver)
			}
			if d.NextArg() {
				return d.ArgErr()
			}
			a.Database = &Database{Driver: driver, DSN: dsn}
		case "admin_password":
			if !d.NextArg() {
				return d.ArgErr()
			}
			a.AdminPassword = d.Val()
			if d.NextArg() {
				return d.ArgErr()
			}
		case "stats_flush_interval":
			dur, err := parseDurationArg(d)
			if err != nil {
				return err
			}
			a.StatsFlushInterval = dur
		case "model_sync_interval":
			dur, err := parseDurationArg(d)
			if err != nil {
				return err
			}
			a.ModelSyncInterval = dur
		case "log_retention":
			dur, err := parseDurationArg(d)
			if err != nil {
				return err
			}
			a.LogRetention = dur
		case "log_bodies":
			lb := &LogBodies{Enabled: true}
			args := d.RemainingArgs()
			if len(args) > 0 && (args[0] == "on" || args[0] == "off") {
				lb.Enabled = args[0] == "on"
				args = args[1:]
			}
			switch {
			case len(args) > 1, len(args) == 1 && !lb.Enabled:
				return d.Errf("log_bodies: want [on|off] [<max_bytes>], got %d extra argument(s)", len(args))
			case len(args) == 1:
				n, err := parseSize(args[0])
				if err != nil {
					return d.Errf("log_bodies max_bytes: %v", err)
				}
				lb.MaxBytes = n
			}
			a.LogBodies = lb
		case "price_sync":
			args := d.RemainingArgs()
			switch {
			case len(args) == 1 && args[0] == "off":
				a.PriceSync = &PriceSync{Disabled: true}
			case len(args) == 1 || len(args) == 2:
				ps := &PriceSync{URL: args[0]}
				if len(args) == 2 {
					dur, err := caddy.ParseDuration(args[1])
					if err != nil {
						return d.Errf("price_sync interval: %v", err)
					}
					ps.Interval = caddy.Duration(dur)
				}
				a.PriceSync = ps
			default:
				return d.ArgErr()
			}
		case "channel":
			ch, err := parseChannel(d)
			if err != nil {
				return err
			}
			if seen["channel/"+ch.Name] {
				return d.Errf("channel %q defined twice", ch.Name)
			}
			seen["channel/"+ch.Name] = true
			a.Channels = append(a.Channels, ch)
		case "group":
			g, r, err := parseGroup(d)
			if err != nil {
				return err
			}
			if seen["group/"+g.Name] {
				return d.Errf("group %q defined twice", g.Name)
			}
			seen["group/"+g.Name] = true
			refs = append(refs, r...)
			a.Groups = append(a.Groups, g)
		case "api_key":
			k, err := parseAPIKey(d)
			if err != nil {
				return err
			}
			if seen["api_key/"+k.Name] {
				return d.Errf("api_key %q defined twice", k.Name)
			}
			seen["api_key/"+k.Name] = true
			a.APIKeys = append(a.APIKeys, k)
		default:
			return d.Errf("unrecognized octopus option %q", d.Val())
		}
	}
	for _, r := range refs {
		if !seen["channel/"+r.channel] {
			return fmt.Errorf("group %q names unknown channel %q, at %s:%d", r.group, r.channel, r.file, r.line)
		}
	}
	return nil
}

func parseDurationArg(d *caddyfile.Dispenser) (caddy.Duration, error) {
	if !d.NextArg() {
		return 0, d.ArgErr()
	}
	dur, err := caddy.ParseDuration(d.Val())
	if err != nil {
		return 0, d.Errf("%s: %v", d.Val(), err)
	}
	if d.NextArg() {
		return 0, d.ArgErr()
	}
	return caddy.Duration(dur), nil
}

// parseChannel parses
//
//	channel <name> {
//		type <type>
//		base_url <url>
//		key <key>            # repeatable
//		models <model...>    # repeatable
//		header <name> <value>
//		proxy <url>
//		timeout <duration>
//		idle_timeout <duration>
//		token_url <url>
//		client_id <id>
//		client_secret <secret>
//		project <id>
//		disabled
//	}
func parseChannel(d *caddyfile.Dispenser) (routing.ChannelConfig, error) {
	var ch routing.ChannelConfig
	if !d.NextArg() {
		return ch, d.ArgErr()
	}
	ch.Name = d.Val()
	if d.NextArg() {
		return ch, d.ArgErr()
	}
	single := func(dst *string) error {
		if !d.NextArg() {
			return d.ArgErr()
		}
		*dst = d.Val()
		if d.NextArg() {
			return d.ArgErr()
		}
		return nil
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		var err error
		switch d.Val() {
		case "type":
			if err = single(&ch.Type); err == nil && provider.Lookup(ch.Type) == nil {
				err = d.Errf("channel %q: unknown type %q (want one of %s)", ch.Name, ch.Type, provider.TypeNames())
			}
		case "base_url":
			err = single(&ch.BaseURL)
		case "key":
			var k string
			if err = single(&k); err == nil {
				ch.Keys = append(ch.Keys, k)
			}
		case "models":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return ch, d.ArgErr()
			}
			ch.Models = append(ch.Models, args...)
		case "header":
			var name, value string
			if !d.Args(&name, &value) {
				return ch, d.ArgErr()
			}
			if d.NextArg() {
				return ch, d.ArgErr()
			}
			if ch.Headers == nil {
				ch.Headers = map[string]string{}
			}
			ch.Headers[name] = value
		case "proxy":
			err = single(&ch.Proxy)
		case "timeout":
			ch.Timeout, err = parseDurationArg(d)
		case "idle_timeout":
			ch.IdleTimeout, err = parseDurationArg(d)
		case "token_url":
			err = single(&ch.TokenURL)
		case "client_id":
			err = single(&ch.ClientID)
		case "client_secret":
			err = single(&ch.ClientSecret)
		case "project":
			err = single(&ch.Project)
		case "disabled":
			if d.NextArg() {
				return ch, d.ArgErr()
			}
			ch.Disabled = true
		default:
			return ch, d.Errf("channel %q: unrecognized subdirective %q", ch.Name, d.Val())
		}
		if err != nil {
			return ch, err
		}
	}
	if ch.Type == "" {
		return ch, d.Errf("channel %q: missing type (want one of %s)", ch.Name, provider.TypeNames())
	}
	if len(ch.Keys) == 0 {
		return ch, d.Errf("channel %q: at least one key is required", ch.Name)
	}
	return ch, nil
}

// parseGroup parses
//
//	group <name> {
//		mode round_robin|random|failover|weighted
//		channel <channel> <upstream model> [priority <n>] [weight <n>]
//		max_attempts <n>
//	}
func parseGroup(d *caddyfile.Dispenser) (routing.GroupConfig, []memberRef, error) {
	var g routing.GroupConfig
	var refs []memberRef
	if !d.NextArg() {
		return g, nil, d.ArgErr()
	}
	g.Name = d.Val()
	if d.NextArg() {
		return g, nil, d.ArgErr()
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch d.Val() {
		case "mode":
			if !d.NextArg() {
				return g, nil, d.ArgErr()
			}
			g.Mode = d.Val()
			if !routing.ValidMode(g.Mode) {
				return g, nil, d.Errf("group %q: unknown mode %q (want round_robin, random, failover or weighted)", g.Name, g.Mode)
			}
			if d.NextArg() {
				return g, nil, d.ArgErr()
			}
		case "channel":
			var m routing.MemberConfig
			if !d.Args(&m.Channel, &m.Model) {
				return g, nil, d.Errf("group %q: channel needs a channel name and an upstream model", g.Name)
			}
			for d.NextArg() {
				opt := d.Val()
				if !d.NextArg() {
					return g, nil, d.Errf("group %q: %s needs a number", g.Name, opt)
				}
				n, err := strconv.Atoi(d.Val())
				if err != nil {
					return g, nil, d.Errf("group %q: %s %q is not a number", g.Name, opt, d.Val())
				}
				switch opt {
				case "priority":
					m.Priority = n
				case "weight":
					if n < 1 {
						return g, nil, d.Errf("group %q: weight must be at least 1", g.Name)
					}
					m.Weight = n
				default:
					return g, nil, d.Errf("group %q: unrecognized member option %q (want priority or weight)", g.Name, opt)
				}
			}
			for _, prev := range g.Members {
				if prev.Channel == m.Channel && prev.Model == m.Model {
					return g, nil, d.Errf("group %q: member %s %s listed twice", g.Name, m.Channel, m.Model)
				}
			}
			refs = append(refs, memberRef{group: g.Name, channel: m.Channel, file: d.File(), line: d.Line()})
			g.Members = append(g.Members, m)
		case "max_attempts":
			if !d.NextArg() {
				return g, nil, d.ArgErr()
			}
			n, err := strconv.Atoi(d.Val())
			if err != nil || n < 1 {
				return g, nil, d.Errf("group %q: max_attempts must be a positive number", g.Name)
			}
			g.MaxAttempts = n
		default:
			return g, nil, d.Errf("group %q: unrecognized subdirective %q", g.Name, d.Val())
		}
	}
	if len(g.Members) == 0 {
		return g, nil, d.Errf("group %q: at least one channel member is required", g.Name)
	}
	return g, refs, nil
}

// parseAPIKey parses
//
//	api_key <name> <secret> {
//		models <group...>
//		max_cost <usd>
//		expires <RFC 3339 time>
//		disabled
//	}
func parseAPIKey(d *caddyfile.Dispenser) (routing.APIKeyConfig, error) {
	var k routing.APIKeyConfig
	if !d.Args(&k.Name, &k.Secret) {
		return k, d.Errf("api_key needs a name and a secret")
	}
	if d.NextArg() {
		return k, d.ArgErr()
	}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		switch d.Val() {
		case "models":
			args := d.RemainingArgs()
			if len(args) == 0 {
				return k, d.ArgErr()
			}
			k.Models = append(k.Models, args...)
		case "max_cost":
			if !d.NextArg() {
				return k, d.ArgErr()
			}
			f, err := strconv.ParseFloat(d.Val(), 64)
			if err != nil || f < 0 {
				return k, d.Errf("api_key %q: max_cost %q is not a positive number of USD", k.Name, d.Val())
			}
			k.MaxCost = f
			if d.NextArg() {
				return k, d.ArgErr()
			}
		case "expires":
			if !d.NextArg() {
				return k, d.ArgErr()
			}
			t, err := time.Parse(time.RFC3339, d.Val())
			if err != nil {
				return k, d.Errf("api_key %q: expires %q is not an RFC 3339 time such as 2027-01-01T00:00:00Z", k.Name, d.Val())
			}
			k.Expires = t
			if d.NextArg() {
				return k, d.ArgErr()
			}
		case "disabled":
			if d.NextArg() {
				return k, d.ArgErr()
			}
			k.Disabled = true
		default:
			return k, d.Errf("api_key %q: unrecognized subdirective %q", k.Name, d.Val())
		}
	}
	return k, nil
}

// parseHandler parses the `octopus` directive:
//
//	octopus {
//		max_body_size <size>
//	}
func parseHandler(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile sets up the handler from Caddyfile tokens.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "max_body_size":
			if !d.NextArg() {
				return d.ArgErr()
			}
			size, err := parseSize(d.Val())
			if err != nil {
				return d.Errf("max_body_size: %v", err)
			}
			h.MaxBodySize = size
			if d.NextArg() {
				return d.ArgErr()
			}
		default:
			return d.Errf("unrecognized octopus subdirective %q", d.Val())
		}
	}
	return nil
}

// Interface guards
var (
	_ caddyfile.Unmarshaler = (*App)(nil)
	_ caddyfile.Unmarshaler = (*Handler)(nil)
)
