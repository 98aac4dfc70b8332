package rbaccompare

import (
	"context"
	_ "embed"
	"errors"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown/cache"

	"github.com/gatehouse/gatehouse/internal/rbac"
)

//go:embed policy.rego
var policyRego string

// OPA answers Azure RBAC requests with policy.rego, prepared once, over
// data held in an in-memory store (converted to AST values once, at
// load, so a query reads them without conversion).
type OPA struct {
	q rego.PreparedEvalQuery
}

// OPAData builds the data document policy.rego reads. Deny assignments
// and conditions are left out, as for Casbin.
func OPAData(in rbac.Input) map[string]any {
	assignments := map[string]any{}
	for _, a := range in.Assignments {
		p, s := lower(strings.TrimSpace(a.PrincipalID)), normScope(a.Scope)
		byScope, _ := assignments[p].(map[string]any)
		if byScope == nil {
			byScope = map[string]any{}
			assignments[p] = byScope
		}
		list, _ := byScope[s].([]any)
		byScope[s] = append(list, roleGUID(a.RoleDefinitionID))
	}
	roles := map[string]any{}
	for _, r := range allRoles(in) {
		var blocks []any
		for _, b := range r.Permissions {
			blocks = append(blocks, map[string]any{
				"a": strs(b.Actions), "na": strs(b.NotActions),
				"da": strs(b.DataActions), "nda": strs(b.NotDataActions),
			})
		}
		roles[roleGUID(r.ID)] = blocks
	}
	// graph.reachable only reports vertices that are keys of the graph,
	// so every group gets an entry, an empty one at the top level.
	groups := map[string]any{}
	for m, gs := range in.GroupsOf {
		groups[lower(m)] = strs(gs)
		for _, g := range gs {
			if _, ok := groups[lower(g)]; !ok {
				groups[lower(g)] = []any{}
			}
		}
	}
	parents := map[string]any{}
	for k, v := range in.Parents {
		parents[normScope(k)] = []any{normScope(v)}
		if _, ok := parents[normScope(v)]; !ok {
			parents[normScope(v)] = []any{}
		}
	}
	return map[string]any{"az": map[string]any{
		"assignments": assignments, "roles": roles, "groups": groups, "parents": parents,
	}}
}

func strs(in []string) []any {
	out := make([]any, len(in))
	for i, s := range lowerAll(in) {
		out[i] = s
	}
	return out
}

// NewOPA stores the data and prepares the query once. glob.match's
// patterns are kept in the inter-query builtin value cache (OPA's server
// keeps it on by default); without it OPA's fallback cache holds only
// 100 compiled patterns and would recompile on most calls here.
func NewOPA(ctx context.Context, in rbac.Input) (*OPA, error) {
	store := inmem.NewFromObjectWithOpts(OPAData(in),
		inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	vc := cache.NewInterQueryValueCache(ctx, &cache.Config{})
	q, err := rego.New(
		rego.Query("data.azrbac.allow"),
		rego.Module("policy.rego", policyRego),
		rego.Store(store),
		rego.InterQueryBuiltinValueCache(vc),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, err
	}
	return &OPA{q: q}, nil
}

// Decide evaluates data.azrbac.allow for one request. The input is built
// as an AST value directly, sparing OPA a JSON round trip.
func (o *OPA) Decide(ctx context.Context, req rbac.Request) (bool, error) {
	input := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("principal"), ast.StringTerm(lower(strings.TrimSpace(req.PrincipalID)))},
		[2]*ast.Term{ast.StringTerm("action"), ast.StringTerm(lower(req.Action))},
		[2]*ast.Term{ast.StringTerm("dataplane"), ast.BooleanTerm(req.DataAction)},
		[2]*ast.Term{ast.StringTerm("scope"), ast.StringTerm(normScope(req.Scope))},
	)
	rs, err := o.q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return false, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return false, errors.New("opa: unexpected result set")
	}
	allowed, ok := rs[0].Expressions[0].Value.(bool)
	if !ok {
		return false, errors.New("opa: allow is not a boolean")
	}
	return allowed, nil
}
