package admin

import (
	"strings"
	"testing"
	"time"
)

func TestParseAndFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"", 0, ""},
		{"0", 0, ""},
		{"10m", 10 * time.Minute, "10m"},
		{"1h30m", 90 * time.Minute, "1h30m"},
		{"2h", 2 * time.Hour, "2h"},
		{"45s", 45 * time.Second, "45s"},
		{"1.5s", 1500 * time.Millisecond, "1.5s"},
		{"2d", 48 * time.Hour, "48h"},
		{"1d12h", 36 * time.Hour, "36h"},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if s := FormatDuration(got); s != tc.out {
			t.Errorf("FormatDuration(%v) = %q, want %q", got, s, tc.out)
		}
	}
	for _, bad := range []string{"soon", "-5m", "1.5d", "d", "xd1h", "5"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

type decodeTarget struct {
	Name    opt[string]   `json:"name"`
	Cost    opt[float64]  `json:"cost"`
	Timeout opt[Duration] `json:"timeout"`
	When    opt[Time]     `json:"when"`
	List    []struct {
		N int `json:"n"`
	} `json:"list"`
}

func TestDecodeJSON(t *testing.T) {
	for _, tc := range []struct {
		body  string
		field string
		msg   string
	}{
		{`{"name":"x"}`, "", ""},
		{`{"name":5}`, "name", "want a string, got number"},
		{`{"cost":"5"}`, "cost", "want a number, got string"},
		{`{"timeout":"soon"}`, "timeout", `want a duration such as "10m" or a number of seconds, got "soon"`},
		{`{"timeout":-3}`, "timeout", "duration"},
		{`{"timeout":true}`, "timeout", "duration"},
		{`{"when":"yesterday"}`, "when", "RFC 3339"},
		{`{"list":[{"n":"1"}]}`, "list.n", "want an integer"},
		{`{"extra":1}`, "extra", "unknown field"},
		{`{"name":"x"`, "", "malformed JSON"},
		{`{"name":"x"}{}`, "", "after the JSON object"},
		{`[1]`, "", "must be a JSON object"},
		{`"x"`, "", "must be a JSON object"},
	} {
		var v decodeTarget
		err := decodeJSON([]byte(tc.body), &v)
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.body, err)
			}
			continue
		}
		ae, ok := err.(*apiError)
		if !ok || ae.Status != 400 || ae.Field != tc.field || !strings.Contains(ae.Message, tc.msg) {
			t.Errorf("%s: got %#v, want 400 field %q message containing %q", tc.body, err, tc.field, tc.msg)
		}
	}
}

func TestOptPresence(t *testing.T) {
	var v decodeTarget
	if err := decodeJSON([]byte(`{"name":null,"cost":2.5,"timeout":90,"when":"2030-01-01T00:00:00Z"}`), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Name.Set || !v.Name.Null {
		t.Errorf("name: %+v, want set and null", v.Name)
	}
	if !v.Cost.Set || v.Cost.Null || v.Cost.V != 2.5 {
		t.Errorf("cost: %+v", v.Cost)
	}
	if time.Duration(v.Timeout.V) != 90*time.Second {
		t.Errorf("timeout: %v, want 90s", time.Duration(v.Timeout.V))
	}
	if !v.When.V.Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("when: %v", v.When.V)
	}
	var empty decodeTarget
	if err := decodeJSON([]byte(`{}`), &empty); err != nil || empty.Name.Set || empty.Cost.Set {
		t.Errorf("absent fields: %+v, %v", empty, err)
	}
	s := "keep"
	empty.Name.apply(&s)
	v.Name.apply(&s)
	if s != "" {
		t.Errorf("null applied as %q, want the zero value", s)
	}
}

func TestDurationMarshal(t *testing.T) {
	b, err := Duration(90 * time.Minute).MarshalJSON()
	if err != nil || string(b) != `"1h30m"` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
}
