package cli

import (
	"testing"
	"time"
)

func TestDaysFlag(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
		str  string
	}{
		{"90d", 90 * 24 * time.Hour, true, "90d"},
		{"0", 0, true, "0s"},
		{"36h", 36 * time.Hour, true, "36h0m0s"},
		{"48h", 48 * time.Hour, true, "2d"},
		{"1.5d", 0, false, ""},
		{"-1h", 0, false, ""},
		{"d", 0, false, ""},
		{"99999999d", 0, false, ""},
		{"soon", 0, false, ""},
	} {
		var d days
		err := d.Set(c.in)
		if (err == nil) != c.ok || (c.ok && (time.Duration(d) != c.want || d.String() != c.str)) {
			t.Errorf("Set(%q) = %v (%s), %v; want %v (%s), ok %v", c.in, time.Duration(d), d.String(), err, c.want, c.str, c.ok)
		}
	}
}
