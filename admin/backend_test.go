package admin

import (
	"context"

	"github.com/octopuscaddy/octopus/provider/antigravity"
	"github.com/octopuscaddy/octopus/reqlog"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
)

// nilBackend is an app that has not started.
type nilBackend struct{}

func (nilBackend) Store() *store.Store               { return nil }
func (nilBackend) StaticConfig() routing.Config      { return routing.Config{} }
func (nilBackend) Snapshot() *routing.Snapshot       { return nil }
func (nilBackend) Runtime() *routing.Runtime         { return nil }
func (nilBackend) Tokens() *antigravity.Tokens       { return nil }
func (nilBackend) Changed(ctx context.Context) error { return nil }
func (nilBackend) RequestLogs() *reqlog.Writer       { return nil }
