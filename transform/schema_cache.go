package transform

import "sync"

// Agents send the same tool schemas with every request of a conversation,
// and cleaning a schema (parse, rewrite, serialize) costs far more than
// looking it up, so cleaned schemas are cached, one map per target. The
// cache is bounded in entries and in schema size; when a map is full an
// arbitrary entry is evicted, which is good enough for a working set that
// is mostly a handful of tool lists.
const (
	schemaCacheEntries  = 1024 // per target
	schemaCacheMaxBytes = 32 << 10
)

type schemaCacheEntry struct {
	out []byte
	ok  bool
}

var schemaCache struct {
	sync.RWMutex
	m [SchemaAntigravityResponse + 1]map[string]schemaCacheEntry
}

// cleanSchemaCached is cleanSchema with the cache in front. The returned
// slice may be shared: callers must only read it.
func cleanSchemaCached(schema []byte, target SchemaTarget) ([]byte, bool) {
	if len(schema) == 0 || len(schema) > schemaCacheMaxBytes || int(target) >= len(schemaCache.m) {
		return cleanSchema(schema, target)
	}
	schemaCache.RLock()
	e, hit := schemaCache.m[target][string(schema)] // no allocation for the lookup
	schemaCache.RUnlock()
	if hit {
		return e.out, e.ok
	}
	out, ok := cleanSchema(schema, target)
	if len(out) > 0 && &out[0] == &schema[0] {
		// Unchanged input: cache a copy, never the caller's buffer.
		out = append([]byte(nil), out...)
	}
	schemaCache.Lock()
	m := schemaCache.m[target]
	if m == nil {
		m = make(map[string]schemaCacheEntry)
		schemaCache.m[target] = m
	}
	if len(m) >= schemaCacheEntries {
		for k := range m {
			delete(m, k)
			break
		}
	}
	m[string(schema)] = schemaCacheEntry{out: out, ok: ok}
	schemaCache.Unlock()
	return out, ok
}
