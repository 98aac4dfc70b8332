package azrbac

# Azure RBAC allow for (input.principal, input.action, input.dataplane,
# input.scope), all lower-cased. Data (data.az):
#   assignments[principal-or-group][scope] = [role GUID, ...]
#   roles[role GUID] = [{"a": Actions, "na": NotActions,
#                        "da": DataActions, "nda": NotDataActions}, ...]
#   groups[member] = [group, ...]  direct memberships, every group a key
#   parents[subscription or MG scope] = [parent MG]
# Deny by default; an assignment at a scope holds at every scope below it;
# groups are nested; `*` matches any run of characters, '/' included
# (glob.match with null delimiters); Actions minus NotActions per block,
# control and data planes apart.

default allow := false

# The principal and every group it is in, transitively.
ids := {input.principal} | graph.reachable(data.az.groups, {input.principal})

segs := split(input.scope, "/")

# Every path prefix of the scope at a '/' boundary ("/subscriptions/x",
# "/subscriptions/x/resourcegroups/y", ...), the scope itself included.
path_scopes contains s if {
	some n in numbers.range(2, count(segs))
	s := concat("/", array.slice(segs, 0, n))
}

# ...then the management groups above the subscription, then the root.
scopes := (path_scopes | graph.reachable(data.az.parents, path_scopes)) | {"/"}

allow if {
	some id in ids
	some s in scopes
	some rid in data.az.assignments[id][s]
	some blk in data.az.roles[rid]
	block_allows(blk)
}

block_allows(blk) if {
	not input.dataplane
	some p in blk.a
	glob.match(p, null, input.action)
	not any_match(blk.na)
}

block_allows(blk) if {
	input.dataplane
	some p in blk.da
	glob.match(p, null, input.action)
	not any_match(blk.nda)
}

any_match(ps) if {
	some p in ps
	glob.match(p, null, input.action)
}
