package fold

import (
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"/Subscriptions/ABC", "/subscriptions/abc"},
		{"already/lower", "already/lower"},
		{"Microsoft.Cogn\u0130tiveServices", "microsoft.cogn\u0130tiveservices"}, // İ stays İ
		{"Micro\u017Foft", "micro\u017Foft"},                                     // ſ stays ſ
		{"\u212Aelvin", "\u212Aelvin"},                                           // Kelvin sign stays
	} {
		if got := String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Microsoft.CognitiveServices", "microsoft.cognitiveservices", true},
		{"Microsoft.Cogn\u0130tiveServices", "microsoft.cognitiveservices", false},
		{"Micro\u017Foft", "microsoft", false},
		{"\u212A", "k", false},
		{"ab", "abc", false},
	} {
		if got := Equal(tc.a, tc.b); got != tc.want {
			t.Errorf("Equal(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
	if !HasPrefix("/Subscriptions/x", "/subscriptions/") || HasPrefix("/sub", "/subscriptions") {
		t.Error("HasPrefix")
	}
}

// FuzzFold: Equal agrees with comparing String of both sides, and String
// never changes a byte that is not an upper-case ASCII letter.
func FuzzFold(f *testing.F) {
	f.Add("/Subscriptions/X", "/subscriptions/x")
	f.Add("\u0130", "i")
	f.Fuzz(func(t *testing.T, a, b string) {
		if Equal(a, b) != (String(a) == String(b)) {
			t.Fatalf("Equal(%q,%q) disagrees with String", a, b)
		}
		s := String(a)
		if len(s) != len(a) {
			t.Fatalf("length changed")
		}
		for i := 0; i < len(a); i++ {
			if a[i] != s[i] && !('A' <= a[i] && a[i] <= 'Z' && s[i] == a[i]+32) {
				t.Fatalf("byte %d changed: %q -> %q", i, a, s)
			}
		}
		if strings.ToUpper(s) != strings.ToUpper(a) && isASCII(a) {
			t.Fatalf("ASCII fold lost information")
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
