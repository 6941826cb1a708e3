package octopus

import (
	"github.com/caddyserver/caddy/v2"

	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/usage"
)

// sharedPool keeps the state that must outlive one config across `caddy
// reload`: balancer counters and breakers, and upstream connection pools.
// Caddy provisions the new config before it stops the old one, so the
// reference count never drops to zero during a reload.
var sharedPool = caddy.NewUsagePool()

const sharedKey = "octopus"

// sharedState is the value kept in sharedPool.
type sharedState struct {
	runtime *routing.Runtime
	// tokens caches Antigravity access tokens and projects.
	tokens *antigravity.Tokens
	// spend tracks what each client key spent, for max_cost.
	spend *usage.Spend
}

// Destruct runs when the last config using the state goes away.
func (s *sharedState) Destruct() error {
	s.runtime.Close()
	return nil
}

func acquireShared() *sharedState {
	v, _, _ := sharedPool.LoadOrNew(sharedKey, func() (caddy.Destructor, error) {
		// Built inside the constructor so a reload that finds the value
		// already present allocates nothing that could leak.
		return &sharedState{runtime: routing.NewRuntime(), tokens: new(antigravity.Tokens), spend: new(usage.Spend)}, nil
	})
	return v.(*sharedState)
}

func releaseShared() { _, _ = sharedPool.Delete(sharedKey) }

func (s *sharedState) deps() *routing.Runtime { return s.runtime }
