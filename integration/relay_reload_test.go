package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// reloadConfig is sdkConfig plus a round-robin group "pos" over two
// channels of its own, and extra client keys key-1 … key-n: each reload
// adds one, so every reload really changes the config.
func reloadConfig(fake *fakeprovider.Server, n int) string {
	base := baseURL(fake, "openai_chat")
	var b strings.Builder
	b.WriteString(sdkConfig(fake))
	b.WriteString(channel("p1", "openai_chat", base, "sk-p1", "gpt-4o"))
	b.WriteString(channel("p2", "openai_chat", base, "sk-p2", "gpt-4o"))
	b.WriteString(group("pos", "round_robin", "channel p1 gpt-4o", "channel p2 gpt-4o"))
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\t\tapi_key key-%d sk-client-reload-%d\n", i, i)
	}
	return b.String()
}

// TestReloadUnderTraffic reloads Caddy several times while clients of
// every format stream and call without streaming, and checks that not a
// single request fails, that each new config is live, and that the
// balancer's round-robin position carries over a reload.
func TestReloadUnderTraffic(t *testing.T) {
	fake := fakeprovider.New(t)
	// Streams take a while, so reloads land in the middle of them.
	fake.SetEventDelay(5 * time.Millisecond)
	in := startGateway(t, reloadConfig(fake, 0))
	groups := map[clientFormat]string{viaChat: "chat", viaResponses: "resp", viaAnthropic: "claude", viaGemini: "gem"}

	// Caddy itself (2.11.9, any handler, even `respond`) drops a few
	// connections that are new or idle at the instant a reload swaps its
	// SO_REUSEPORT listener: they see a reset or EOF before any response,
	// and never reach a handler. The SDKs retry those by default; the
	// clients here retry exactly those and nothing else, so every failure
	// the gateway could cause (an error status, a cut stream, a wrong
	// answer) still fails the test.
	retrier := &dropRetrier{base: &http.Transport{MaxIdleConnsPerHost: 16}}
	hc := &http.Client{Transport: retrier, Timeout: testTimeout}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var done, asked atomic.Int64
	var failures []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		f := clientFormats[w%len(clientFormats)]
		stream := w/len(clientFormats)%2 == 0
		want := fmt.Sprintf(fakeprovider.GreetingFormat, f, "ping")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				rctx, cancel := context.WithTimeout(context.Background(), testTimeout)
				o, err := askWith(rctx, hc, in, f, clientKey, groups[f], stream)
				cancel()
				if err == nil && (o.Status != 200 || o.Text != want) {
					err = fmt.Errorf("status %d, text %q, error %q", o.Status, o.Text, o.Message)
				}
				if err != nil {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("%s stream=%v: %v", f, stream, err))
					mu.Unlock()
				}
				done.Add(1)
			}
		}()
	}

	const reloads = 5
	for i := 1; i <= reloads; i++ {
		// Let traffic flow between reloads: wait for progress, not time.
		mark := done.Load()
		waitFor(t, "requests complete between reloads", func() bool { return done.Load() >= mark+16 })
		if err := in.Reload(gatewayCaddyfile(reloadConfig(fake, i))); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		// The new config is live: its new key works.
		o, err := askWith(ctxT(t), hc, in, viaChat, fmt.Sprintf("sk-client-reload-%d", i), "chat", false)
		if err != nil || o.Status != 200 {
			t.Fatalf("after reload %d the new key gets %d %s (%v)", i, o.Status, o.Message, err)
		}
		asked.Add(1)
	}
	mark := done.Load()
	waitFor(t, "requests complete after the last reload", func() bool { return done.Load() >= mark+16 })
	stop()
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed across %d reloads:\n%s", len(failures), done.Load(), reloads, strings.Join(failures, "\n"))
	}
	t.Logf("%d requests across %d reloads, none failed; Caddy dropped %d connections before a response (retried)", done.Load(), reloads, retrier.drops.Load())
	// A dropped connection never reached the gateway: every upstream call
	// belongs to exactly one answered client request, none was relayed
	// twice.
	if got, want := int64(fake.Count()), done.Load()+asked.Load(); got != want {
		t.Fatalf("the upstream saw %d requests for %d answered client requests", got, want)
	}

	// The round-robin position survives a reload: after p, q, p the next
	// request goes to q, where a fresh rotation would start over at p.
	c := hc
	fake.Reset()
	for range 3 {
		chat(t, c, in, "pos")
	}
	if err := in.Reload(gatewayCaddyfile(reloadConfig(fake, reloads+1))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	for range 3 {
		chat(t, c, in, "pos")
	}
	seq := keySequence(fake)
	for i := 1; i < len(seq); i++ {
		if seq[i] == seq[i-1] {
			t.Fatalf("round robin repeated %s at request %d across the reload: %v", seq[i], i, seq)
		}
	}
}
