package rbac

import (
	"strconv"
	"strings"
	"time"
)

// Comparison operators of [CF]. Each "Not" operator is the negation of its
// base, applied per value pair.
type valType int

const (
	vString valType = iota
	vNumeric
	vGuid
	vBool
	vDateTime
)

type baseOp int

const (
	opEquals baseOp = iota
	opStartsWith
	opLike
	opLess
	opLessEq
	opGreater
	opGreaterEq
)

type operator struct {
	name       string
	typ        valType
	base       baseOp
	negated    bool
	ignoreCase bool
}

var operators = buildOperators()

func buildOperators() map[string]operator {
	m := map[string]operator{}
	add := func(name string, typ valType, base baseOp, neg, ic bool) {
		m[strings.ToLower(name)] = operator{name, typ, base, neg, ic}
	}
	for _, s := range []struct {
		name string
		base baseOp
	}{{"Equals", opEquals}, {"StartsWith", opStartsWith}, {"Like", opLike}} {
		add("String"+s.name, vString, s.base, false, false)
		add("String"+s.name+"IgnoreCase", vString, s.base, false, true)
		add("StringNot"+s.name, vString, s.base, true, false)
		add("StringNot"+s.name+"IgnoreCase", vString, s.base, true, true)
	}
	for _, t := range []struct {
		prefix string
		typ    valType
	}{{"Numeric", vNumeric}, {"DateTime", vDateTime}} {
		add(t.prefix+"Equals", t.typ, opEquals, false, false)
		add(t.prefix+"NotEquals", t.typ, opEquals, true, false)
		add(t.prefix+"LessThan", t.typ, opLess, false, false)
		add(t.prefix+"LessThanEquals", t.typ, opLessEq, false, false)
		add(t.prefix+"GreaterThan", t.typ, opGreater, false, false)
		add(t.prefix+"GreaterThanEquals", t.typ, opGreaterEq, false, false)
	}
	add("GuidEquals", vGuid, opEquals, false, true)
	add("GuidNotEquals", vGuid, opEquals, true, true)
	add("BoolEquals", vBool, opEquals, false, true)
	add("BoolNotEquals", vBool, opEquals, true, true)
	return m
}

// quantifier is the cross-product prefix (ForAnyOfAnyValues: …).
type quantifier int

const (
	qNone quantifier = iota
	qAnyOfAny
	qAllOfAny
	qAnyOfAll
	qAllOfAll
)

var quantifiers = map[string]quantifier{
	"foranyofanyvalues": qAnyOfAny,
	"forallofanyvalues": qAllOfAny,
	"foranyofallvalues": qAnyOfAll,
	"forallofallvalues": qAllOfAll,
}

// pair compares one left value with one right value. A value that does not
// parse as the operator's type makes the pair false, negated or not.
func (o operator) pair(l, r string) bool {
	m, ok := o.compare(l, r)
	return ok && m != o.negated
}

func (o operator) compare(l, r string) (match, ok bool) {
	switch o.typ {
	case vString:
		if o.ignoreCase {
			l, r = strings.ToLower(l), strings.ToLower(r)
		}
		return stringOp(o.base, l, r), true
	case vGuid:
		a, okA := canonGUID(l)
		b, okB := canonGUID(r)
		return a == b, okA && okB
	case vBool:
		a, errA := strconv.ParseBool(strings.ToLower(l))
		b, errB := strconv.ParseBool(strings.ToLower(r))
		return a == b, errA == nil && errB == nil
	case vNumeric:
		a, errA := strconv.ParseInt(strings.TrimSpace(l), 10, 64)
		b, errB := strconv.ParseInt(strings.TrimSpace(r), 10, 64)
		return ordered(o.base, cmpInt(a, b)), errA == nil && errB == nil
	default:
		a, errA := time.Parse(time.RFC3339Nano, l)
		b, errB := time.Parse(time.RFC3339Nano, r)
		return ordered(o.base, a.Compare(b)), errA == nil && errB == nil
	}
}

func stringOp(b baseOp, l, r string) bool {
	switch b {
	case opStartsWith:
		return strings.HasPrefix(l, r)
	case opLike:
		return likeMatch(r, l)
	default:
		return l == r
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func ordered(b baseOp, c int) bool {
	switch b {
	case opLess:
		return c < 0
	case opLessEq:
		return c <= 0
	case opGreater:
		return c > 0
	case opGreaterEq:
		return c >= 0
	default:
		return c == 0
	}
}

// validLiteral checks a literal against the operator's type at parse time,
// so a typo in a GUID is refused when the condition is written.
func (o operator) validLiteral(v string) bool {
	var err error
	switch o.typ {
	case vGuid:
		_, ok := canonGUID(v)
		return ok
	case vBool:
		_, err = strconv.ParseBool(strings.ToLower(v))
	case vNumeric:
		_, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	case vDateTime:
		_, err = time.Parse(time.RFC3339Nano, v)
	}
	return err == nil
}

// canonGUID lower-cases a GUID in 8-4-4-4-12 form, braces allowed.
func canonGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 {
		return "", false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "", false
			}
			continue
		}
		if !isHex(c) {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
