package server

import (
	"net"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/gateway"
)

// accountHost reports the account of a host {account}.{baseDomain}[:port].
func (rt *router) accountHost(host string) (string, bool) {
	if rt.baseDomain == "" {
		return "", false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	acct, ok := strings.CutSuffix(strings.ToLower(host), "."+rt.baseDomain)
	return acct, ok && acct != "" && !strings.Contains(acct, ".")
}

// Surfaces on one host. Azure spreads them over several hosts; their path
// spaces do not collide, so the first path segment picks the surface.
type router struct {
	sts     http.Handler // Entra: /{tenant}/…, /common/…
	graph   http.Handler // Microsoft Graph: /v1.0/…
	arm     http.Handler // Azure Resource Manager: /subscriptions/…, /providers/…, …
	gateway *gateway.Service
	// baseDomain: a host {account}.{baseDomain} is that account's data plane.
	baseDomain string
	metrics    http.Handler // Prometheus: /metrics
}

// armRoots are the first path segments of ARM requests.
var armRoots = map[string]bool{"subscriptions": true, "providers": true, "tenants": true, "metadata": true}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if acct, ok := rt.accountHost(r.Host); ok && rt.gateway != nil {
		rt.gateway.ServeAccount(w, r, acct, r.URL.Path)
		return
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
	case first == "accounts" && rt.gateway != nil:
		rt.gateway.Handler().ServeHTTP(w, r)
	case first == "metrics" && rt.metrics != nil:
		rt.metrics.ServeHTTP(w, r)
	case first == "v1.0" && rt.graph != nil:
		rt.graph.ServeHTTP(w, r)
	case armRoots[strings.ToLower(first)] && rt.arm != nil:
		rt.arm.ServeHTTP(w, r)
	case first == "healthz":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	default:
		rt.sts.ServeHTTP(w, r)
	}
}
