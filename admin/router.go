package admin

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/octopuscaddy/octopus/store"
)

// call is one API request on its way through a route.
type call struct {
	w http.ResponseWriter
	r *http.Request
	// param is the value of the route's {…} segment, unescaped.
	param string
	// sess is the caller's session; nil on public routes.
	sess *store.Session
	// token is the caller's session token.
	token string
	// viaCookie is true when the session came from the cookie rather than
	// an Authorization header (and the request is thus CSRF-prone).
	viaCookie bool
}

// handlerFunc serves a call. A returned error is written as the answer
// (see writeError); on success the function has written the answer.
type handlerFunc func(h *Handler, c *call) error

// route is one API endpoint.
type route struct {
	method string
	// segs is the path under /api/v1/, split at "/"; "{}" matches any one
	// non-empty segment.
	segs   []string
	public bool // no session needed
	fn     handlerFunc
}

func (h *Handler) buildRoutes() []route {
	r := func(method, path string, fn handlerFunc) route {
		return route{method: method, segs: strings.Split(path, "/"), fn: fn}
	}
	public := func(rt route) route { rt.public = true; return rt }
	return []route{
		public(r("POST", "auth/login", (*Handler).login)),
		r("POST", "auth/logout", (*Handler).logout),
		r("GET", "auth/me", (*Handler).me),
		r("PUT", "auth/password", (*Handler).changePassword),

		r("GET", "channel-types", (*Handler).listChannelTypes),

		r("GET", "channels", (*Handler).listChannels),
		r("POST", "channels", (*Handler).createChannel),
		r("POST", "channels/fetch-models", (*Handler).fetchModelsUnsaved),
		r("GET", "channels/{}", (*Handler).getChannel),
		r("PUT", "channels/{}", (*Handler).updateChannel),
		r("DELETE", "channels/{}", (*Handler).deleteChannel),
		r("POST", "channels/{}/fetch-models", (*Handler).fetchModelsSaved),
		r("POST", "channels/{}/sync", (*Handler).syncChannel),
		r("POST", "channels/{}/test", (*Handler).testChannel),

		r("GET", "groups", (*Handler).listGroups),
		r("POST", "groups", (*Handler).createGroup),
		r("GET", "groups/{}", (*Handler).getGroup),
		r("PUT", "groups/{}", (*Handler).updateGroup),
		r("DELETE", "groups/{}", (*Handler).deleteGroup),

		r("GET", "api-keys", (*Handler).listAPIKeys),
		r("POST", "api-keys", (*Handler).createAPIKey),
		r("GET", "api-keys/{}", (*Handler).getAPIKey),
		r("PUT", "api-keys/{}", (*Handler).updateAPIKey),
		r("DELETE", "api-keys/{}", (*Handler).deleteAPIKey),

		r("GET", "prices", (*Handler).listPrices),
		r("PUT", "prices", (*Handler).putPrice),
		r("POST", "prices/sync", (*Handler).syncPrices),
		r("DELETE", "prices/{}", (*Handler).deletePrice),

		r("GET", "settings", (*Handler).listSettings),
		r("PUT", "settings", (*Handler).putSettings),
		r("POST", "settings", (*Handler).putSettings),
		r("GET", "settings/{}", (*Handler).getSetting),
		r("PUT", "settings/{}", (*Handler).putSetting),
		r("DELETE", "settings/{}", (*Handler).deleteSetting),
		r("GET", "locked-settings", (*Handler).lockedSettingsRoute),
		r("GET", "options", (*Handler).optionsRoute),

		// logs/stream must come before logs/{}, which would match it too.
		r("GET", "logs", (*Handler).listLogs),
		r("GET", "logs/stream", (*Handler).streamLogs),
		r("GET", "logs/{}", (*Handler).getLog),

		r("GET", "stats/summary", (*Handler).statsSummary),
		r("GET", "stats/series", (*Handler).statsSeries),
		r("GET", "stats/rankings", (*Handler).statsRankings),
		r("GET", "stats/inflight", (*Handler).inFlight),

		// Authenticated by a client API key, not a session (keyview.go).
		public(r("GET", "key/info", (*Handler).keyInfo)),
		public(r("GET", "key/usage", (*Handler).keyUsage)),
	}
}

// match finds the route for method and the escaped path under /api/v1/.
// It returns the route and its unescaped parameter, or the methods the
// path allows when only the method is wrong.
func (h *Handler) match(method, rest string) (rt *route, param string, allowed []string, ok bool) {
	segs := strings.Split(rest, "/")
	for i := range h.routes {
		cand := &h.routes[i]
		p, hit := matchSegs(cand.segs, segs)
		if !hit {
			continue
		}
		if cand.method != method {
			allowed = append(allowed, cand.method)
			continue
		}
		return cand, p, nil, true
	}
	return nil, "", allowed, false
}

// matchSegs matches escaped path segments against a pattern and returns
// the unescaped value of its {} segment.
func matchSegs(pat, segs []string) (string, bool) {
	if len(pat) != len(segs) {
		return "", false
	}
	var param string
	for i, p := range pat {
		if p == "{}" {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return "", false
			}
			param = v
			continue
		}
		if p != segs[i] {
			return "", false
		}
	}
	return param, true
}

// serveAPI routes an /api/ request, authenticates it and runs its route.
func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	c := &call{w: w, r: r}
	path := r.URL.EscapedPath()
	if !strings.HasPrefix(path, APIPrefix) {
		writeError(h, c, &apiError{Status: http.StatusNotFound, Message: "unknown API path " + r.URL.Path + "; routes live under " + APIPrefix})
		return
	}
	rt, param, allowed, ok := h.match(r.Method, strings.TrimSuffix(strings.TrimPrefix(path, APIPrefix), "/"))
	if !ok {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeError(h, c, &apiError{Status: http.StatusMethodNotAllowed, Message: r.Method + " is not allowed here; use " + strings.Join(allowed, " or ")})
			return
		}
		writeError(h, c, &apiError{Status: http.StatusNotFound, Message: "unknown API route " + r.URL.Path})
		return
	}
	c.param = param
	if !rt.public {
		if err := h.authenticate(c); err != nil {
			writeError(h, c, err)
			return
		}
	}
	if err := checkCSRF(c); err != nil {
		writeError(h, c, err)
		return
	}
	if err := rt.fn(h, c); err != nil {
		writeError(h, c, err)
	}
}
