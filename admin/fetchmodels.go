package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/octopuscaddy/octopus/provider"
	"github.com/octopuscaddy/octopus/routing"
	"github.com/octopuscaddy/octopus/store"
	"github.com/octopuscaddy/octopus/transform"
)

// fetchTimeout bounds a whole model list fetch, every page included.
const fetchTimeout = 60 * time.Second

// maxModelPages stops a model list whose pagination never ends.
const maxModelPages = 50

// modelsOutput is the answer of the fetch-models routes.
type modelsOutput struct {
	Models []string `json:"models"`
}

// fetchModelsSaved lists the upstream models of a saved channel.
func (h *Handler) fetchModelsSaved(c *call) error {
	ref, err := h.findChannel(c.r.Context(), c.param)
	if err != nil {
		return err
	}
	u, err := h.liveUpstream(ref.config())
	if err != nil {
		return err
	}
	defer u.close()
	return h.answerModels(c, u)
}

// fetchModelsUnsaved lists the upstream models of the channel in the
// body, as a form would send it before saving. When the form edits a
// saved channel it sends its id too, so masked keys can be resolved.
func (h *Handler) fetchModelsUnsaved(c *call) error {
	var in channelInput
	if err := decodeBody(c, &in); err != nil {
		return err
	}
	var base store.Channel
	var prev *store.Channel
	if len(in.ID) > 0 && string(in.ID) != "null" {
		param, err := idParam(in.ID)
		if err != nil {
			return err
		}
		ref, err := h.findChannel(c.r.Context(), param)
		if err != nil {
			return err
		}
		if ref.stored != nil {
			base = *ref.stored
		} else {
			base = fromRouting(ref.static)
		}
		prev = &base
	}
	ch := base
	if err := in.applyTo(&ch, prev); err != nil {
		return err
	}
	if ch.Type == "" || provider.Lookup(ch.Type) == nil {
		return badField("type", "want one of "+provider.TypeNames())
	}
	if len(ch.Keys) == 0 {
		return badField("keys", "at least one key is required")
	}
	u, err := compileUpstream(RoutingChannel(&ch))
	if err != nil {
		return err
	}
	defer u.close()
	return h.answerModels(c, u)
}

// idParam turns a JSON id (number or "caddyfile:<name>") into a path id.
func idParam(raw json.RawMessage) (string, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	return "", badField("id", "want a number or a string")
}

// fromRouting converts a Caddyfile channel to the store's shape.
func fromRouting(c *routing.ChannelConfig) store.Channel {
	return store.Channel{
		Name: c.Name, Type: c.Type, BaseURL: c.BaseURL, Keys: c.Keys, Models: c.Models, Headers: c.Headers,
		Proxy: c.Proxy, Timeout: time.Duration(c.Timeout), IdleTimeout: time.Duration(c.IdleTimeout),
		Enabled: !c.Disabled, Project: c.Project, TokenURL: c.TokenURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
	}
}

func (h *Handler) answerModels(c *call, u *upstream) error {
	ctx, cancel := context.WithTimeout(c.r.Context(), fetchTimeout)
	defer cancel()
	models, err := FetchModels(ctx, u.ch, u.key, u.tokenSource())
	if err != nil {
		return err
	}
	return c.ok(modelsOutput{Models: models})
}

// FetchModels lists the models of channel ch with key through the type's
// list endpoint, following pagination, sorted and without duplicates.
// tokens resolves Antigravity access tokens; it may be nil for other
// types. Failures are *apiError 502s that say what the upstream answered.
func FetchModels(ctx context.Context, ch *routing.Channel, key string, tokens TokenSource) ([]string, error) {
	token, project := key, ch.OAuth.Project
	if ch.Type.OAuth {
		if tokens == nil {
			return nil, upstreamFailure("channel %q: no token source for OAuth keys", ch.Name)
		}
		var err error
		if token, project, err = tokens.Token(ctx, ch, key, false); err != nil {
			return nil, upstreamFailure("channel %q: getting an access token: %v", ch.Name, err)
		}
	}
	u := &upstream{ch: ch, key: key}
	list := ch.Type.URL(ch.BaseURL, "", provider.OpListModels, false)
	var (
		models []string
		cursor string
	)
	for page := 0; ; page++ {
		if page == maxModelPages {
			return nil, upstreamFailure("channel %q: the model list has more than %d pages", ch.Name, maxModelPages)
		}
		method, target, body := http.MethodGet, list, []byte(nil)
		switch ch.Format {
		case transform.Antigravity:
			method = http.MethodPost
			body, _ = json.Marshal(map[string]string{"project": project})
		case transform.Gemini:
			target = withQuery(list, "pageSize", "1000", "pageToken", cursor)
		case transform.Anthropic:
			target = withQuery(list, "limit", "1000", "after_id", cursor)
		default:
			target = withQuery(list, "after", cursor)
		}
		ans, err := u.do(ctx, method, target, token, body)
		if err != nil {
			return nil, upstreamFailure("channel %q: fetching %s: %v", ch.Name, target, err)
		}
		if ans.status != http.StatusOK {
			return nil, upstreamFailure("channel %q: %s answered HTTP %d: %s", ch.Name, target, ans.status, errorMessage(ans.body))
		}
		if !gjson.ValidBytes(ans.body) {
			return nil, upstreamFailure("channel %q: %s did not answer JSON", ch.Name, target)
		}
		r := gjson.ParseBytes(ans.body)
		next := ""
		switch ch.Format {
		case transform.Antigravity:
			r.Get("models").ForEach(func(k, _ gjson.Result) bool {
				models = append(models, k.String())
				return true
			})
		case transform.Gemini:
			r.Get("models.#.name").ForEach(func(_, v gjson.Result) bool {
				models = append(models, strings.TrimPrefix(v.String(), "models/"))
				return true
			})
			next = r.Get("nextPageToken").String()
		default:
			r.Get("data.#.id").ForEach(func(_, v gjson.Result) bool {
				models = append(models, v.String())
				return true
			})
			// Anthropic pages with has_more/last_id; OpenAI-compatible
			// servers that page use the same fields with ?after=.
			if r.Get("has_more").Bool() {
				next = r.Get("last_id").String()
			}
		}
		if next == "" || next == cursor {
			break
		}
		cursor = next
	}
	slices.Sort(models)
	models = slices.Compact(models)
	if models == nil {
		models = []string{}
	}
	return models, nil
}

// withQuery adds the non-empty pairs to u's query.
func withQuery(u string, kv ...string) string {
	var q url.Values
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if q == nil {
			q = url.Values{}
		}
		q.Set(kv[i], kv[i+1])
	}
	if q == nil {
		return u
	}
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + q.Encode()
}
