package rbac

import (
	"regexp"
	"strings"
	"testing"
)

func TestMatchAction(t *testing.T) {
	cases := []struct {
		pat, action string
		want        bool
	}{
		{"*", "Microsoft.CognitiveServices/accounts/read", true},
		{"*", "", true},
		{"*/read", "Microsoft.CognitiveServices/accounts/read", true},
		{"*/read", "Microsoft.CognitiveServices/accounts/write", false},
		{"Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/deployments/read", true},
		{"Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/OpenAI/deployments/read", true},
		{"Microsoft.CognitiveServices/accounts/*/read", "Microsoft.CognitiveServices/accounts/read", false},
		{"Microsoft.CognitiveServices/accounts/listkeys/action", "Microsoft.CognitiveServices/accounts/listKeys/action", true},
		{"Microsoft.Authorization/*/Delete", "microsoft.authorization/roleassignments/delete", true},
		{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true},
		{"Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/read", false},
		{"Microsoft.CognitiveServices/accounts/OpenAI/video/generations/*/action", "Microsoft.CognitiveServices/accounts/OpenAI/video/generations/jobs/action", true},
		{"Microsoft.CognitiveServices/accounts/OpenAI/*", "Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action", true},
		{"Microsoft.CognitiveServices/accounts/OpenAI/*", "Microsoft.CognitiveServices/accounts/AIServices/agents/read", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"ab*ba", "aba", false}, // prefix and suffix must not overlap
		{"a**b", "ab", true},
		{"exact", "exactly", false},
		{"", "", true},
		{"", "x", false},
	}
	for _, c := range cases {
		if got := MatchAction(c.pat, c.action); got != c.want {
			t.Errorf("MatchAction(%q, %q) = %v, want %v", c.pat, c.action, got, c.want)
		}
	}
}

func TestPatternSet(t *testing.T) {
	ps := compilePatternSet([]string{"Microsoft.Support/*", "microsoft.resources/subscriptions/read", " * "})
	if !ps.all {
		t.Fatal(`a bare "*" (with spaces) should set all`)
	}
	ps = compilePatternSet([]string{"Microsoft.Support/*", "Microsoft.Resources/subscriptions/read"})
	for action, want := range map[string]bool{
		"microsoft.support/tickets/write":        true,
		"microsoft.resources/subscriptions/read": true,
		"microsoft.resources/subscriptions/x":    false,
	} {
		if got := ps.match([]byte(action)); got != want {
			t.Errorf("match(%q) = %v, want %v", action, got, want)
		}
	}
}

// referenceMatch is the straightforward definition: an anchored,
// case-insensitive regexp in which '*' is '.*' (dot matching newlines).
// Bytes are widened to runes first so that invalid UTF-8 is still
// compared byte by byte, as the engine does.
func referenceMatch(pat, action string) bool {
	parts := strings.Split(string(lowerASCII(nil, pat)), "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(latin1(p))
	}
	re := regexp.MustCompile(`(?s)^` + strings.Join(parts, ".*") + `$`)
	return re.MatchString(latin1(string(lowerASCII(nil, action))))
}

func latin1(s string) string {
	r := make([]rune, len(s))
	for i := 0; i < len(s); i++ {
		r[i] = rune(s[i])
	}
	return string(r)
}

func FuzzMatchAction(f *testing.F) {
	f.Add("Microsoft.CognitiveServices/*/read", "Microsoft.CognitiveServices/accounts/deployments/read")
	f.Add("*", "x")
	f.Add("a*b*a", "aba")
	f.Add("*/Write", "microsoft.authorization/roleassignments/WRITE")
	f.Add("**", "")
	f.Fuzz(func(t *testing.T, pat, action string) {
		if got, want := MatchAction(pat, action), referenceMatch(pat, action); got != want {
			t.Fatalf("MatchAction(%q, %q) = %v, reference says %v", pat, action, got, want)
		}
		ps := compilePatternSet([]string{pat})
		if got, want := ps.match(lowerASCII(nil, action)), referenceMatch(strings.TrimSpace(pat), action); got != want {
			t.Fatalf("patternSet{%q}.match(%q) = %v, reference says %v", pat, action, got, want)
		}
	})
}
