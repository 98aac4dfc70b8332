package arm

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/reqid"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/telemetry"
	"github.com/gatehouse/gatehouse/internal/token"
)

// maxBody bounds request bodies (ARM's own limit is 4 MB).
const maxBody = 4 << 20

// Service is the ARM API.
type Service struct {
	dir *directory.Directory
	st  store.Store
	ver *token.Verifier
	az  *authz.Authorizer
	log *slog.Logger
	// Endpoint, when set, gives a Cognitive Services account's data-plane
	// endpoint (the inference gateway's URL for it).
	Endpoint func(base, account string) string
	// Telemetry, when set, is the store of the gateway's usage records.
	Telemetry store.Reader
	// OperatorTenant owns telemetry no tenant can be told from (a refused
	// request with neither a token nor a subscription): the bootstrap tenant.
	OperatorTenant string
	// Recorder, when set, keeps refused authentications in the audit trail.
	Recorder *telemetry.Recorder
	routes   map[string]route
	// namespaces are the provider namespaces of the routes, folded.
	namespaces map[string]bool
	// catalog is the route table by namespace and type, for the provider
	// metadata (providers.go).
	catalog catalog
}

// New returns the ARM API.
func New(dir *directory.Directory, st store.Store, ver *token.Verifier, az *authz.Authorizer, log *slog.Logger) *Service {
	s := &Service{dir: dir, st: st, ver: ver, az: az, log: log}
	s.routes, s.namespaces, s.catalog = map[string]route{}, map[string]bool{}, catalog{}
	s.registerHierarchy()
	s.registerAuthorization()
	s.registerCognitive()
	s.registerManagedIdentity()
	s.registerAccess()
	s.registerUsages()
	s.registerTelemetry()
	s.registerLookups()
	return s
}

// call is one ARM request on its way through the pipeline.
type call struct {
	ctx        context.Context
	r          *http.Request
	p          *Principal
	op         *op
	apiVersion string
	body       []byte
	base       string // scheme://host as the client addressed us
}

// route is what a (kind, type, method) does. A non-empty action is
// authorized by the pipeline at the op's scope before fn runs; routes with
// an empty action authorize inside fn (they need the body, or filter).
type route struct {
	action   string
	versions []string
	fn       func(c *call) (int, any, error)
}

func routeKey(kind opKind, typ, method, action string) string {
	return fold.String(string(rune('0'+kind)) + "|" + typ + "|" + method + "|" + action)
}

func (s *Service) handle(kind opKind, typ, method, action string, rt route) {
	s.routes[routeKey(kind, typ, method, action)] = rt
	ns, _, _ := strings.Cut(typ, "/")
	s.namespaces[fold.String(ns)] = true
	s.catalog.add(typ, rt.versions)
}

// Handler serves ARM paths.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Service) serve(w http.ResponseWriter, r *http.Request) {
	reqID := reqid.From(r.Context())
	corr := r.Header.Get("x-ms-correlation-request-id")
	if _, err := uuid.Parse(corr); err != nil {
		corr = reqID
	}
	h := w.Header()
	h.Set("x-ms-request-id", reqID)
	h.Set("x-ms-correlation-request-id", corr)
	if fold.Equal(strings.TrimRight(r.URL.Path, "/"), "/metadata/endpoints") {
		s.metadata(w, r)
		return
	}
	status, body, err := s.run(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

// run is the pipeline: authenticate, api-version, route, body, authorize.
func (s *Service) run(r *http.Request) (int, any, error) {
	ctx := r.Context()
	p, err := s.authenticate(ctx, r)
	if err != nil {
		return 0, nil, s.refused(r, err)
	}
	version := r.URL.Query().Get("api-version")
	if version == "" {
		return 0, nil, errBadRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	}
	o, err := parseOp(r.Method, normalizePath(r.URL.Path))
	if err != nil {
		return 0, nil, err
	}
	if err := s.checkTenant(ctx, p, o); err != nil {
		return 0, nil, s.refused(r, err)
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	rt, ok := s.routes[routeKey(o.kind, o.typ, method, o.action)]
	if !ok {
		return 0, nil, s.noRoute(o, method, version)
	}
	if err := checkVersion(rt.versions, version, o.typ); err != nil {
		return 0, nil, err
	}
	c := &call{ctx: ctx, r: r, p: p, op: o, apiVersion: version, base: baseURL(r)}
	if c.body, err = readBody(r); err != nil {
		return 0, nil, err
	}
	if rt.action != "" {
		if err := s.authorize(c, rt.action, opScope(o), nil); err != nil {
			return 0, nil, err
		}
	}
	status, body, err := rt.fn(c)
	body, err = redactOutput(c, body, err) // every answer, so no route can forget it
	return status, body, err
}

// noRoute answers a path gatehouse does not serve as ARM does: a namespace
// it does not serve at all is InvalidResourceNamespace. Namespaces and
// types compare by the one folding rule, so 'Microsoft.Cogn\u0130tiveServices'
// is another namespace, never the one it resembles.
func (s *Service) noRoute(o *op, method, version string) *Error {
	ns, _, _ := strings.Cut(o.typ, "/")
	if !s.namespaces[fold.String(ns)] {
		return armErr(400, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", ns)
	}
	if o.kind == opAction {
		return armErr(404, "InvalidResourceType", "The resource type '%s' has no action '%s' for api version '%s'.", o.typ, o.action, version)
	}
	if method != http.MethodGet {
		return armErr(405, "MethodNotAllowed", "The HTTP method '%s' is not supported for resource type '%s'.", method, o.typ)
	}
	return armErr(404, "InvalidResourceType", "The resource type '%s' could not be found in the namespace '%s' for api version '%s'.", o.typ[len(ns)+1:], ns, version)
}

// opScope is the scope authorization is checked at: the resource itself,
// or the parent of a collection, or the resource an action is on.
func opScope(o *op) string { return scopeString(o.id) }

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errBadRequest("InvalidRequestContent", "The request content could not be read.")
	}
	if len(b) > maxBody {
		return nil, armErr(413, "RequestContentTooLarge", "The request content size exceeds the maximum size of 4 MB.")
	}
	return b, nil
}

func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}
