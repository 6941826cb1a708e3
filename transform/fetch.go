package transform

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// DefaultMediaMaxBytes is the per-file limit InlineRemoteMedia applies when
// given none: Gemini's own limit on inline request data is 20 MB.
const DefaultMediaMaxBytes = 20 << 20

// fetchConcurrency bounds parallel downloads of one request: agent
// histories can reference dozens of screenshots, and fetching them one by
// one would add their latencies up.
const fetchConcurrency = 4

// InlineRemoteMedia downloads every image, file and audio part given by an
// http(s) URL, in messages and inside tool results, and puts the bytes
// inline (Data in base64, MediaType from Content-Type or sniffed, URL
// cleared). The relay calls it before encoding for upstreams that cannot
// fetch URLs themselves (Gemini's fileData takes only some URLs reliably).
//
// The caller bounds the time through ctx and chooses the client; for
// URLs from untrusted clients that should be one from NewMediaClient, which
// refuses internal addresses. Each body may be at most maxBytes (<= 0
// means DefaultMediaMaxBytes). A URL that fails, answers non-2xx or is too
// large yields an *Error with status 400 naming it. The same URL is
// fetched once per request.
//
// Files API URIs and YouTube links are left alone: Gemini resolves them
// itself, and downloading them gives an error or a web page.
func InlineRemoteMedia(ctx context.Context, req *Request, client *http.Client, maxBytes int64) error {
	if maxBytes <= 0 {
		maxBytes = DefaultMediaMaxBytes
	}
	if client == nil {
		client = http.DefaultClient
	}
	byURL := make(map[string][]*Part)
	var order []string
	collect := func(p *Part) {
		if (p.Type == PartImage || p.Type == PartFile || p.Type == PartAudio) && p.Data == "" && fetchable(p.URL) {
			if _, seen := byURL[p.URL]; !seen {
				order = append(order, p.URL)
			}
			byURL[p.URL] = append(byURL[p.URL], p)
		}
	}
	for i := range req.Messages {
		for j := range req.Messages[i].Parts {
			p := &req.Messages[i].Parts[j]
			collect(p)
			for k := range p.Content {
				collect(&p.Content[k])
			}
		}
	}
	if len(order) == 0 {
		return nil
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		mediaType, data string
	}
	results := make([]result, len(order))
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	sem := make(chan struct{}, fetchConcurrency)
	for i, u := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			mt, data, err := fetchMedia(ctx, client, u, maxBytes)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			results[i] = result{mt, data}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for i, u := range order {
		for _, p := range byURL[u] {
			if !fetchGeneric(results[i].mediaType) || p.MediaType == "" {
				p.MediaType = results[i].mediaType
			}
			p.Data = results[i].data
			p.URL = ""
		}
	}
	return nil
}

// fetchable reports whether a media URL should be downloaded.
func fetchable(raw string) bool {
	if !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(raw, "http://") {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return true // let the fetch report the bad URL
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case host == "generativelanguage.googleapis.com" && strings.Contains(u.Path, "/files/"),
		host == "youtube.com", strings.HasSuffix(host, ".youtube.com"), host == "youtu.be":
		return false
	}
	return true
}

// fetchGeneric reports whether a media type says nothing about the content.
func fetchGeneric(mt string) bool {
	return mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream"
}

// fetchMedia downloads one URL and returns its media type and base64 data.
func fetchMedia(ctx context.Context, client *http.Client, u string, maxBytes int64) (string, string, error) {
	shown := fetchShortURL(u)
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", "", Errorf(400, "media URL %s is not valid: %v", shown, err)
	}
	// Some image hosts refuse requests without a browser-like agent.
	hreq.Header.Set("User-Agent", "Mozilla/5.0 (compatible; OctopusGateway/1.0)")
	hreq.Header.Set("Accept", "image/*,application/pdf,audio/*,*/*;q=0.8")
	resp, err := client.Do(hreq)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return "", "", Errorf(400, "fetching media URL %s timed out", shown)
		}
		if errors.Is(err, context.Canceled) {
			return "", "", Errorf(400, "fetching media URL %s was canceled", shown)
		}
		return "", "", Errorf(400, "could not fetch media URL %s: %v", shown, fetchCause(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", "", Errorf(400, "fetching media URL %s failed: HTTP %d", shown, resp.StatusCode)
	}
	if resp.ContentLength > maxBytes {
		return "", "", Errorf(400, "media URL %s is %d bytes, more than the %d-byte limit", shown, resp.ContentLength, maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return "", "", Errorf(400, "could not read media URL %s: %v", shown, fetchCause(err))
	}
	if int64(len(body)) > maxBytes {
		return "", "", Errorf(400, "media URL %s is more than the %d-byte limit", shown, maxBytes)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if fetchGeneric(mt) || mt == "text/plain" {
		// Missing or vague types are common on object stores; the
		// bytes say more.
		if sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(body)); !fetchGeneric(sniffed) {
			mt = sniffed
		}
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	return mt, base64.StdEncoding.EncodeToString(body), nil
}

// fetchShortURL keeps error messages readable for long signed URLs.
func fetchShortURL(u string) string {
	if len(u) > 200 {
		return u[:200] + "…"
	}
	return u
}

// fetchCause strips the "Get <url>:" prefix net/http puts on errors, since
// the message already names the URL.
func fetchCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return fmt.Errorf("%w", err)
}
