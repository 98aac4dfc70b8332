package telemetry

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// AuthFailure identifies refused authentications that are counted
// together: same surface, kind, claimed principal and tenant, route and
// client address, in the same minute.
type AuthFailure struct {
	Surface     string // "arm" or "gateway"
	Kind        string // authfail.Kind
	PrincipalID string // from the token; "" when it had none
	TenantID    string
	Unverified  bool   // PrincipalID and TenantID come from a token that did not verify
	Via         string // token, key or "" (no credential)
	Route       string // "METHOD route"
	Scope       string // the account on the data plane; "" on ARM
	ClientAddr  string // the peer's IP address
}

// maxFailureKeysPerMinute bounds the audit records refused
// authentications make: anyone can send a bad token, and should not be
// able to fill the disk with records. Beyond it, failures of a minute are
// counted in one record per surface and kind, without the details.
const maxFailureKeysPerMinute = 1000

// failures is the buffer of AddAuthFailure; the Recorder's mutex guards it.
type failures struct {
	m      map[failureKey]*AuditRecord
	minute int64
	keys   int // records made this minute, across flushes (a key seen again after a flush counts again)
}

type failureKey struct {
	AuthFailure
	minute int64
}

func (f *failures) take() map[failureKey]*AuditRecord {
	m := f.m
	f.m = nil
	return m
}

// AddAuthFailure counts a refused authentication made at t. reason is the
// explanation sent to the client; requestID is kept for the first failure
// of the minute.
func (r *Recorder) AddAuthFailure(t time.Time, requestID string, k AuthFailure, reason string) {
	minute := t.Unix() / 60
	r.mu.Lock()
	defer r.mu.Unlock()
	f := &r.failed
	if f.minute != minute {
		f.minute, f.keys = minute, 0
	}
	key := failureKey{k, minute}
	if cur, ok := f.m[key]; ok {
		cur.Count++
		return
	}
	if f.keys >= maxFailureKeysPerMinute {
		key = failureKey{AuthFailure{Surface: k.Surface, Kind: k.Kind, Route: "*", ClientAddr: "*"}, minute}
		reason = "more distinct authentication failures this minute than are recorded one by one; counted here"
		requestID = ""
		if cur, ok := f.m[key]; ok {
			cur.Count++
			return
		}
	}
	f.keys++
	k = key.AuthFailure
	if f.m == nil {
		f.m = map[failureKey]*AuditRecord{}
	}
	h := sha256.Sum256([]byte(strings.Join([]string{k.Surface, k.Kind, k.PrincipalID, k.TenantID, k.Via,
		k.Route, strings.ToLower(k.Scope), k.ClientAddr}, "|")))
	at := time.Unix(minute*60, 0).UTC()
	f.m[key] = &AuditRecord{ID: at.Format(idTime) + "-f" + hex.EncodeToString(h[:6]), Count: 1, Time: t.UTC(),
		RequestID: requestID, PrincipalID: k.PrincipalID, Via: k.Via, Scope: k.Scope, Reason: reason, Route: k.Route,
		AuthFailure: k.Kind, PrincipalUnverified: k.Unverified, TenantID: k.TenantID, ClientAddress: k.ClientAddr,
		Action: "authenticate (" + k.Surface + ")"}
}
