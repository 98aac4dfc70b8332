package gateway

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the gateway's Prometheus metrics, registered on an injected
// registry. Labels use route templates, never raw paths.
type Metrics struct {
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	decisions *prometheus.CounterVec
	tokenUse  *prometheus.CounterVec
	throttles *prometheus.CounterVec
	// allowed and denied are decisions' counters, looked up once.
	allowed, denied prometheus.Counter
}

// NewMetrics registers the gateway's metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_gateway_requests_total",
			Help: "Data-plane requests by route, deployment and status."}, []string{"route", "deployment", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gatehouse_gateway_request_duration_seconds",
			Help: "Data-plane request duration (to the end of the response).", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)},
			[]string{"route", "deployment"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_authz_decisions_total",
			Help: "RBAC decisions of the data plane."}, []string{"result"}),
		tokenUse: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_gateway_tokens_total",
			Help: "Tokens used, by deployment and kind (prompt, completion)."}, []string{"deployment", "kind"}),
		throttles: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gatehouse_gateway_throttled_total",
			Help: "Requests refused with 429 by deployment."}, []string{"deployment"}),
	}
	reg.MustRegister(m.requests, m.latency, m.decisions, m.tokenUse, m.throttles)
	m.allowed, m.denied = m.decisions.WithLabelValues("allowed"), m.decisions.WithLabelValues("denied")
	return m
}

// depLabel is "account/deployment", made once per request.
func depLabel(rq *request) string {
	if rq.deployment == nil {
		return ""
	}
	if rq.depLabel == "" {
		rq.depLabel = rq.account.Name + "/" + rq.deployment.Name
	}
	return rq.depLabel
}

func routeLabel(rq *request) string {
	if rq.route == nil {
		return "unmatched"
	}
	return rq.route.label()
}

// observe records a finished request.
func (s *Service) observe(rq *request, status int) {
	m := s.metrics
	if m == nil {
		return
	}
	r, d := routeLabel(rq), depLabel(rq)
	m.requests.WithLabelValues(r, d, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(r, d).Observe(time.Since(rq.start).Seconds())
}

func (m *Metrics) decision(allowed bool) {
	if m == nil {
		return
	}
	if allowed {
		m.allowed.Inc()
	} else {
		m.denied.Inc()
	}
}

func (m *Metrics) tokens(rq *request, u usage) {
	if m == nil || rq.deployment == nil {
		return
	}
	d := depLabel(rq)
	m.tokenUse.WithLabelValues(d, "prompt").Add(float64(u.Prompt))
	m.tokenUse.WithLabelValues(d, "completion").Add(float64(u.Completion))
}

func (m *Metrics) throttled(rq *request) {
	if m == nil {
		return
	}
	m.throttles.WithLabelValues(depLabel(rq)).Inc()
}
