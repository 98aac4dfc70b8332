// Package telemetry keeps the data plane's usage totals and audit records.
// It lives in a store of its own: telemetry is written all the time, and
// the authorization state's store revision must change only when access
// may have changed.
package telemetry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Store kinds of the telemetry store.
const (
	KindUsage store.Kind = "usage"
	KindAudit store.Kind = "audit"
)

// UsageRecord is the running total of one principal on one deployment.
type UsageRecord struct {
	DeploymentID     string    `json:"deploymentId"`
	PrincipalID      string    `json:"principalId"` // "key" for account-key callers
	Requests         int64     `json:"requests"`
	PromptTokens     int64     `json:"promptTokens"`
	CompletionTokens int64     `json:"completionTokens"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

func (u *UsageRecord) StoreKind() store.Kind { return KindUsage }
func (u *UsageRecord) StoreID() string       { return strings.ToLower(u.DeploymentID) + "|" + u.PrincipalID }
func (u *UsageRecord) StoreTenant() string   { return "" }
func (u *UsageRecord) StoreKeys() []string   { return nil }
func (u *UsageRecord) StoreRefs() []string {
	return []string{"principal:" + u.PrincipalID, "deployment:" + strings.ToLower(u.DeploymentID)}
}

// AuditRecord is an access decision of the data plane. A denial is a
// record of its own; allowed decisions are counted per principal, action,
// scope and minute (Count, from Time), so the trail stays small under load
// while every denial keeps its detail.
type AuditRecord struct {
	ID            string    `json:"id"` // sortable by time
	Count         int64     `json:"count"`
	Time          time.Time `json:"time"`
	RequestID     string    `json:"requestId"`
	PrincipalID   string    `json:"principalId"`
	PrincipalType string    `json:"principalType"`
	Via           string    `json:"via"` // token or key
	Action        string    `json:"action"`
	Scope         string    `json:"scope"`
	Allowed       bool      `json:"allowed"`
	Reason        string    `json:"reason"`
	Route         string    `json:"route"`
	// Authentication failures (see authfail.go): what was wrong, whether
	// the principal and tenant come from a token that did not verify, and
	// where the request came from.
	AuthFailure         string `json:"authenticationFailure,omitempty"`
	PrincipalUnverified bool   `json:"principalUnverified,omitempty"`
	TenantID            string `json:"tenantId,omitempty"`
	ClientAddress       string `json:"clientAddress,omitempty"`
}

func (a *AuditRecord) StoreKind() store.Kind { return KindAudit }
func (a *AuditRecord) StoreID() string       { return a.ID }
func (a *AuditRecord) StoreTenant() string   { return "" }
func (a *AuditRecord) StoreKeys() []string   { return nil }
func (a *AuditRecord) StoreRefs() []string   { return []string{"principal:" + a.PrincipalID} }

// Recorder buffers usage and audit records and writes them in batches, so
// no request waits for a disk write.
type Recorder struct {
	st    store.Store
	log   *slog.Logger
	mu    sync.Mutex
	usage map[usageKey]*UsageRecord
	audit []*AuditRecord
	// allowed aggregates allowed decisions by key and minute.
	allowed map[allowedKey]*AuditRecord
	// failed aggregates authentication failures by key and minute.
	failed failures
	// Retention is how long audit records are kept (0: for ever); Run
	// deletes older ones every hour. Set it before Run.
	Retention time.Duration
}

// Allowed identifies the allowed decisions that are counted together in
// each minute.
type Allowed struct {
	PrincipalID, PrincipalType, Via, Action, Scope, Route string
}

// usageKey is a buffered total's key; IDs differing only in case are
// merged by addUsage, which writes by StoreID.
type usageKey struct{ deployment, principal string }

type allowedKey struct {
	Allowed
	minute int64
}

// NewRecorder writes into st (the telemetry store).
func NewRecorder(st store.Store, log *slog.Logger) *Recorder {
	return &Recorder{st: st, log: log, usage: map[usageKey]*UsageRecord{}, allowed: map[allowedKey]*AuditRecord{}}
}

// Store is the telemetry store (for readers: ARM usages, the CLI).
func (r *Recorder) Store() store.Store { return r.st }

// Run flushes every interval until ctx ends, then once more; with a
// Retention it also deletes audit records past it, at start and hourly.
func (r *Recorder) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	purge := time.NewTicker(time.Hour)
	defer purge.Stop()
	r.purge(ctx)
	for {
		select {
		case <-purge.C:
			r.purge(ctx)
		case <-ctx.Done():
			if err := r.Flush(context.Background()); err != nil {
				r.log.Error("final telemetry flush failed", "err", err)
			}
			return
		case <-t.C:
			if err := r.Flush(ctx); err != nil && !errors.Is(err, context.Canceled) {
				r.log.Error("telemetry flush failed", "err", err)
			}
		}
	}
}

func (r *Recorder) purge(ctx context.Context) {
	if r.Retention <= 0 {
		return
	}
	n, err := r.PurgeAudit(ctx, time.Now().Add(-r.Retention))
	if err != nil && !errors.Is(err, context.Canceled) {
		r.log.Error("audit retention: purge failed", "err", err)
	} else if n > 0 {
		r.log.Info("audit retention: records deleted", "count", n, "retention", r.Retention.String())
	}
}

// Flush writes what is buffered.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	usage, audit, allowed, failed := r.usage, r.audit, r.allowed, r.failed.take()
	r.usage, r.audit, r.allowed = map[usageKey]*UsageRecord{}, nil, map[allowedKey]*AuditRecord{}
	r.mu.Unlock()
	if len(usage) == 0 && len(audit) == 0 && len(allowed) == 0 && len(failed) == 0 {
		return nil
	}
	return r.st.Update(ctx, func(tx store.Tx) error {
		for _, u := range usage {
			if err := addUsage(ctx, tx, u); err != nil {
				return err
			}
		}
		for _, a := range audit {
			if err := store.PutDoc(ctx, tx, a); err != nil {
				return err
			}
		}
		for _, a := range allowed {
			if err := addCount(ctx, tx, a); err != nil {
				return err
			}
		}
		for _, a := range failed {
			if err := addCount(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// addCount merges an aggregated record with one an earlier flush wrote in
// the same minute.
func addCount(ctx context.Context, tx store.Tx, a *AuditRecord) error {
	cur, err := store.GetDoc[AuditRecord](ctx, tx, KindAudit, a.ID)
	if err == nil {
		a.Count += cur.Count
		a.Time = cur.Time
		if cur.RequestID != "" {
			a.RequestID = cur.RequestID // the first request of the minute
		}
	} else if !store.IsNotFound(err) {
		return err
	}
	return store.PutDoc(ctx, tx, a)
}

func addUsage(ctx context.Context, tx store.Tx, u *UsageRecord) error {
	cur, err := store.GetDoc[UsageRecord](ctx, tx, KindUsage, u.StoreID())
	if err == nil {
		u.Requests += cur.Requests
		u.PromptTokens += cur.PromptTokens
		u.CompletionTokens += cur.CompletionTokens
	} else if !store.IsNotFound(err) {
		return err
	}
	return store.PutDoc(ctx, tx, u)
}

// AddUsage adds one call to a principal's total on a deployment.
func (r *Recorder) AddUsage(deployment, principal string, prompt, completion int) {
	k := usageKey{deployment, principal}
	r.mu.Lock()
	defer r.mu.Unlock()
	rec, ok := r.usage[k]
	if !ok {
		rec = &UsageRecord{DeploymentID: deployment, PrincipalID: principal}
		r.usage[k] = rec
	}
	rec.Requests++
	rec.PromptTokens += int64(prompt)
	rec.CompletionTokens += int64(completion)
	rec.UpdatedAt = time.Now().UTC()
}

// AddAudit buffers a decision: a denial as its own record, an allowed one
// into its minute's count.
func (r *Recorder) AddAudit(a *AuditRecord) {
	if a.Allowed {
		r.AddAllowed(a.Time, Allowed{a.PrincipalID, a.PrincipalType, a.Via, a.Action, a.Scope, a.Route},
			func() string { return a.Reason })
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a.Count = 1
	r.audit = append(r.audit, a)
}

// AddAllowed counts an allowed decision made at t into its minute's
// record; reason is asked for once per minute and key. It runs on every
// data-plane request, so it builds nothing when the count exists.
func (r *Recorder) AddAllowed(t time.Time, k Allowed, reason func() string) {
	key := allowedKey{k, t.Unix() / 60}
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur, ok := r.allowed[key]; ok {
		cur.Count++
		return
	}
	minute := time.Unix(key.minute*60, 0).UTC()
	// The ID is the same for every flush of the minute, so addCount merges.
	h := sha256.Sum256([]byte(k.PrincipalID + "|" + k.Via + "|" + k.Action + "|" + strings.ToLower(k.Scope) + "|" + k.Route))
	r.allowed[key] = &AuditRecord{ID: minute.Format(idTime) + "-a" + hex.EncodeToString(h[:6]),
		Count: 1, Time: minute, PrincipalID: k.PrincipalID, PrincipalType: k.PrincipalType, Via: k.Via,
		Action: k.Action, Scope: k.Scope, Allowed: true, Reason: reason(), Route: k.Route}
}

// AuditID sorts by time: RFC 3339 nanoseconds plus a random suffix.
func AuditID(t time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return t.UTC().Format(idTime) + "-" + hex.EncodeToString(b)
}
