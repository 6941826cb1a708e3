package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// formatSpec is a client format and a channel type of the same format.
type formatSpec struct {
	f         clientFormat
	typ       string
	model     string // upstream model the fake serves
	keyPrefix string // the shape of the provider's keys
}

var formatSpecs = []formatSpec{
	{viaChat, "openai_chat", "gpt-4o", "sk-oa-"},
	{viaResponses, "openai_responses", "gpt-4o", "sk-rs-"},
	{viaAnthropic, "anthropic", "claude-sonnet-4-5", "sk-ant-"},
	{viaGemini, "gemini", "gemini-2.5-flash", "AIza-"},
}

// faultKind is one way the first member of a failover group fails.
type faultKind struct {
	name   string
	fault  fakeprovider.Fault
	stream bool
	// cut: the member is the cut-before-first-event upstream, not the fake.
	cut bool
	// extra channel lines.
	extra []string
}

var faultKinds = []faultKind{
	{name: "500", fault: fakeprovider.Fault{Status: 500}},
	{name: "503", fault: fakeprovider.Fault{Status: 503}},
	{name: "503-stream", fault: fakeprovider.Fault{Status: 503}, stream: true},
	{name: "429", fault: fakeprovider.Fault{Status: 429, RetryAfter: "120"}},
	{name: "hang", fault: fakeprovider.Fault{HangBeforeHeaders: true}, extra: []string{"timeout 300ms"}},
	{name: "hang-stream", fault: fakeprovider.Fault{HangBeforeHeaders: true}, stream: true, extra: []string{"timeout 300ms"}},
	{name: "cut", cut: true, stream: true},
	{name: "garbage", fault: fakeprovider.Fault{Garbage: true}},
	{name: "garbage-stream", fault: fakeprovider.Fault{Garbage: true}, stream: true},
}

// failoverConfig builds, per client format, one failover group per fault
// kind (a faulty first member, a healthy second one), a group whose first
// member answers a non-retryable error, and a group where every member
// fails.
func failoverConfig(fake *fakeprovider.Server, cut *cutUpstream) string {
	var b strings.Builder
	for _, s := range formatSpecs {
		base := baseURL(fake, s.typ)
		good := "good-" + s.typ
		b.WriteString(channel(good, s.typ, base, s.keyPrefix+"good", s.model))
		for _, k := range faultKinds {
			bad := "bad-" + k.name + "-" + s.typ
			chBase := base
			if k.cut {
				chBase = strings.Replace(base, fake.URL(), cut.hs.URL, 1)
			}
			b.WriteString(channel(bad, s.typ, chBase, s.keyPrefix+"bad-"+k.name, s.model, k.extra...))
			b.WriteString(group("f-"+k.name+"-"+s.typ, "failover",
				"channel "+bad+" "+s.model+" priority 1", "channel "+good+" "+s.model+" priority 2"))
		}
		b.WriteString(channel("nr-"+s.typ, s.typ, base, s.keyPrefix+"nr", s.model))
		b.WriteString(group("nr-"+s.typ, "failover", "channel nr-"+s.typ+" "+s.model+" priority 1", "channel "+good+" "+s.model+" priority 2"))
		b.WriteString(channel("d1-"+s.typ, s.typ, base, s.keyPrefix+"d1", s.model))
		b.WriteString(channel("d2-"+s.typ, s.typ, base, s.keyPrefix+"d2", s.model))
		b.WriteString(group("doom-"+s.typ, "failover", "channel d1-"+s.typ+" "+s.model+" priority 1", "channel d2-"+s.typ+" "+s.model+" priority 2"))
	}
	b.WriteString(apiKey())
	return b.String()
}

