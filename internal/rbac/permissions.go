package rbac

// Permissions returns the effective permission blocks of a principal at a
// scope of tenant — the role permissions of every assignment of the principal or of
// its groups at the scope or above — for ARM's
// /providers/Microsoft.Authorization/permissions. Order: nearest scope,
// direct before group, then assignment name; identical (role, condition)
// pairs appear once. An assignment's condition is folded into each block's
// Condition. Deny assignments are not reflected, as in Azure.
func (s *Snapshot) Permissions(tenant, principalID, scope string) []Permission {
	var bufs decideBufs
	d := newDecider(s, &Request{Tenant: tenant, PrincipalID: principalID, Scope: scope}, &bufs)
	d.useOverlayIDs()
	var out []Permission
	if !d.inTenant() {
		return out
	}
	seen := map[[2]string]bool{}
	add := func(ca *compiledAssignment) {
		key := [2]string{ca.role.def.ID, ca.a.Condition}
		if seen[key] {
			return
		}
		seen[key] = true
		for _, p := range clonePermissions(ca.role.def.Permissions) {
			p.Condition = andConditions(p.Condition, ca.a.Condition)
			if p.Condition != "" {
				p.ConditionVersion = "2.0"
			}
			out = append(out, p)
		}
	}
	for i := range d.levels {
		l := &d.levels[i]
		for _, ca := range d.assignmentsAt(l, d.principal, string(d.oid)) {
			add(ca)
		}
		for _, g := range d.scratch.groupIDs {
			for _, ca := range d.assignmentsAt(l, d.pidOf(g), g) {
				add(ca)
			}
		}
	}
	return out
}

// andConditions joins two conditions; either may be empty.
func andConditions(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return "(" + a + ") AND (" + b + ")"
}
