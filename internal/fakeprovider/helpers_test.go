package fakeprovider_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	fp "github.com/octopuscaddy/octopus/internal/fakeprovider"
)

// rawResult is an HTTP answer read in full.
type rawResult struct {
	status int
	header http.Header
	body   string
	err    error // error while reading the body (e.g. a cut stream)
}

// do sends a raw request to the fake; headers alternate name, value.
func do(t *testing.T, s *fp.Server, method, path, body string, headers ...string) rawResult {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return rawResult{status: resp.StatusCode, header: resp.Header, body: string(b), err: err}
}

// Credentials used by the raw tests.
var (
	hOpenAI    = []string{"Authorization", "Bearer sk-raw", "Content-Type", "application/json"}
	hAnthropic = []string{"x-api-key", "sk-ant-raw", "anthropic-version", "2023-06-01"}
	hAnthro26  = []string{"x-api-key", "sk-ant-raw", "anthropic-version", "2026-10-21"}
	hGemini    = []string{"x-goog-api-key", "AIza-raw"}
)
