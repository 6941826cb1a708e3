// Package ent holds the store's entity schema (ent/schema, hand-written) and
// the code ent generates from it (everything else in this directory).
//
// Regenerate after editing a schema with `go generate ./ent`. The CLI is run
// through `go run -mod=mod` so it is always the same version as the ent
// library in go.mod.
package ent

//go:generate go run -mod=mod entgo.io/ent/cmd/ent generate --feature sql/upsert,sql/execquery,sql/modifier ./schema
