// Package rbac is gatehouse's Azure RBAC decision engine.
//
// It is pure: no I/O, no clock, no context. Callers hand Compile the whole
// authorization state (role definitions, role assignments, deny
// assignments, group memberships, management-group parents) once per state
// change; the resulting Snapshot answers Decide with map lookups only, so a
// decision costs the same however many unrelated assignments exist.
//
// Semantics follow Azure (shared/reference/azure-rbac.md §2–§5): deny by
// default, deny assignments win, role assignments of the principal and of
// every group it is in (transitively) apply at their scope and below,
// Actions−NotActions per permission block, union across blocks and
// assignments, control and data planes disjoint, `*` matching any run of
// characters including '/', everything case-insensitive, and ABAC
// conditions restricting only the grant they are attached to.
//
// Where the reference is silent, the engine decides as follows:
//   - An attribute that is absent (or has no values) makes any comparison
//     on it false, whatever the operator or cross-product prefix; NOT
//     around it is then true.
//   - Without a ForAnyOf…/ForAllOf… prefix a positive operator holds if
//     some value pair matches, a negated one if no pair matches its base.
//   - A value that does not parse as the operator's type (GUID, number,
//     bool, date) makes that pair false; a literal of the wrong type is a
//     parse error, so ARM can refuse it on write.
//   - AND and OR mixed at one level without parentheses is a parse error,
//     as [CF] requires parentheses.
//   - SubOperationMatches{'x'} is @Request[subOperation]
//     ForAnyOfAnyValues:StringEqualsIgnoreCase {'x'}, as [CF] spells it.
//   - A deny assignment with a condition applies only when it holds; a
//     group in excludePrincipals excludes its (nested) members.
//   - Custom roles' assignableScopes are not checked here: ARM enforces
//     them when an assignment is written.
package rbac
