package simulator

import (
	"slices"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		in      string
		want    Options
		wantErr bool
	}{
		{"simulator://?ttft=20ms&per_token=5ms&error_rate=0.1",
			Options{TTFT: 20 * time.Millisecond, PerToken: 5 * time.Millisecond, ErrorRate: 0.1}, false},
		{"?seed=7&reply_tokens=256&hang=2s", Options{Seed: 7, ReplyTokens: 256, Hang: 2 * time.Second}, false},
		{"models=gpt-4o,%20text-embedding-3-large,", Options{Models: []string{"gpt-4o", "text-embedding-3-large"}}, false},
		{"simulator://", Options{}, false},
		{"simulator://host?ttft=0", Options{}, false},
		{"", Options{}, false},
		{"ttft=fast", Options{}, true},
		{"ttft=-1s", Options{}, true},
		{"error_rate=1.5", Options{}, true},
		{"error_rate=NaN", Options{}, true},
		{"reply_tokens=0", Options{}, true},
		{"reply_tokens=5000", Options{}, true},
		{"seed=-1", Options{}, true},
		{"ttft=1s&ttft=2s", Options{}, true},
		{"tftt=1s", Options{}, true},
		{"ttft=%zz", Options{}, true},
	}
	for _, tc := range tests {
		got, err := ParseOptions(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseOptions(%q) error %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && (!slices.Equal(got.Models, tc.want.Models) || got.TTFT != tc.want.TTFT ||
			got.PerToken != tc.want.PerToken || got.ErrorRate != tc.want.ErrorRate || got.Seed != tc.want.Seed ||
			got.ReplyTokens != tc.want.ReplyTokens || got.Hang != tc.want.Hang) {
			t.Errorf("ParseOptions(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := New(Options{ReplyTokens: 99999, ErrorRate: -1, TTFT: -time.Second}).Options()
	if !slices.Equal(o.Models, DefaultModels) || o.ReplyTokens != maxReplyTokens || o.ErrorRate != 0 ||
		o.TTFT != 0 || o.Hang != defaultHang {
		t.Errorf("defaults: %+v", o)
	}
	if o := New(Options{}).Options(); o.ReplyTokens != defaultReplyTokens {
		t.Errorf("reply tokens %d", o.ReplyTokens)
	}
}
