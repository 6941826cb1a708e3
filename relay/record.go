package relay

import (
	"time"

	"github.com/octopuscaddy/octopus/transform"
)

// Record describes one finished client request, for accounting and logs.
type Record struct {
	Start    time.Time
	Duration time.Duration
	// TTFT is the time from the request to the first byte sent to the
	// client (zero when nothing was sent).
	TTFT time.Duration

	Key   string
	Group string
	// Channel and Model are the member that answered (or was tried last).
	Channel  string
	Model    string
	Inbound  transform.Format
	Outbound transform.Format
	Stream   bool
	// Status is the HTTP status sent to the client.
	Status int
	// Error is the message of the error answered, if any.
	Error    string
	Attempts []Attempt
	Usage    transform.Usage
	// UsageKnown is false when the upstream reported no usage.
	UsageKnown bool
	// Bodies are set when body capture is on (Engine.BodyLimit).
	Bodies *Bodies
}

// Attempt is one upstream try.
type Attempt struct {
	Channel  string
	Model    string
	Status   int // 0 when no response arrived
	Error    string
	Duration time.Duration
}

// Observers fans one record out to several observers, in order.
type Observers []Observer

// Observe passes rec to every observer.
func (o Observers) Observe(rec *Record) {
	for _, x := range o {
		x.Observe(rec)
	}
}
