package integration

import (
	"testing"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// balanceConfig has two channels, a and b, told apart by their keys, and
// one group per balancing mode over both.
func balanceConfig(fake *fakeprovider.Server) string {
	base := baseURL(fake, "openai_chat")
	return channel("a", "openai_chat", base, "sk-a", "gpt-4o") +
		channel("b", "openai_chat", base, "sk-b", "gpt-4o") +
		group("w", "weighted", "channel a gpt-4o weight 3", "channel b gpt-4o weight 1") +
		group("rr", "round_robin", "channel a gpt-4o", "channel b gpt-4o") +
		// a is listed first but has the higher priority number: failover
		// must follow the priority, not the order.
		group("fo", "failover", "channel a gpt-4o priority 2", "channel b gpt-4o priority 1") +
		group("rnd", "random", "channel a gpt-4o", "channel b gpt-4o") +
		apiKey()
}

// keySequence returns the channel key of every recorded request, oldest
// first.
func keySequence(fake *fakeprovider.Server) []string {
	reqs := fake.Requests()
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Key
	}
	return out
}

// TestBalancingModes measures each mode's distribution through the whole
// gateway. Every request succeeds, so each reaches exactly one channel.
func TestBalancingModes(t *testing.T) {
	fake := fakeprovider.New(t)
	in := startGateway(t, balanceConfig(fake))

	t.Run("weighted 3:1", func(t *testing.T) {
		fake.Reset()
		const n = 2000
		hammer(t, in, "w", n, 4)
		a, b := fake.CountFor("sk-a"), fake.CountFor("sk-b")
		if a+b != n {
			t.Fatalf("a %d + b %d != %d requests", a, b, n)
		}
		if share := float64(a) / n; share < 0.70 || share > 0.80 {
			t.Fatalf("a got %.1f%% (%d of %d), want 75%% ± 5%%", share*100, a, n)
		}
		// Smooth weighted round robin interleaves: sequentially, every
		// window of four requests holds three a and one b (A A B A), never
		// A A A B bursts spread unevenly.
		fake.Reset()
		c := httpClient()
		for range 12 {
			chat(t, c, in, "w")
		}
		seq := keySequence(fake)
		for i := 0; i+4 <= len(seq); i++ {
			nb := 0
			for _, k := range seq[i : i+4] {
				if k == "sk-b" {
					nb++
				}
			}
			if nb != 1 {
				t.Fatalf("window %d of %v has %d b, want exactly 1", i, seq, nb)
			}
		}
	})

	t.Run("round robin alternates", func(t *testing.T) {
		fake.Reset()
		c := httpClient()
		for range 20 {
			chat(t, c, in, "rr")
		}
		seq := keySequence(fake)
		if len(seq) != 20 {
			t.Fatalf("%d upstream requests, want 20", len(seq))
		}
		for i := 1; i < len(seq); i++ {
			if seq[i] == seq[i-1] {
				t.Fatalf("request %d went to %s again: %v", i, seq[i], seq)
			}
		}
	})

	t.Run("failover uses the lowest priority", func(t *testing.T) {
		fake.Reset()
		hammer(t, in, "fo", 50, 4)
		if a, b := fake.CountFor("sk-a"), fake.CountFor("sk-b"); a != 0 || b != 50 {
			t.Fatalf("a (priority 2) got %d, b (priority 1) got %d; want 0 and 50", a, b)
		}
	})

	t.Run("random is roughly even", func(t *testing.T) {
		fake.Reset()
		const n = 400
		hammer(t, in, "rnd", n, 4)
		a, b := fake.CountFor("sk-a"), fake.CountFor("sk-b")
		if a+b != n {
			t.Fatalf("a %d + b %d != %d requests", a, b, n)
		}
		// Binomial(400, 0.5) has a standard deviation of 10: 35%..65% is
		// six of them either side, so a fair picker never fails this,
		// while a picker stuck on one member always does.
		if share := float64(a) / n; share < 0.35 || share > 0.65 {
			t.Fatalf("a got %d of %d, b %d: not roughly even", a, n, b)
		}
	})
}
