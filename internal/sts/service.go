package sts

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Options configure the token service.
type Options struct {
	TokenLifetime time.Duration // default 1 h (expires_in 3599)
	Logger        *slog.Logger
	// SingleUseAssertions refuses a client assertion whose jti the client
	// has used before, until it expires. Off by default: Entra accepts an
	// assertion "until [its exp]" (its certificate-credentials page), and
	// msal-node and MSAL Python reuse one for up to ten minutes across
	// token requests (azure-identity's certificate credentials in Node and
	// Python, az with a certificate).
	SingleUseAssertions bool
}

// Service serves the Entra endpoints.
type Service struct {
	dir      *directory.Directory
	keys     *token.Keys
	log      *slog.Logger
	now      func() time.Time
	lifetime time.Duration
	grants   map[string]Grant
	reads    *reads
	replay   *replayCache // nil unless Options.SingleUseAssertions
}

// New returns the token service.
func New(dir *directory.Directory, keys *token.Keys, o Options) *Service {
	if o.TokenLifetime <= 0 {
		o.TokenLifetime = time.Hour - time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Service{dir: dir, keys: keys, log: o.Logger, now: time.Now, lifetime: o.TokenLifetime, reads: newReads(dir)}
	if o.SingleUseAssertions {
		s.replay = newReplayCache(replayMaxEntries, replayMaxPerClient)
	}
	s.grants = map[string]Grant{}
	s.Register(clientCredentials{s})
	return s
}

// Register adds a grant type; later issues plug in user flows this way.
func (s *Service) Register(g Grant) { s.grants[g.Type()] = g }

// SetClock replaces the clock, for tests.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// tenant resolves the {tenant} path segment (GUID or domain).
func (s *Service) tenant(ctx context.Context, seg string) (*directory.Tenant, error) {
	if seg == "" || len(seg) > 256 {
		return nil, errTenantNotFound(seg)
	}
	ten, err := s.reads.tenant(ctx, seg)
	if directory.IsNotFound(err) {
		return nil, errTenantNotFound(seg)
	}
	return ten, err
}

// requestTenant resolves the tenant of a token request. On the multi-tenant
// aliases (common, organizations) and the ADFS authority it is the client
// application's home.
func (s *Service) requestTenant(ctx context.Context, seg string, rq *Request) (*directory.Tenant, error) {
	if !isTenantAlias(seg) && !isADFS(seg) {
		return s.tenant(ctx, seg)
	}
	id := rq.ClientID
	if id == "" {
		id = assertionSubject(rq.ClientAssertion)
	}
	if !directory.IsGUID(id) {
		return nil, errMissingParam("client_id")
	}
	app, err := s.reads.app(ctx, id)
	if directory.IsNotFound(err) {
		return nil, errAppNotFound(id, seg)
	}
	if err != nil {
		return nil, err
	}
	return s.tenant(ctx, app.TenantID)
}

// token handles POST /{tenant}/oauth2/v2.0/token and /{tenant}/oauth2/token.
func (s *Service) token(w http.ResponseWriter, r *http.Request, v1 bool) {
	resp, err := s.exchange(r, v1)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if v1 {
		writeJSON(w, http.StatusOK, v1Body{TokenType: "Bearer", ExpiresIn: itoa(resp.ExpiresIn),
			ExtExpiresIn: itoa(resp.ExpiresIn), ExpiresOn: itoa(resp.ExpiresOn), NotBefore: itoa(resp.NotBefore),
			Resource: resp.Resource, AccessToken: resp.AccessToken, RefreshToken: resp.RefreshToken, IDToken: resp.IDToken})
		return
	}
	writeJSON(w, http.StatusOK, v2Body{TokenType: "Bearer", Scope: resp.Scope, ExpiresIn: resp.ExpiresIn,
		ExtExpiresIn: resp.ExpiresIn, AccessToken: resp.AccessToken, RefreshToken: resp.RefreshToken, IDToken: resp.IDToken})
}

// exchange runs the shared phases and then the grant.
func (s *Service) exchange(r *http.Request, v1 bool) (*Response, error) {
	rq, err := parseRequest(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	ten, err := s.requestTenant(ctx, r.PathValue("tenant"), rq)
	if err != nil {
		return nil, err
	}
	if isADFS(r.PathValue("tenant")) && rq.Resource != "" {
		v1 = true // ADFS takes resource= as the v1 endpoint does
	}
	rq.V1, rq.Tenant, rq.BaseURL = v1, r.PathValue("tenant"), baseURL(r)
	rq.Endpoint = rq.BaseURL + r.URL.Path
	if rq.GrantType == "" {
		return nil, errMissingParam("grant_type")
	}
	g, ok := s.grants[rq.GrantType]
	if !ok {
		return nil, errUnsupportedGrant(rq.GrantType)
	}
	if g.ClientAuth() == ClientRequired || rq.ClientSecret != "" || rq.ClientAssertion != "" {
		if rq.Client, err = s.authenticateClient(ctx, rq, ten); err != nil {
			return nil, err
		}
	}
	return g.Handle(ctx, rq, ten)
}

// baseURL is scheme://host of the request, as the client addressed us.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
