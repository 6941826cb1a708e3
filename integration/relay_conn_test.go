package integration

import (
	"strings"
	"testing"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/relay"
)

// TestUpstreamConnectionReuse counts the TCP connections the gateway opens
// to one channel: sequential requests, streamed or not, reuse one warm
// connection, and concurrent ones need about one per concurrent request.
func TestUpstreamConnectionReuse(t *testing.T) {
	fake := fakeprovider.New(t)
	counter := newConnCounter(t, strings.TrimPrefix(fake.URL(), "http://"))
	in := startGateway(t, channel("oa", "openai_chat", counter.URL()+"/v1", "sk-oa", "gpt-4o")+
		group("chat", "", "channel oa gpt-4o")+
		apiKey())

	c := httpClient()
	for range 40 {
		chat(t, c, in, "chat")
	}
	for range 10 {
		if o := ask(t, in, viaChat, clientKey, "chat", true); o.Status != 200 {
			t.Fatalf("stream: %d %s", o.Status, o.Message)
		}
		// The SDK ends a stream at its [DONE] event, which can reach it
		// before the gateway has read the upstream's final chunk and given
		// the connection back; sequential means the gateway is done too.
		waitFor(t, "the gateway finished the stream", func() bool { return relay.InFlight() == 0 })
	}
	if n := counter.Count(); n < 1 || n > 2 {
		t.Fatalf("50 sequential requests opened %d upstream connections, want 1 (2 at most)", n)
	}
	if got := fake.CountFor("sk-oa"); got != 50 {
		t.Fatalf("the fake saw %d requests, want 50", got)
	}

	const workers = 8
	before := counter.Count()
	hammer(t, in, "chat", 400, workers)
	if n := counter.Count() - before; n > 2*workers {
		t.Fatalf("400 requests from %d workers opened %d new upstream connections, want at most %d", workers, n, 2*workers)
	}
}
