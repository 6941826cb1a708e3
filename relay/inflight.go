package relay

import "sync/atomic"

// inFlight counts the relay requests this process is serving, for the
// admin dashboard. One atomic add on entry and exit: nothing else.
var inFlight atomic.Int64

// InFlight returns how many relay requests this process is serving now.
func InFlight() int64 { return inFlight.Load() }
