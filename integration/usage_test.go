package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/octopuscaddy/octopus/internal/fakeprovider"
	"github.com/octopuscaddy/octopus/internal/testcaddy"
	"github.com/octopuscaddy/octopus/store"
)

// TestUsageSurvivesReloadAndStop counts requests across a reload, scrapes
// the Prometheus metrics through Caddy's metrics handler, stops Caddy the
// way `caddy stop` does and finds exactly the requests made in the store:
// the final flush on shutdown loses nothing and the reload counts nothing
// twice.
func TestUsageSurvivesReloadAndStop(t *testing.T) {
	fake := fakeprovider.New(t)
	cfg := func(extraKey string) string {
		return gatewayCaddyfileWith(`		stats_flush_interval 1h
`+channel("usage-oa", "openai_chat", baseURL(fake, "openai_chat"), "sk-usage-oa", "gpt-4o")+
			group("usage-smart", "", "channel usage-oa gpt-4o")+apiKey()+extraKey, "metrics /metrics")
	}
	in := testcaddy.Start(t, cfg(""))
	// Connections idle at the reload may be reset by Caddy itself; retry
	// those the way the SDKs do (see relay_reload_test.go).
	hc := httpClient()
	hc.Transport = &dropRetrier{base: hc.Transport}
	for i := 0; i < 5; i++ {
		chat(t, hc, in, "usage-smart")
	}
	if err := in.Reload(cfg("\t\tapi_key other sk-client-other-1\n")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		chat(t, hc, in, "usage-smart")
	}
	m := do(t, "GET", in.BaseURL+"/metrics", nil, "")
	want := `caddy_octopus_requests_total{channel="usage-oa",group="usage-smart",inbound_format="openai_chat",status_class="2xx"} 8`
	if !strings.Contains(m.Body, want) {
		t.Fatalf("metrics lack %q:\n%s", want, grepLines(m.Body, "caddy_octopus_requests_total"))
	}
	if !strings.Contains(m.Body, `caddy_octopus_tokens_total{channel="usage-oa",type="input"} 240`) {
		t.Fatalf("token metrics wrong:\n%s", grepLines(m.Body, "caddy_octopus_tokens_total"))
	}

	if err := caddy.Stop(); err != nil { // like `caddy stop`: final flush
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite", in.Dir+"/octopus.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Client().StatsHourly.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reqs, ok, input, output int64
	for _, r := range rows {
		reqs += r.Requests
		ok += r.Successes
		input += r.InputTokens
		output += r.OutputTokens
		if r.Channel != "usage-oa" || r.Model != "gpt-4o" || r.APIKey != "team" {
			t.Fatalf("unexpected bucket %+v", r)
		}
	}
	if reqs != 8 || ok != 8 || input != 8*fakeprovider.PromptTokens || output != 8*fakeprovider.CompletionTokens {
		t.Fatalf("stored requests=%d successes=%d input=%d output=%d, want 8 8 %d %d",
			reqs, ok, input, output, 8*fakeprovider.PromptTokens, 8*fakeprovider.CompletionTokens)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
