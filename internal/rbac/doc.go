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
package rbac
