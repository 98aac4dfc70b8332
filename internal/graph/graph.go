// Package graph serves a Microsoft Graph v1.0-shaped API over the directory:
// applications, service principals, users, groups and memberships.
package graph

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/authfail"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/telemetry"
	"github.com/gatehouse/gatehouse/internal/token"
)

// Service is the Graph API.
type Service struct {
	dir *directory.Directory
	ver *token.Verifier
	log *slog.Logger
	// Recorder, when set, keeps refused authentications in the audit trail.
	Recorder *telemetry.Recorder
}

// New returns the Graph API over dir, accepting tokens ver verifies.
func New(dir *directory.Directory, ver *token.Verifier, log *slog.Logger) *Service {
	return &Service{dir: dir, ver: ver, log: log}
}

// Audiences Graph tokens may carry.
var audiences = []string{"https://graph.microsoft.com", directory.GraphAppID, "https://graph.microsoft.us"}

// caller is the authenticated principal of a Graph request.
type caller struct {
	tid   string
	oid   string
	write bool // holds a ReadWrite permission
	read  bool
}

// handlerFunc is a Graph handler: it returns a status and body, or an error.
type handlerFunc func(ctx context.Context, c *caller, r *http.Request) (int, any, error)

// alternateKey matches "applications(appId='…')"-style path segments.
var alternateKey = regexp.MustCompile(`^(applications|servicePrincipals)\(appId='([^']*)'\)$`)

// Handler returns the routes under /v1.0/.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Graph addresses objects by alternate key in a segment of its own
		// syntax; rewrite it to a path segment the mux can route.
		parts := strings.Split(r.URL.Path, "/")
		if len(parts) > 2 {
			if m := alternateKey.FindStringSubmatch(parts[2]); m != nil {
				parts[2] = m[1] + "/appId=" + m[2]
				r.URL.Path = strings.Join(parts, "/")
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// handle wraps a handler with authentication, permission and rendering.
func (s *Service) handle(needWrite bool, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if f, ok := authfail.As(err); ok {
			authfail.Record(r.Context(), s.log, s.Recorder, r.Header.Get("client-request-id"), f, telemetry.AuthFailure{Surface: "graph",
				Route: r.Method + " " + r.URL.Path, ClientAddr: clientAddr(r)})
			err = unauthorized(f)
		}
		if err == nil && ((needWrite && !c.write) || !c.read) {
			err = errForbidden()
		}
		if err != nil {
			writeError(w, r, s.log, err, "")
			return
		}
		status, body, err := h(r.Context(), c, r)
		if err != nil {
			writeError(w, r, s.log, err, r.PathValue("id"))
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, body)
	}
}

// authenticate verifies the bearer token and reads the caller's Graph
// permissions from the directory as it is now, not from the token's roles
// claim, so a revoked grant takes effect on the next request.
func (s *Service) authenticate(r *http.Request) (*caller, error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, surface.NoCredential()
	}
	raw, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, surface.NotBearer()
	}
	claims, err := s.ver.Verify(r.Context(), strings.TrimSpace(raw), audiences)
	if err != nil {
		return nil, surface.Token(err, strings.TrimSpace(raw), time.Now())
	}
	if !claims.IsApp() {
		return nil, errForbidden() // delegated directory administration is not supported yet
	}
	return s.appCaller(r.Context(), claims)
}

func (s *Service) appCaller(ctx context.Context, claims *token.Claims) (*caller, error) {
	sp, err := s.dir.ServicePrincipal(ctx, claims.Oid)
	if directory.IsNotFound(err) || (err == nil && (!sp.AccountEnabled || sp.TenantID != claims.Tid)) {
		return nil, authfail.Principal(claims, err != nil || sp.TenantID != claims.Tid)
	}
	if err != nil {
		return nil, err
	}
	graphSP, err := s.dir.ServicePrincipalByAppID(ctx, claims.Tid, directory.GraphAppID)
	if err != nil {
		return nil, err
	}
	grants, err := s.dir.AppRoleAssignmentsOf(ctx, sp.ID)
	if err != nil {
		return nil, err
	}
	c := &caller{tid: claims.Tid, oid: sp.ID}
	for _, g := range grants {
		if g.ResourceID != graphSP.ID {
			continue
		}
		switch g.AppRoleID {
		case directory.GraphDirectoryReadWriteAll, directory.GraphApplicationReadWriteAll,
			directory.GraphUserReadWriteAll, directory.GraphGroupReadWriteAll:
			c.write, c.read = true, true
		case directory.GraphDirectoryReadAll:
			c.read = true
		}
	}
	return c, nil
}

// decode reads a JSON body of at most 1 MiB into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		return errBadRequest("Invalid JSON in the request body: " + err.Error())
	}
	return nil
}

// list is Graph's collection envelope.
type list struct {
	Context string `json:"@odata.context"`
	Value   any    `json:"value"`
}

func collection(name string, v any) list {
	return list{Context: "https://graph.microsoft.com/v1.0/$metadata#" + name, Value: v}
}

// surface is what Graph accepts, for the explanations of refusals.
var surface = authfail.Surface{Scope: "https://graph.microsoft.com/.default"}

// clientAddr is the peer's IP address (not a forwarded header, which the
// client writes).
func clientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
