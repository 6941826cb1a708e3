package relay

import (
	"bufio"
	"strings"
	"testing"
)

func TestStreamStarts(t *testing.T) {
	cases := []struct {
		name      string
		body      string
		jsonArray bool
		want      bool
	}{
		{"openai chat", "data: {\"id\":\"x\"}\n\n", false, true},
		{"anthropic", "event: message_start\ndata: {\"type\":\"message_start\"}\n\n", false, true},
		{"google crlf", "data: {\"candidates\":[]}\r\n\r\n", false, true},
		{"id and retry first", "id: 1\r\nretry: 100\nevent: x\ndata:{}\n\n", false, true},
		{"keep-alive comment", ": OPENROUTER PROCESSING\n\n", false, true},
		{"leading blank lines", "\n\n  data: {}\n\n", false, true},
		{"done only", "data: [DONE]\n\n", false, true},
		{"gemini array", "[{\"candidates\":[]}", true, true},
		{"garbage data", "data: <html><body>502</body></html>\n\n", false, false},
		{"html page", "<html>oops</html>", false, false},
		{"plain json", "{\"id\":\"x\"}", false, false},
		{"array wanted", "data: {}\n\n", true, false},
		{"empty", "", false, false},
		{"only whitespace", "   \n\n", false, false},
		{"event line then end", "event: message_start\n", false, false},
		{"data word misspelt", "date: {}\n\n", false, false},
		{"cut inside data", "data: ", false, false},
		{"too long before data", "event: " + strings.Repeat("x", maxStreamProbe) + "\ndata: {}\n\n", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(c.body), 32<<10)
			if got := streamStarts(br, c.jsonArray); got != c.want {
				t.Fatalf("streamStarts(%q) = %v, want %v", c.body, got, c.want)
			}
			// Nothing may be consumed: the stream is copied from the start.
			rest := new(strings.Builder)
			_, _ = br.WriteTo(rest)
			if rest.String() != c.body {
				t.Fatalf("consumed input: %q left of %q", rest.String(), c.body)
			}
		})
	}
}
