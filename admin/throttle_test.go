package admin

import (
	"fmt"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestThrottleLocksAfterFreeFailuresAndDoubles(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	th := newThrottle(clk.now)
	u := userKey("admin")
	for i := 1; i < userFreeFailures; i++ {
		if d := th.fail(u); d != 0 {
			t.Fatalf("failure %d locked for %s", i, d)
		}
		if d := th.wait(u); d != 0 {
			t.Fatalf("wait after failure %d = %s", i, d)
		}
	}
	want := throttleBase
	for i := range 6 {
		if d := th.fail(u); d != want {
			t.Fatalf("locked failure %d: lock %s, want %s", i, d, want)
		}
		if d := th.wait(u); d != want {
			t.Fatalf("wait = %s, want %s", d, want)
		}
		clk.advance(want / 2)
		if d := th.wait(u); d != want/2 {
			t.Fatalf("wait half way = %s, want %s", d, want/2)
		}
		clk.advance(want / 2)
		if d := th.wait(u); d != 0 {
			t.Fatalf("wait after the lock = %s", d)
		}
		want = min(want*2, throttleMax)
	}
}

func TestThrottleCapsAtMax(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(clk.now)
	u := userKey("x")
	var d time.Duration
	for range 100 {
		d = th.fail(u)
	}
	if d != throttleMax {
		t.Fatalf("lock after 100 failures = %s, want %s", d, throttleMax)
	}
}

func TestThrottleKeysAreIndependent(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(clk.now)
	ip := ipKey("10.0.0.1")
	// Many usernames from one address: the address locks after its own
	// (higher) allowance, no single username does.
	for i := 1; i <= ipFreeFailures; i++ {
		th.fail(userKey(fmt.Sprint("user", i)), ip)
		locked := th.wait(ip) > 0
		if locked != (i >= ipFreeFailures) {
			t.Fatalf("after %d failures the address locked=%v", i, locked)
		}
	}
	if d := th.wait(userKey("user1")); d != 0 {
		t.Fatalf("user1 locked for %s after one failure", d)
	}
	if d := th.wait(userKey("user1"), ipKey("10.0.0.2")); d != 0 {
		t.Fatalf("another address is locked for %s", d)
	}
	if d := th.wait(userKey("fresh"), ip); d == 0 {
		t.Fatalf("the locked address is not reported with another username")
	}
}

func TestThrottleSuccessAndForgetting(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(clk.now)
	u := userKey("admin")
	for range userFreeFailures - 1 {
		th.fail(u)
	}
	th.succeed(u)
	if d := th.fail(u); d != 0 {
		t.Fatalf("success did not reset the count: locked %s", d)
	}
	for range userFreeFailures - 2 {
		th.fail(u)
	}
	clk.advance(throttleForget + time.Second)
	if d := th.fail(u); d != 0 {
		t.Fatalf("failures older than %s still count: locked %s", throttleForget, d)
	}
}

func TestThrottleBoundsMemory(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	th := newThrottle(clk.now)
	for i := range throttleMaxEntries + 10 {
		th.fail(userKey(fmt.Sprint(i)))
	}
	if n := len(th.entries); n > throttleMaxEntries {
		t.Fatalf("%d entries, want at most %d", n, throttleMaxEntries)
	}
}
