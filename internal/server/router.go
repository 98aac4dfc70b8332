package server

import (
	"net/http"
	"strings"
)

// Surfaces on one host. Azure spreads them over several hosts; their path
// spaces do not collide, so the first path segment picks the surface.
type router struct {
	sts   http.Handler // Entra: /{tenant}/…, /common/…
	graph http.Handler // Microsoft Graph: /v1.0/…
	arm   http.Handler // Azure Resource Manager: /subscriptions/…, /providers/…, …
}

// armRoots are the first path segments of ARM requests.
var armRoots = map[string]bool{"subscriptions": true, "providers": true, "tenants": true, "metadata": true}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch {
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
