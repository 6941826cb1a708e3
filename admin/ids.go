package admin

import (
	"strconv"
	"strings"
)

// StaticIDPrefix starts the id of an object declared in the Caddyfile:
// "caddyfile:<name>" (URL-escape the name in paths). Store objects have
// numeric ids.
const StaticIDPrefix = "caddyfile:"

// objectID is a parsed {id} path segment.
type objectID struct {
	// n is the store id; 0 for a Caddyfile object.
	n int
	// static is the Caddyfile object's name.
	static string
}

// parseID reads an id segment; anything else is a 404 for kind.
func parseID(kind, s string) (objectID, error) {
	if name, ok := strings.CutPrefix(s, StaticIDPrefix); ok && name != "" {
		return objectID{static: name}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return objectID{}, notFound("no " + kind + " with id " + strconv.Quote(s) + " (ids are numbers, or " + StaticIDPrefix + "<name> for objects from the Caddyfile)")
	}
	return objectID{n: n}, nil
}

// staticID is the id of a Caddyfile object.
func staticID(name string) string { return StaticIDPrefix + name }

// readOnly is the 409 answer to a change of a Caddyfile object.
func readOnly(kind, name string) *apiError {
	return conflict(kind + " " + strconv.Quote(name) + " is defined in the Caddyfile and is read-only here; change it in the Caddyfile and reload")
}

// staticClash is the 409 answer to a store object named like a Caddyfile one.
func staticClash(kind, name string) *apiError {
	return conflict("a " + kind + " named " + strconv.Quote(name) + " is defined in the Caddyfile; choose another name")
}
