package transform

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// NewMediaClient returns an HTTP client for InlineRemoteMedia that only
// connects to public addresses. Media URLs come from API clients, and
// without this guard a client could make the gateway fetch internal
// services (cloud metadata endpoints, admin panels on loopback) and read
// the answer back through the model. The check runs on the resolved
// address at connect time, for every redirect hop, so DNS tricks and
// redirects to internal hosts are refused too. Environment proxies are not
// used, since the check would then only see the proxy.
func NewMediaClient(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: fetchDialControl}
	tr := &http.Transport{
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
}

// errPrivateAddress is returned when a media URL resolves to an address
// that is not on the public internet.
var errPrivateAddress = errors.New("address is not public")

func fetchDialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%s: %w", address, errPrivateAddress)
	}
	if !fetchPublicAddr(ap.Addr()) {
		return fmt.Errorf("%s: %w", ap.Addr(), errPrivateAddress)
	}
	return nil
}

// fetchPublicAddr reports whether a is a globally routable unicast address.
func fetchPublicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
		return false
	}
	for _, p := range fetchBlockedPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// fetchBlockedPrefixes are non-public ranges netip has no predicate for.
var fetchBlockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("255.255.255.255/32"),
}
