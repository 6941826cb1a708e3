package metrics

import (
	"strings"
	"sync"
	"sync/atomic"
)

// cowMap is a read-mostly map: readers load an immutable map without
// locks; a miss copies it under a mutex. Its keys are config names (a
// bounded set), so the copies stop once every name has been seen. It
// saves the request path the label hashing and read locks of a
// prometheus vector lookup per metric.
type cowMap[K comparable, V any] struct {
	mu sync.Mutex
	p  atomic.Pointer[map[K]V]
}

// get returns the value of k, building it with mk on the first use.
func (c *cowMap[K, V]) get(k K, mk func(K) V) V {
	if m := c.p.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.p.Load()
	if old != nil {
		if v, ok := (*old)[k]; ok {
			return v // built by another goroutine meanwhile
		}
	}
	next := make(map[K]V, 1+lenOf(old))
	if old != nil {
		for ok, ov := range *old {
			next[ok] = ov
		}
	}
	v := mk(k)
	next[k] = v
	c.p.Store(&next)
	return v
}

func lenOf[K comparable, V any](m *map[K]V) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// label makes s a valid label value: client_golang panics on invalid
// UTF-8, and a badly configured name must not crash a request.
func label(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
