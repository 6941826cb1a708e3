package main

import (
	"fmt"
	"strings"
)

// Credentials and names the generated gateway config and the load share.
const (
	benchKey   = "sk-bench-client"
	groupPass  = "pass"  // openai_chat channel: same-format passthrough
	groupXlate = "xlate" // anthropic channel: OpenAI Chat in, Anthropic out
)

// globals keeps Caddy quiet and local: no admin endpoint, no certificates,
// and a short shutdown grace so runs end promptly.
const globals = `	admin off
	persist_config off
	auto_https off
	skip_install_trust
	grace_period 1s
`

// proxyCaddyfile is plain Caddy reverse_proxy to the mock at mockURL
// (scheme://host:port): the baseline the gateway is judged against. Its
// upstream keep-alive pool is as large as the gateway's
// (routing.newTransport: 512 idle connections per host) instead of Caddy's
// default 32, so that neither side pays for new upstream connections the
// other does not. caPEM, when set, is the certificate an HTTPS mock
// serves, which it then trusts.
func proxyCaddyfile(addr, mockURL, caPEM string) string {
	tls := ""
	if caPEM != "" {
		tls = "\t\t\ttls_trust_pool file " + caPEM + "\n"
	}
	return fmt.Sprintf("{\n%s}\n\nhttp://%s {\n\treverse_proxy %s {\n\t\ttransport http {\n\t\t\tkeepalive_idle_conns_per_host 512\n%s\t\t}\n\t}\n}\n", globals, addr, mockURL, tls)
}

// gatewayCaddyfile configures Octopus with one openai_chat and one
// anthropic channel, both on the mock at mockURL (scheme://host:port),
// behind the groups "pass" and "xlate".
func gatewayCaddyfile(addr, mockURL, dbPath string) string {
	return fmt.Sprintf(`{
%s	octopus {
		database sqlite %s
		price_sync off
		channel oai {
			type openai_chat
			base_url %s/v1
			key sk-mock
			models bench-model
		}
		channel ant {
			type anthropic
			base_url %s/v1
			key sk-mock
			models bench-model
		}
		group %s {
			channel oai bench-model
		}
		group %s {
			channel ant bench-model
		}
		api_key bench %s
	}
}

http://%s {
	octopus
}
`, globals, dbPath, mockURL, mockURL, groupPass, groupXlate, benchKey, addr)
}

// withAdmin turns the admin endpoint on at addr (loopback), for -pprof
// runs only: it serves /debug/pprof/.
func withAdmin(cfg, addr string) string {
	return strings.Replace(cfg, "\tadmin off\n", "\tadmin "+addr+"\n", 1)
}
