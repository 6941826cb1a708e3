package relay

import (
	"io"
	"net/http"
	"testing"

	"go.uber.org/zap"

	"github.com/octopuscaddy/octopus/routing"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func ioCopy(w io.Writer, r io.Reader) (int64, error) { return io.Copy(w, r) }

// newTestEngine returns an engine with one OpenAI channel "up" (model
// gpt-up) behind group "smart", whose upstream calls go to rt.
func newTestEngine(t testing.TB, rt http.RoundTripper) *Engine {
	t.Helper()
	cfg := routing.Config{
		Channels: []routing.ChannelConfig{{Name: "up", Type: "openai_chat", BaseURL: "http://upstream.invalid/v1", Keys: []string{"sk-up-1", "sk-up-2"}, Models: []string{"gpt-up"}}},
		Groups:   []routing.GroupConfig{{Name: "smart", Members: []routing.MemberConfig{{Channel: "up", Model: "gpt-up"}}}},
		Keys:     []routing.APIKeyConfig{{Name: "bench", Secret: "sk-client-bench-123"}},
	}
	snap, err := routing.Compile(cfg, routing.NewRuntime())
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := snap.Channel("up")
	ch.Client = &http.Client{Transport: rt}
	return &Engine{Snapshot: func() *routing.Snapshot { return snap }, Logger: zap.NewNop()}
}
