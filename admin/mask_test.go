package admin

import (
	"reflect"
	"testing"
)

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"short", "…"},
		{"123456789", "…"},
		{"1234567890", "…90"},
		{"sk-proj-abcdefghijklmnop", "sk-…mnop"},
		{"AIzaSyA-1234567890abcdef", "AIz…cdef"},
		{"1//0gabcdefghijklmnopqrstuvwxyz", "1//…wxyz"},
		{"ключ-секретный-длинный", "клю…нный"}, // runes, not bytes
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnmaskKeys(t *testing.T) {
	stored := []string{"sk-proj-aaaaaaaaaaaa1111", "sk-proj-bbbbbbbbbbbb2222", "sk-proj-cccccccccccc1111"}
	for _, tc := range []struct {
		name    string
		sent    []string
		want    []string
		errPath string
	}{
		{"all masked", []string{"sk-…1111", "sk-…2222"}, []string{stored[0], stored[1]}, ""},
		{"same mask twice maps in order", []string{"sk-…1111", "sk-…1111"}, []string{stored[0], stored[2]}, ""},
		{"new key kept", []string{"sk-new-key", "sk-…2222"}, []string{"sk-new-key", stored[1]}, ""},
		{"reordered", []string{"sk-…2222", "sk-…1111"}, []string{stored[1], stored[0]}, ""},
		{"unknown mask", []string{"sk-…2222", "sk-…9999"}, nil, "keys[1]"},
		{"mask used up", []string{"sk-…2222", "sk-…2222"}, nil, "keys[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unmaskKeys("keys", tc.sent, stored)
			if tc.errPath != "" {
				ae, ok := err.(*apiError)
				if !ok || ae.Field != tc.errPath || ae.Status != 400 {
					t.Fatalf("err = %v, want a 400 on %s", err, tc.errPath)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if _, err := unmaskKeys("keys", []string{"sk-…1111"}, nil); err == nil {
		t.Fatal("a mask with nothing stored was accepted")
	}
}

func TestHeaderMasking(t *testing.T) {
	stored := map[string]string{"Authorization": "Bearer abcdefghijklmnop", "OpenAI-Organization": "org-123", "x-goog-api-key": "AIzaSecretSecret99"}
	shown := maskHeaders(stored)
	want := map[string]string{"Authorization": "Bea…mnop", "OpenAI-Organization": "org-123", "x-goog-api-key": "AIz…et99"}
	if !reflect.DeepEqual(shown, want) {
		t.Fatalf("maskHeaders = %v, want %v", shown, want)
	}
	// Sent back with a header renamed in case and one changed.
	sent := map[string]string{"authorization": "Bea…mnop", "OpenAI-Organization": "org-456", "x-goog-api-key": "AIz…et99"}
	got, err := unmaskHeaders(sent, stored)
	if err != nil {
		t.Fatal(err)
	}
	wantBack := map[string]string{"authorization": "Bearer abcdefghijklmnop", "OpenAI-Organization": "org-456", "x-goog-api-key": "AIzaSecretSecret99"}
	if !reflect.DeepEqual(got, wantBack) {
		t.Fatalf("unmaskHeaders = %v, want %v", got, wantBack)
	}
	if _, err := unmaskHeaders(map[string]string{"X-Token": "abc…"}, stored); err == nil {
		t.Fatal("a masked value for a header that was never stored was accepted")
	}
}

func TestProxyMasking(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080"},
		{"http://user@proxy:3128", "http://user@proxy:3128"},
		{"http://user:s3cr%40t@proxy:3128", "http://user:…@proxy:3128"},
	} {
		got := maskProxy(tc.in)
		if got != tc.want {
			t.Errorf("maskProxy(%q) = %q, want %q", tc.in, got, tc.want)
		}
		back, err := unmaskProxy(got, tc.in)
		if err != nil || back != tc.in {
			t.Errorf("unmaskProxy(%q) = %q, %v; want %q", got, back, err, tc.in)
		}
	}
	if _, err := unmaskProxy("http://user:…@other:3128", "http://user:pw@proxy:3128"); err == nil {
		t.Error("a masked proxy for another host was accepted")
	}
}