// waitFor polls cond until it holds or the generous timeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFailover checks, for every client format against channels of that
// format, that each kind of upstream failure of the first member is
// retried on the next one and that the client never notices.
func TestFailover(t *testing.T) {
	fake := fakeprovider.New(t)
	cut := newCutUpstream(t)
	in := startGateway(t, failoverConfig(fake, cut))
	for _, s := range formatSpecs {
		for _, k := range faultKinds {
			t.Run(string(s.f)+"/"+k.name, func(t *testing.T) {
				badKey, goodKey := s.keyPrefix+"bad-"+k.name, s.keyPrefix+"good"
				if !k.cut {
					fake.Fail(badKey, k.fault)
				}
				groupName := "f-" + k.name + "-" + s.typ
				cutBefore := cut.hits.Load()
				goodBefore := fake.CountFor(goodKey)

				o := ask(t, in, s.f, clientKey, groupName, k.stream)
				want := fmt.Sprintf(fakeprovider.GreetingFormat, s.typ, "ping")
				if o.Status != 200 || o.Text != want {
					t.Fatalf("client got %d %q (%s), want 200 %q", o.Status, o.Text, o.Message, want)
				}
				if got := fake.CountFor(goodKey) - goodBefore; got != 1 {
					t.Fatalf("second member served %d requests, want 1", got)
				}
				if k.cut {
					if got := cut.hits.Load() - cutBefore; got != 1 {
						t.Fatalf("the cutting upstream was called %d times, want 1", got)
					}
					return
				}
				if got := fake.CountFor(badKey); got != 1 {
					t.Fatalf("the failing member was called %d times, want 1", got)
				}
				switch {
				case k.fault.HangBeforeHeaders:
					// The gateway gave up on the hung call: the upstream
					// sees it cancelled.
					waitFor(t, "the hung upstream call is cancelled", func() bool {
						r := fake.RequestsFor(badKey)
						return len(r) == 1 && r[0].Cancelled
					})
				case k.fault.Status == 429:
					// The key rests for its Retry-After: the next requests
					// go straight to the second member.
					for range 3 {
						if o := ask(t, in, s.f, clientKey, groupName, k.stream); o.Status != 200 {
							t.Fatalf("after the 429: %d %s", o.Status, o.Message)
						}
					}
					if got := fake.CountFor(badKey); got != 1 {
						t.Fatalf("the resting key was called %d times, want 1", got)
					}
					if got := fake.CountFor(goodKey) - goodBefore; got != 4 {
						t.Fatalf("second member served %d requests, want 4", got)
					}
				}
			})
		}
	}

	// 400, 401 and 404 are about the request or the key, not the upstream:
	// another member would answer the same, so they go back to the client
	// at once, in its own error shape. 401 comes last because it also
	// opens the key's breaker, which would keep the later requests away.
	for _, s := range formatSpecs {
		t.Run(string(s.f)+"/not retried", func(t *testing.T) {
			badKey, goodKey := s.keyPrefix+"nr", s.keyPrefix+"good"
			goodBefore := fake.CountFor(goodKey)
			for i, status := range []int{400, 404, 401} {
				fake.Fail(badKey, fakeprovider.Fault{Status: status})
				o := ask(t, in, s.f, clientKey, "nr-"+s.typ, false)
				if o.Status != status || o.Message == "" || o.Shape == "" {
					t.Fatalf("upstream %d reached the SDK as %d, message %q, shape %q (%v)", status, o.Status, o.Message, o.Shape, o.Err)
				}
				if got := fake.CountFor(badKey); got != i+1 {
					t.Fatalf("upstream %d: first member called %d times in all, want %d", status, got, i+1)
				}
				if got := fake.CountFor(goodKey) - goodBefore; got != 0 {
					t.Fatalf("upstream %d was retried on the second member (%d calls)", status, got)
				}
			}
		})
	}

	for _, s := range formatSpecs {
		t.Run(string(s.f)+"/all members fail", func(t *testing.T) {
			fake.Fail(s.keyPrefix+"d1", fakeprovider.Fault{Status: 500})
			fake.Fail(s.keyPrefix+"d2", fakeprovider.Fault{Status: 503})
			o := ask(t, in, s.f, clientKey, "doom-"+s.typ, false)
			if o.Status < 500 || o.Shape == "" {
				t.Fatalf("got %d shape %q: %s", o.Status, o.Shape, o.Message)
			}
			for _, want := range []string{`"doom-` + s.typ + `"`, `"d2-` + s.typ + `"`, "503"} {
				if !strings.Contains(o.Message, want) {
					t.Fatalf("error %q does not name %s", o.Message, want)
				}
			}
			if fake.CountFor(s.keyPrefix+"d1") != 1 || fake.CountFor(s.keyPrefix+"d2") != 1 {
				t.Fatalf("each member should be tried once: d1 %d, d2 %d", fake.CountFor(s.keyPrefix+"d1"), fake.CountFor(s.keyPrefix+"d2"))
			}
		})
	}
}
