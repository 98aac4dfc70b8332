package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/arm"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/reqid"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/telemetry"
	"github.com/gatehouse/gatehouse/internal/token"
	"github.com/gatehouse/gatehouse/internal/upstream"
)

// maxBody bounds a request body (embeddings of large batches are the
// biggest legitimate ones).
const maxBody = 16 << 20

// Service is the inference gateway.
type Service struct {
	dir     *directory.Directory
	st      store.Store
	az      *authz.Authorizer
	tokens  *tokenCache
	pool    *upstream.Pool
	log     *slog.Logger
	quota   *Limiter
	rec     *telemetry.Recorder
	metrics *Metrics
	cache   *cache
}

// Options configure the gateway.
type Options struct {
	Logger   *slog.Logger
	Pool     *upstream.Pool      // nil: a default pool
	Metrics  *Metrics            // nil: no metrics
	Recorder *telemetry.Recorder // nil: usage and audit are not recorded
}

// New returns the gateway.
func New(dir *directory.Directory, st store.Store, ver *token.Verifier, az *authz.Authorizer, o Options) *Service {
	if o.Pool == nil {
		o.Pool = upstream.NewPool(nil)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{dir: dir, st: st, az: az, tokens: newTokenCache(ver), pool: o.Pool, log: o.Logger,
		quota: NewLimiter(), rec: o.Recorder, metrics: o.Metrics, cache: newCache(st)}
}

// request is one data-plane request on its way through the pipeline.
type request struct {
	r          *http.Request
	id         string
	start      time.Time
	route      *Route
	account    *arm.Resource
	deployment *arm.Resource
	depName    string
	project    string
	scope      string
	caller     *caller
	body       []byte
	meta       bodyMeta
	depLabel   string // the metrics label, see depLabel
}

// ServeAccount serves path (what follows the account prefix or host) for
// the account named by its subdomain.
func (s *Service) ServeAccount(w http.ResponseWriter, r *http.Request, account, path string) {
	rq := &request{r: r, id: reqid.From(r.Context()), start: time.Now()}
	h := w.Header() // canonical keys, set directly: this runs on every request
	ids := []string{rq.id}
	h["Apim-Request-Id"], h["X-Request-Id"] = ids, ids
	if id := r.Header["X-Ms-Client-Request-Id"]; len(id) > 0 && id[0] != "" {
		h["X-Ms-Client-Request-Id"] = id[:1]
	}
	status, err := s.run(w, rq, account, path)
	if err != nil {
		if rq.deployment != nil {
			s.rateHeaders(w, rq)
		}
		status = s.writeError(w, r, err)
	}
	s.observe(rq, status)
}

func (s *Service) run(w http.ResponseWriter, rq *request, account, path string) (int, error) {
	ctx := rq.r.Context()
	rt, dep, proj, ok := match(rq.r.Method, path)
	if !ok {
		return 0, errNotFound()
	}
	rq.route, rq.depName, rq.project = rt, dep, proj
	acct, err := s.account(ctx, account)
	if store.IsNotFound(err) {
		return 0, errNotFound()
	}
	if err != nil {
		return 0, err
	}
	rq.account = acct
	if rt.APIVersion && rq.r.URL.Query().Get("api-version") == "" {
		return 0, errBadRequest("Missing required query parameter 'api-version'.")
	}
	if rq.caller, err = s.authenticate(ctx, rq.r, acct); err != nil {
		return 0, s.refused(rq, err)
	}
	if !rq.caller.key && !fold.Equal(rq.caller.tenant, acct.TenantID) {
		// A token of another tenant: Azure refuses it as invalid.
		return 0, s.refused(rq, surface.Tenant(rq.caller.principalID, rq.caller.tenant, acct.TenantID))
	}
	if err := s.readBody(rq); err != nil {
		return 0, err
	}
	if err := s.resolveTarget(ctx, rq); err != nil {
		return 0, err
	}
	if err := s.authorize(ctx, rq); err != nil {
		return 0, err
	}
	switch rt.Op {
	case OpDeployments:
		return s.listDeployments(ctx, w, rq)
	case OpModels:
		return s.listModels(ctx, w, rq)
	case OpModelInfo:
		return s.modelInfo(w, rq)
	}
	return s.forward(ctx, w, rq)
}

func (s *Service) readBody(rq *request) error {
	if rq.r.Method != http.MethodPost {
		return nil
	}
	b, err := readAll(rq.r.Body, rq.r.ContentLength)
	if err != nil {
		return errBadRequest("The request body could not be read.")
	}
	if len(b) > maxBody {
		return azErr(413, "RequestEntityTooLarge", "The request body is larger than the limit of 16 MiB.")
	}
	rq.body = b
	meta, err := parseMeta(b, rq.route.Op)
	if err != nil {
		return err
	}
	rq.meta = meta
	return nil
}

// readAll reads a body of up to maxBody+1 bytes, in one allocation when
// its length is known.
func readAll(r io.Reader, length int64) ([]byte, error) {
	if length <= 0 || length > maxBody {
		return io.ReadAll(io.LimitReader(r, maxBody+1))
	}
	b := make([]byte, length)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

// resolveTarget finds the deployment (and project) and the scope the
// route's data action is decided at: the project for project routes, the
// deployment otherwise, the account for account-level routes.
func (s *Service) resolveTarget(ctx context.Context, rq *request) error {
	switch {
	case rq.route.Deployment == fromBodyOrOnly && rq.meta.Model == "":
		name, err := s.onlyDeployment(ctx, rq.account)
		if err != nil {
			return err
		}
		rq.depName = name
	case rq.route.Deployment == fromBody || rq.route.Deployment == fromBodyOrOnly:
		if rq.meta.Model == "" {
			return errBadRequest("The request body must name the deployment in 'model'.")
		}
		rq.depName = rq.meta.Model
	}
	rq.scope = rq.account.ID
	if rq.depName != "" {
		d, err := s.child(ctx, rq.account, "deployments", rq.depName)
		if store.IsNotFound(err) {
			return errDeploymentNotFound()
		}
		if err != nil {
			return err
		}
		rq.deployment, rq.scope = d, d.ID
	}
	if rq.project != "" {
		p, err := s.child(ctx, rq.account, "projects", rq.project)
		if store.IsNotFound(err) {
			return azErr(404, "ProjectNotFound", "The project '"+rq.project+"' does not exist in this resource.")
		}
		if err != nil {
			return err
		}
		rq.scope = p.ID
	}
	return nil
}

// onlyDeployment is the deployment a serverless route without "model"
// addresses: the account's only one.
func (s *Service) onlyDeployment(ctx context.Context, acct *arm.Resource) (string, error) {
	ds, err := arm.Deployments(ctx, s.st, acct)
	if err != nil {
		return "", err
	}
	if len(ds) != 1 {
		return "", errBadRequest("The request body must name the deployment in 'model': this resource has " + strconv.Itoa(len(ds)) + " deployments.")
	}
	return ds[0].Name, nil
}

// Handler serves the account given by the first path segment (the
// /accounts/{account}/… prefix form).
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/accounts/")
		account, path, _ := strings.Cut(rest, "/")
		s.ServeAccount(w, r, account, "/"+path)
	})
}

// Close flushes what the recorder holds.
func (s *Service) Close(ctx context.Context) error {
	if s.rec == nil {
		return nil
	}
	return s.rec.Flush(ctx)
}
