package gateway

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Quotas as Azure OpenAI sets them: a deployment's capacity is its tokens
// per minute in thousands, and it may make 6 requests per minute per 1,000
// TPM. Both are token buckets refilled continuously.
const (
	tokensPerUnit   = 1000
	requestsPerUnit = 6
	// defaultOutputEstimate is charged for a request that sets no
	// max_tokens, until the real usage corrects it.
	defaultOutputEstimate = 256
	// maxCharge caps every charge and correction: more than any bucket
	// holds (100,000 units of 1,000 tokens), far from int overflow.
	maxCharge = 1 << 40
)

// Limiter holds the buckets of every deployment in this process.
// TODO(replicas): with several replicas the buckets must be shared (the
// PostgreSQL backend of a later issue); each replica now enforces the
// whole quota on its own.
type Limiter struct {
	mu      sync.Mutex
	buckets map[string]*buckets
	now     func() time.Time
}

type buckets struct {
	tokens, requests     float64
	tokenCap, requestCap float64
	last                 time.Time
}

// NewLimiter returns an empty limiter.
func NewLimiter() *Limiter { return &Limiter{buckets: map[string]*buckets{}, now: time.Now} }

// refill brings b up to date for capacity (in units) at now.
func (b *buckets) refill(capacity int, now time.Time) {
	// In float64: an int product could wrap for a huge capacity.
	tc, rc := float64(capacity)*tokensPerUnit, math.Max(1, float64(capacity)*requestsPerUnit)
	if b.tokenCap != tc || b.requestCap != rc { // new or resized
		b.tokens, b.requests = math.Min(b.tokens+tc-b.tokenCap, tc), math.Min(b.requests+rc-b.requestCap, rc)
		b.tokenCap, b.requestCap = tc, rc
	}
	dt := now.Sub(b.last).Minutes()
	b.last = now
	b.tokens = math.Min(tc, b.tokens+dt*tc)
	b.requests = math.Min(rc, b.requests+dt*rc)
}

// rejection says which limit a request hit and when to retry.
type rejection struct {
	tokens     bool
	retryAfter time.Duration
}

// take charges one request and est tokens to deployment key, or says why
// not. est is clamped to [0, maxCharge]: a charge never adds tokens.
func (l *Limiter) take(key string, capacity, est int) *rejection {
	est = clampCharge(est)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketsFor(key)
	b.refill(capacity, l.now())
	if b.requests < 1 {
		return &rejection{retryAfter: time.Duration((1 - b.requests) / b.requestCap * float64(time.Minute))}
	}
	if float64(est) > b.tokens {
		need := math.Min(float64(est), b.tokenCap) - b.tokens
		return &rejection{tokens: true, retryAfter: time.Duration(need / b.tokenCap * float64(time.Minute))}
	}
	b.requests--
	b.tokens -= float64(est)
	return nil
}

// adjust corrects a charge by delta tokens once the real usage is known
// (negative: tokens given back, never beyond the bucket's capacity).
func (l *Limiter) adjust(key string, delta int) {
	delta = max(-maxCharge, min(delta, maxCharge))
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		b.tokens = math.Min(b.tokenCap, b.tokens-float64(delta))
	}
}

// remaining reports what is left in a deployment's buckets.
func (l *Limiter) remaining(key string, capacity int) (requests, tokens int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketsFor(key)
	b.refill(capacity, l.now())
	return int(math.Max(0, b.requests)), int(math.Max(0, b.tokens))
}

func (l *Limiter) bucketsFor(key string) *buckets {
	b, ok := l.buckets[key]
	if !ok {
		b = &buckets{last: l.now()}
		l.buckets[key] = b
	}
	return b
}

// capacityOf is a deployment's sku.capacity (1 when unset).
func capacityOf(rq *request) int {
	if d := rq.deployment; d != nil && d.SKU != nil && d.SKU.Capacity != nil && *d.SKU.Capacity > 0 {
		return *d.SKU.Capacity
	}
	return 1
}

// estimate is the tokens charged before forwarding.
func estimate(rq *request) int { return estimateTokens(rq.route.Op, len(rq.body), rq.meta) }

// estimateTokens is the prompt (bytes/4, the usual rule of thumb) plus the
// output budget times the choices generated, as Azure estimates. parseMeta
// has range-checked the fields; the arithmetic saturates at maxCharge all
// the same, so no input makes a charge wrap or go negative.
func estimateTokens(op Operation, bodyLen int, m bodyMeta) int {
	prompt := max(bodyLen, 0) / 4
	if op == OpEmbeddings {
		return clampCharge(prompt)
	}
	out := m.maxOutput()
	if out <= 0 {
		out = defaultOutputEstimate
	}
	return satAdd(prompt, satMul(out, m.choices()))
}

func clampCharge(n int) int { return max(0, min(n, maxCharge)) }

// satAdd and satMul work on charges: operands clamped to [0, maxCharge],
// results saturating at maxCharge.
func satAdd(a, b int) int { return min(clampCharge(a)+clampCharge(b), maxCharge) }

func satMul(a, b int) int {
	a, b = clampCharge(a), clampCharge(b)
	if a != 0 && b > maxCharge/a {
		return maxCharge
	}
	return a * b
}

// admit charges the request to its deployment's quota or answers 429 with
// Azure's body and retry headers.
func (s *Service) admit(w http.ResponseWriter, rq *request) (int, error) {
	est := estimate(rq)
	rej := s.quota.take(rq.deployment.ID, capacityOf(rq), est)
	if rej == nil {
		return est, nil
	}
	secs := int(math.Ceil(rej.retryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	kind := "call rate limit"
	if rej.tokens {
		kind = "token rate limit"
	}
	version := rq.r.URL.Query().Get("api-version")
	if version == "" {
		version = "v1"
	}
	s.rateHeaders(w, rq)
	e := azErr(429, "429", fmt.Sprintf("Requests to the %s Operation under Azure OpenAI API version %s have exceeded %s of your current OpenAI %s pricing tier. Please retry after %d seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.",
		rq.route.OpName, version, kind, skuName(rq), secs))
	e.Header = map[string]string{"retry-after": strconv.Itoa(secs), "retry-after-ms": strconv.FormatInt(rej.retryAfter.Milliseconds()+1, 10)}
	s.metrics.throttled(rq)
	return 0, e
}

func skuName(rq *request) string {
	if rq.account.SKU != nil {
		return rq.account.SKU.Name
	}
	return "S0"
}

// settle corrects the charge by the real usage and records it.
func (s *Service) settle(rq *request, charged int, u usage) {
	// The counts come from the upstream, which a deployment's owner
	// chooses: summed saturating, so huge ones cannot wrap into a refund.
	if used := satAdd(u.Prompt, u.Completion); used > 0 {
		s.quota.adjust(rq.deployment.ID, used-clampCharge(charged))
	}
	s.recordUsage(rq, u)
}

// rateHeaders sets x-ratelimit-remaining-* for the request's deployment.
func (s *Service) rateHeaders(w http.ResponseWriter, rq *request) {
	if rq.deployment == nil {
		return
	}
	req, tok := s.quota.remaining(rq.deployment.ID, capacityOf(rq))
	h := w.Header() // canonical keys, set directly: this runs on every response
	h["X-Ratelimit-Remaining-Requests"] = []string{strconv.Itoa(req)}
	h["X-Ratelimit-Remaining-Tokens"] = []string{strconv.Itoa(tok)}
}
