// Package balancer orders the attempts of one relay request over the
// members of a group and keeps the health of every (channel, key, model).
//
// It is pure Go with no dependency on Caddy or on the rest of the gateway.
// Two kinds of value are involved:
//
//   - A *State holds everything that must survive a config reload: the
//     per-group rotation counters, the per-channel key rotation counters and
//     the circuit breakers. The Caddy app keeps one State in a
//     caddy.UsagePool.
//   - A *Plan is the compiled, immutable form of one group. Plans are
//     rebuilt on every reload by State.Compile and bound to the State by
//     group name (counters) and by (channel, key, model) (breakers). All
//     pointers are resolved at compile time, so the request path does no
//     map lookup and takes no lock: only atomic loads, adds and
//     compare-and-swaps.
//
// # Per request
//
//	it := plan.Attempts(now)
//	for a, ok := it.Next(); ok; a, ok = it.Next() {
//		// call member a.Member with key a.Key, then report exactly once:
//		// a.Success(), a.Failure(), a.RateLimited(d), a.AuthFailed() or
//		// a.Release() when no verdict on the upstream was reached.
//	}
//	// nothing worked: answer 503 with Retry-After = it.RetryAfter()
//
// The first attempt goes to the member chosen by the mode; the others
// follow as fallbacks, each member at most once. For every member one key
// is chosen by rotation, skipping keys that are resting after a 429 or
// whose breaker is open. After a 429 or a 401/403 the next attempt stays on
// the same member with its next usable key, because those answers are
// about the key, not about the upstream; after any other failure it moves
// on to the next member, because another key of a failing upstream rarely
// helps. Group.MaxAttempts bounds the total.
//
// # Health
//
// A breaker opens after Policy.Threshold consecutive failures (default 3)
// or at once on 401/403. It stays open for Policy.Cooldown (30 s), doubling
// on every reopening up to Policy.MaxCooldown (10 min). When the cooldown
// ends it is half-open: exactly one request takes the probe token (taken
// only when Next yields the attempt, so a token is never spent on an
// attempt that is not made). Success closes the breaker and resets the
// cooldown; failure reopens it with the next, doubled cooldown. A success
// reported by a request that started before the breaker opened closes it
// too: the upstream evidently answers. Failures of such requests only
// count; they never open a breaker twice or lengthen its cooldown. A probe
// whose outcome is never reported is forgotten after Policy.ProbeTimeout
// so a lost report cannot wedge a breaker.
//
// A 429 does not count as a failure: the key rests for the Retry-After
// (Policy.RetryAfter when the upstream gave none, capped at
// Policy.MaxRest). Rest is kept per (channel, key, model), the same
// granularity as the breaker, because the big providers meter rate limits
// per model: a 429 for one model must not take the key away from the
// others.
//
// When every member is unavailable the iterator yields nothing rather
// than forcing a request onto an open breaker: half-open probes are
// already tried in place, and forcing traffic through open breakers would
// defeat them during an outage. The relay answers 503 (or 429 when
// it.RateLimitedOnly()) with Retry-After = it.RetryAfter(), the soonest
// moment a skipped key becomes available.
package balancer
