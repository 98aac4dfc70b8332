package rbac

import "github.com/gatehouse/gatehouse/internal/fold"

// compiledBlock is one permission block with its patterns pre-parsed.
type compiledBlock struct {
	actions, notActions, dataActions, notDataActions patternSet
	cond                                             Condition
}

func compileBlock(p Permission, conds *condCache) (compiledBlock, error) {
	b := compiledBlock{
		actions:        compilePatternSet(p.Actions),
		notActions:     compilePatternSet(p.NotActions),
		dataActions:    compilePatternSet(p.DataActions),
		notDataActions: compilePatternSet(p.NotDataActions),
	}
	var err error
	b.cond, err = conds.get(p.Condition, p.ConditionVersion)
	return b, err
}

// allows applies Actions − NotActions (or the data pair) to the lower-cased
// action, ignoring the condition. The planes never mix (§2).
func (b *compiledBlock) allows(a []byte, data bool) bool {
	if data {
		return b.dataActions.match(a) && !b.notDataActions.match(a)
	}
	return b.actions.match(a) && !b.notActions.match(a)
}

// compiledRole is a role definition ready for matching.
type compiledRole struct {
	def    *RoleDefinition // snapshot-owned copy
	blocks []compiledBlock
	// Reasons are per role, not per assignment, so that Decide can
	// explain an allow without allocating and a million assignments do
	// not carry a million sentences.
	reasonDirect, reasonGroup string
	// For RolesGranting, set for built-ins when a snapshot is compiled.
	breadth int
	home    roleHome
	guid    string // folded
	// anywhere: assignable at "/", so at every scope (the built-ins).
	anywhere bool
}

func compileRole(def *RoleDefinition, conds *condCache) (*compiledRole, error) {
	r := &compiledRole{def: def}
	for i, p := range def.Permissions {
		b, err := compileBlock(p, conds)
		if err != nil {
			return nil, roleErr(def, i, err)
		}
		r.blocks = append(r.blocks, b)
	}
	for _, as := range def.AssignableScopes {
		r.anywhere = r.anywhere || NormalizeScope(as) == RootScope
	}
	r.reasonDirect = "Allowed by a direct assignment of role '" + def.RoleName + "'."
	r.reasonGroup = "Allowed by an assignment of role '" + def.RoleName + "' to a group the principal is in."
	return r, nil
}

// matches reports whether any block allows the action regardless of
// conditions, and whether one whose condition holds does. env builds the
// condition environment only when a condition must run.
func (r *compiledRole) matches(a []byte, data bool, env func() *evalEnv) (matched, ok bool) {
	for i := range r.blocks {
		b := &r.blocks[i]
		if !b.allows(a, data) {
			continue
		}
		matched = true
		if b.cond.root == nil || b.cond.root.eval(env()) {
			return true, true
		}
	}
	return matched, false
}

// grantsUnconditionally is matches with conditions that cannot restrict
// this action counted as true, for RolesGranting.
func (r *compiledRole) grantsUnconditionally(a []byte, data bool) bool {
	for i := range r.blocks {
		b := &r.blocks[i]
		if b.allows(a, data) && b.cond.holdsForAnyAttrs(a) {
			return true
		}
	}
	return false
}

// roleKeys are the lookup keys of a role: GUID, name and aliases.
func roleKeys(def *RoleDefinition) []string {
	keys := []string{fold.String(def.ID), fold.String(def.RoleName)}
	for _, a := range def.Aliases {
		keys = append(keys, fold.String(a))
	}
	return keys
}
