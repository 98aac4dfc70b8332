package rbac

import "fmt"

// Compile-time checks that keep assignments and deny assignments inside
// their tenant and their role's assignable scopes. They run once per
// entry, so Decide pays nothing for them.

// ancestors lists an engine scope and its ancestors (see ancestry),
// memoized per scope while compiling.
func (s *Snapshot) ancestors(scope string) []string {
	if a, ok := s.ancestorsOf[scope]; ok {
		return a
	}
	a := ancestry([]byte(scope), s.chainMap)
	if s.ancestorsOf != nil { // compiling: a compiled snapshot is never written to
		s.ancestorsOf[scope] = a
	}
	return a
}

// checkTenantRoot refuses an entry of tenant whose scope's root is not the
// tenant's: a subscription of another tenant, or one the hierarchy does
// not place in any.
func (s *Snapshot) checkTenantRoot(scope, tenant string) error {
	if tenant == "" {
		return nil
	}
	anc := s.ancestors(scope)
	if root := anc[len(anc)-1]; root != s.tenantRoot(tenant) {
		return fmt.Errorf("scope %s is not in tenant %s", scope, tenant)
	}
	return nil
}

// tenantRoot is TenantScope(tenant, "/"), made once per tenant while
// compiling.
func (s *Snapshot) tenantRoot(tenant string) string {
	if r, ok := s.tenantRoots[tenant]; ok {
		return r
	}
	r := TenantScope(tenant, RootScope)
	if s.tenantRoots != nil {
		s.tenantRoots[tenant] = r
	}
	return r
}

// assignableAt reports whether def may be assigned at the engine scope:
// one of its assignable scopes (seen from its own tenant) is the scope or
// an ancestor of it. "/" means every root, as for the built-ins.
func (s *Snapshot) assignableAt(role *compiledRole, scope string) bool {
	if role.anywhere {
		return true
	}
	def := role.def
	anc := s.ancestors(scope)
	for _, as := range def.AssignableScopes {
		if NormalizeScope(as) == RootScope {
			return true
		}
		want := TenantScope(def.Tenant, as)
		for _, a := range anc {
			if a == want {
				return true
			}
		}
	}
	return false
}

// Ancestors lists scope, as tenant sees it, and its ancestors, nearest
// first and ending with the root, as engine scopes (see TenantScope): what
// list operations compare stored scopes against.
func (s *Snapshot) Ancestors(tenant, scope string) []string {
	var bufs decideBufs
	d := newDecider(s, &Request{Tenant: tenant, Scope: scope}, &bufs)
	out := make([]string, len(d.levels))
	for i := range d.levels {
		l := &d.levels[i]
		if l.end >= 0 {
			out[i] = string(d.scope[:l.end])
		} else {
			out[i] = l.str
		}
	}
	return out
}
