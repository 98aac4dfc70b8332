package graph

import (
	"regexp"
	"strings"
)

// clause is one condition of an OData $filter.
type clause struct {
	op    string // eq, startswith, any
	field string
	value string
}

var (
	eqClause    = regexp.MustCompile(`^(\w+) eq '((?:[^']|'')*)'$`)
	startsWith  = regexp.MustCompile(`^startswith\((\w+),\s*'((?:[^']|'')*)'\)$`)
	anyEqClause = regexp.MustCompile(`^(\w+)/any\(\w+:\s*\w+ eq '((?:[^']|'')*)'\)$`)
)

// parseFilter reads the subset of OData $filter the Azure CLI and SDKs use:
// clauses "f eq 'v'", "startswith(f,'v')", "f/any(c:c eq 'v')" joined by
// "and".
func parseFilter(f string) ([]clause, error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil, nil
	}
	if len(f) > 2048 {
		return nil, errBadRequest("The $filter expression is too long.")
	}
	var out []clause
	for _, part := range strings.Split(f, " and ") {
		part = strings.TrimSpace(part)
		var c clause
		if m := eqClause.FindStringSubmatch(part); m != nil {
			c = clause{"eq", m[1], m[2]}
		} else if m := startsWith.FindStringSubmatch(part); m != nil {
			c = clause{"startswith", m[1], m[2]}
		} else if m := anyEqClause.FindStringSubmatch(part); m != nil {
			c = clause{"any", m[1], m[2]}
		} else {
			return nil, errBadRequest("Unsupported or invalid query filter clause specified for property: '" + part + "'.")
		}
		c.value = strings.ReplaceAll(c.value, "''", "'")
		out = append(out, c)
	}
	return out, nil
}

// match tests clauses against an object's fields (field name → values).
func match(clauses []clause, fields func(string) []string) bool {
	for _, c := range clauses {
		if !matchOne(c, fields(c.field)) {
			return false
		}
	}
	return true
}

func matchOne(c clause, values []string) bool {
	for _, v := range values {
		switch c.op {
		case "eq", "any":
			if strings.EqualFold(v, c.value) {
				return true
			}
		case "startswith":
			if strings.HasPrefix(strings.ToLower(v), strings.ToLower(c.value)) {
				return true
			}
		}
	}
	return false
}

// filterList keeps the items matching the request's $filter.
func filterList[T any](items []*T, filter string, fields func(*T, string) []string) ([]*T, error) {
	clauses, err := parseFilter(filter)
	if err != nil || len(clauses) == 0 {
		return items, err
	}
	out := make([]*T, 0, len(items))
	for _, it := range items {
		if match(clauses, func(f string) []string { return fields(it, f) }) {
			out = append(out, it)
		}
	}
	return out, nil
}
