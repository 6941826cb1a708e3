package balancer

import "testing"

func TestParseMode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mode
		err  bool
	}{
		{"", RoundRobin, false},
		{"round_robin", RoundRobin, false},
		{"random", Random, false},
		{"failover", Failover, false},
		{"weighted", Weighted, false},
		{"Weighted", 0, true},
		{"least_conn", 0, true},
	} {
		got, err := ParseMode(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("ParseMode(%q) = %v, %v; want %v, err=%v", tc.in, got, err, tc.want, tc.err)
		}
		if !tc.err && tc.in != "" && got.String() != tc.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
	if s := Mode(9).String(); s != "Mode(9)" {
		t.Errorf("Mode(9).String() = %q", s)
	}
}
