package admin

import (
	"sync"
	"time"
)

// Login throttling: a username may fail userFreeFailures times, a client
// address ipFreeFailures times (several users may share one NAT), before
// each further failure locks that name or address out for throttleBase,
// doubling per failure up to throttleMax. A key with no failure for
// throttleForget starts over; a successful login clears the username.
const (
	userFreeFailures = 5
	ipFreeFailures   = 20
	throttleBase     = 30 * time.Second
	throttleMax      = 15 * time.Minute
	throttleForget   = time.Hour
	// throttleMaxEntries bounds memory when someone tries many names.
	throttleMaxEntries = 100_000
)

// throttle counts failed logins per username and per client address.
type throttle struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[throttleKey]*failures
}

type throttleKey struct {
	ip   bool // address rather than username
	name string
}

type failures struct {
	n     int
	until time.Time // locked until then
	last  time.Time // last failure
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, entries: map[throttleKey]*failures{}}
}

func userKey(name string) throttleKey {
	if len(name) > 256 {
		name = name[:256]
	}
	return throttleKey{name: name}
}

func ipKey(ip string) throttleKey { return throttleKey{ip: true, name: ip} }

// wait returns how long the caller must wait before trying keys again;
// zero when none is locked.
func (t *throttle) wait(keys ...throttleKey) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var d time.Duration
	for _, k := range keys {
		if f, ok := t.entries[k]; ok {
			d = max(d, f.until.Sub(now))
		}
	}
	return d
}

// fail records a failed login for keys and returns the resulting wait.
func (t *throttle) fail(keys ...throttleKey) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) >= throttleMaxEntries {
		t.sweepLocked(now)
	}
	var d time.Duration
	for _, k := range keys {
		f, ok := t.entries[k]
		if !ok || now.Sub(f.last) > throttleForget {
			f = &failures{}
			t.entries[k] = f
		}
		f.n++
		f.last = now
		free := userFreeFailures
		if k.ip {
			free = ipFreeFailures
		}
		if over := f.n - free; over >= 0 {
			lock := throttleMax
			if over < 16 {
				lock = min(throttleBase<<over, throttleMax)
			}
			f.until = now.Add(lock)
			d = max(d, lock)
		}
	}
	return d
}

// succeed forgets the failures of keys.
func (t *throttle) succeed(keys ...throttleKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.entries, k)
	}
}

// sweepLocked drops entries that no longer matter; if the map is still
// full, it drops every unlocked entry rather than grow without bound.
func (t *throttle) sweepLocked(now time.Time) {
	for k, f := range t.entries {
		if now.Sub(f.last) > throttleForget && !now.Before(f.until) {
			delete(t.entries, k)
		}
	}
	if len(t.entries) < throttleMaxEntries {
		return
	}
	for k, f := range t.entries {
		if !now.Before(f.until) {
			delete(t.entries, k)
		}
	}
}
