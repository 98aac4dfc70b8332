package gateway

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Audiences an account accepts by default.
var defaultAudiences = []string{"https://cognitiveservices.azure.com", "https://ai.azure.com"}

// caller is who is calling: a principal with a token, or a key holder.
type caller struct {
	key           bool // authenticated with an account key (bypasses RBAC)
	principalID   string
	principalType string // User or ServicePrincipal
	tenant        string // of the token
	name          string // UPN of a user, else the object id (Azure's message)
	displayName   string
}

// surface is what the data plane accepts, for explaining a refusal.
var surface = authfail.Surface{Scope: defaultAudiences[0] + "/.default", Key: true}

// authenticate reads the bearer token or the account key. A refusal is
// an *authfail.Failure (rendered by authError).
func (s *Service) authenticate(ctx context.Context, r *http.Request, acct *arm.Resource) (*caller, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		raw, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(raw) == "" {
			return nil, surface.NotBearer()
		}
		return s.bearer(ctx, strings.TrimSpace(raw))
	}
	key := r.Header.Get("api-key")
	if key == "" {
		key = r.Header.Get("Ocp-Apim-Subscription-Key")
	}
	if key == "" {
		return nil, surface.NoCredential()
	}
	if acct.Flag("disableLocalAuth") {
		return nil, surface.LocalAuthDisabled()
	}
	keys, err := s.accountKeys(ctx, acct.ID)
	if err != nil {
		return nil, authfail.InvalidKey()
	}
	if !constEq(key, keys.Key1) && !constEq(key, keys.Key2) {
		return nil, authfail.InvalidKey()
	}
	return &caller{key: true, name: "key"}, nil
}

func constEq(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// bearer verifies a token (once: verified claims are cached until they
// expire) and checks its principal still exists, on every request.
func (s *Service) bearer(ctx context.Context, raw string) (*caller, error) {
	claims, err := s.tokens.verify(ctx, raw)
	if err != nil {
		return nil, surface.Token(err, raw, time.Now())
	}
	c := &caller{principalID: fold.String(claims.Oid), name: fold.String(claims.Oid), tenant: claims.Tid}
	p, err := s.principalOf(ctx, c.principalID, claims.IsApp())
	if err != nil || !p.enabled || p.tenant != claims.Tid {
		if err != nil && !directory.IsNotFound(err) {
			return nil, err
		}
		return nil, authfail.Principal(claims, err != nil || p.tenant != claims.Tid)
	}
	c.principalType, c.displayName = p.typ, p.displayName
	if p.upn != "" {
		c.name = p.upn
	}
	return c, nil
}

// tokenCache remembers verified tokens, so the RSA verification runs once
// per token rather than once per request. It holds no decision: the
// principal and its access are checked on every request.
type tokenCache struct {
	ver *token.Verifier
	mu  sync.RWMutex
	m   map[string]*token.Claims // by the raw token: a lookup allocates nothing
}

const tokenCacheMax = 50000

func newTokenCache(ver *token.Verifier) *tokenCache {
	return &tokenCache{ver: ver, m: map[string]*token.Claims{}}
}

func (tc *tokenCache) verify(ctx context.Context, raw string) (*token.Claims, error) {
	tc.mu.RLock()
	c, ok := tc.m[raw]
	tc.mu.RUnlock()
	if ok && time.Now().Before(time.Unix(c.Exp, 0)) {
		return c, nil
	}
	c, err := tc.ver.Verify(ctx, raw, defaultAudiences)
	if err != nil {
		return nil, err
	}
	tc.mu.Lock()
	if len(tc.m) >= tokenCacheMax {
		tc.m = map[string]*token.Claims{} // bounded: start over
	}
	tc.m[raw] = c
	tc.mu.Unlock()
	return c, nil
}
