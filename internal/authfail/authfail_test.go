package authfail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/token"
)

// A claim the caller wrote cannot inject a header line, non-ASCII or an
// unbounded string into the explanation.
func TestReasonIsCleanASCII(t *testing.T) {
	s := authfail.Surface{Scope: "https://management.azure.com/.default"}
	evil := "https://x\r\nSet-Cookie: a=b\u00e9'\"" + strings.Repeat("A", 500)
	f := s.Token(&token.AudienceError{Got: evil}, "not-a-jwt", time.Now())
	if f.Kind != authfail.Audience || len(f.Reason) > 300 {
		t.Fatalf("%s: %q", f.Kind, f.Reason)
	}
	for i := 0; i < len(f.Reason); i++ {
		if c := f.Reason[i]; c < 0x20 || c > 0x7e {
			t.Fatalf("byte %#x in %q", c, f.Reason)
		}
	}
	if strings.Contains(f.Reason, "\"") || strings.Count(f.Reason, "'") != 4 {
		t.Errorf("quotes of the claim kept: %q", f.Reason)
	}
	// A token that is not a JWT names no principal.
	if f := s.Token(token.ErrMalformed, "garbage", time.Now()); f.Kind != authfail.Malformed || f.PrincipalID != "" || f.Unverified {
		t.Errorf("%+v", f)
	}
}
