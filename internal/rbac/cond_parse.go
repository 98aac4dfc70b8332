package rbac

import "strings"

// Grammar (conditions-format [CF]):
//
//	expr    := unary { (AND | && ) unary }  |  unary { (OR | ||) unary }
//	unary   := (NOT | !) unary | primary
//	primary := '(' expr ')' | ActionMatches{str} | SubOperationMatches{str}
//	         | Exists attr | operand operator operand
//	operand := @Source[name] | value | '{' value {',' value} '}'
//	operator:= [ForAnyOfAnyValues: | ForAllOfAnyValues: | …] Name
//
// AND and OR may not be mixed without parentheses, as Azure requires.

// maxCondDepth bounds nesting so hostile input cannot exhaust the stack.
const maxCondDepth = 64

// ParseCondition parses an ABAC condition. The error is a
// *ConditionError naming the line and column where parsing failed.
func ParseCondition(src string) (Condition, error) {
	if strings.TrimSpace(src) == "" {
		return Condition{}, newCondError(src, 0, "empty condition")
	}
	toks, err := lexCondition(src)
	if err != nil {
		return Condition{}, err
	}
	p := &condParser{src: src, toks: toks}
	root, err := p.expr(0)
	if err != nil {
		return Condition{}, err
	}
	if t := p.peek(); t.kind != tEOF {
		return Condition{}, p.errAt(t, "unexpected %s after a complete expression", describe(t))
	}
	return Condition{src: src, root: root}, nil
}

type condParser struct {
	src  string
	toks []token
	i    int
}

func (p *condParser) peek() token { return p.toks[p.i] }
func (p *condParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *condParser) errAt(t token, format string, args ...any) error {
	return newCondError(p.src, t.pos, format, args...)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of condition"
	case tWord:
		return "'" + t.text + "'"
	case tString:
		return "string '" + t.text + "'"
	case tAttr:
		return "@" + t.src + "[" + t.text + "]"
	}
	return "'" + map[tokKind]string{tLParen: "(", tRParen: ")", tLBrace: "{", tRBrace: "}",
		tComma: ",", tBang: "!", tAnd: "&&", tOr: "||"}[t.kind] + "'"
}

// logical classifies a token as AND (1), OR (2) or neither (0).
func logical(t token) int {
	switch {
	case t.kind == tAnd || t.kind == tWord && strings.EqualFold(t.text, "AND"):
		return 1
	case t.kind == tOr || t.kind == tWord && strings.EqualFold(t.text, "OR"):
		return 2
	}
	return 0
}

func (p *condParser) expr(depth int) (node, error) {
	if depth > maxCondDepth {
		return nil, p.errAt(p.peek(), "conditions nested deeper than %d levels", maxCondDepth)
	}
	first, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	kids, kind := []node{first}, 0
	for op := logical(p.peek()); op != 0; op = logical(p.peek()) {
		if kind != 0 && op != kind {
			return nil, p.errAt(p.peek(), "AND and OR are mixed without parentheses; group them, e.g. (a AND b) OR c")
		}
		kind = op
		p.next()
		k, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	switch kind {
	case 1:
		return &andNode{kids}, nil
	case 2:
		return &orNode{kids}, nil
	}
	return first, nil
}

func (p *condParser) unary(depth int) (node, error) {
	t := p.peek()
	if t.kind == tBang || t.kind == tWord && strings.EqualFold(t.text, "NOT") {
		p.next()
		if depth > maxCondDepth {
			return nil, p.errAt(t, "conditions nested deeper than %d levels", maxCondDepth)
		}
		kid, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &notNode{kid}, nil
	}
	return p.primary(depth)
}

func (p *condParser) primary(depth int) (node, error) {
	t := p.peek()
	if t.kind == tLParen {
		p.next()
		n, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errAt(c, "expected ')' to close the '(' at column %d, found %s",
				newCondError(p.src, t.pos, "").Column, describe(c))
		}
		return n, nil
	}
	if t.kind == tWord {
		switch strings.ToLower(t.text) {
		case "actionmatches":
			return p.actionMatches()
		case "suboperationmatches":
			return p.subOperationMatches()
		case "exists":
			return p.exists()
		}
	}
	return p.comparison()
}

// funcArg reads the {'x'} argument of ActionMatches / SubOperationMatches.
func (p *condParser) funcArg(name string) (string, error) {
	p.next()
	if t := p.next(); t.kind != tLBrace {
		return "", p.errAt(t, "expected '{' after %s, found %s", name, describe(t))
	}
	v := p.next()
	if v.kind != tString && v.kind != tWord {
		return "", p.errAt(v, "expected a quoted pattern in %s{…}, found %s", name, describe(v))
	}
	if t := p.next(); t.kind != tRBrace {
		return "", p.errAt(t, "expected '}' to close %s{…}, found %s", name, describe(t))
	}
	return v.text, nil
}

func (p *condParser) actionMatches() (node, error) {
	v, err := p.funcArg("ActionMatches")
	if err != nil {
		return nil, err
	}
	return &actionNode{compilePattern(v)}, nil
}

func (p *condParser) subOperationMatches() (node, error) {
	v, err := p.funcArg("SubOperationMatches")
	if err != nil {
		return nil, err
	}
	return &subOpNode{v}, nil
}

func (p *condParser) exists() (node, error) {
	p.next()
	t := p.next()
	if t.kind != tAttr {
		return nil, p.errAt(t, "expected an attribute such as @Request[…] after Exists, found %s", describe(t))
	}
	ref, err := p.attr(t)
	if err != nil {
		return nil, err
	}
	return &existsNode{ref}, nil
}

func (p *condParser) attr(t token) (attrRef, error) {
	s, ok := sources[strings.ToLower(t.src)]
	if !ok {
		return attrRef{}, p.errAt(t, "unknown attribute source @%s (want Request, Resource, Principal or Environment)", t.src)
	}
	return attrRef{src: s, name: t.text}, nil
}

func (p *condParser) comparison() (node, error) {
	lhs, lhsTok, err := p.operand()
	if err != nil {
		return nil, err
	}
	opTok := p.next()
	if opTok.kind != tWord {
		return nil, p.errAt(opTok, "expected an operator such as StringEquals after %s, found %s", describe(lhsTok), describe(opTok))
	}
	op, q, err := p.operator(opTok)
	if err != nil {
		return nil, err
	}
	rhs, rhsTok, err := p.operand()
	if err != nil {
		return nil, err
	}
	if err := p.checkLiterals(op, lhs, lhsTok); err != nil {
		return nil, err
	}
	if err := p.checkLiterals(op, rhs, rhsTok); err != nil {
		return nil, err
	}
	return &cmpNode{lhs: lhs, rhs: rhs, op: op, quant: q}, nil
}

func (p *condParser) operator(t token) (operator, quantifier, error) {
	name, q := t.text, qNone
	if i := strings.IndexByte(name, ':'); i >= 0 {
		var ok bool
		if q, ok = quantifiers[strings.ToLower(name[:i])]; !ok {
			return operator{}, 0, p.errAt(t, "unknown cross-product prefix '%s:' (want ForAnyOfAnyValues, ForAllOfAnyValues, ForAnyOfAllValues or ForAllOfAllValues)", name[:i])
		}
		name = name[i+1:]
	}
	op, ok := operators[strings.ToLower(name)]
	if !ok {
		return operator{}, 0, p.errAt(t, "unknown operator '%s'", name)
	}
	return op, q, nil
}

// operand reads an attribute, a single value or a {list}; it returns the
// first token for error messages.
func (p *condParser) operand() (operand, token, error) {
	t := p.next()
	switch t.kind {
	case tAttr:
		ref, err := p.attr(t)
		return operand{ref: &ref}, t, err
	case tString, tWord:
		if t.kind == tWord && (logical(t) != 0 || strings.EqualFold(t.text, "NOT")) {
			return operand{}, t, p.errAt(t, "expected an attribute or a value, found keyword %s", describe(t))
		}
		return operand{vals: []string{t.text}}, t, nil
	case tLBrace:
		vals, err := p.list()
		return operand{vals: vals}, t, err
	}
	return operand{}, t, p.errAt(t, "expected an expression, an attribute or a value, found %s", describe(t))
}

func (p *condParser) list() ([]string, error) {
	var vals []string
	for {
		v := p.next()
		if v.kind != tString && v.kind != tWord {
			return nil, p.errAt(v, "expected a value in the {…} list, found %s", describe(v))
		}
		vals = append(vals, v.text)
		switch t := p.next(); t.kind {
		case tRBrace:
			return vals, nil
		case tComma:
		default:
			return nil, p.errAt(t, "expected ',' or '}' in the value list, found %s", describe(t))
		}
	}
}

func (p *condParser) checkLiterals(op operator, o operand, t token) error {
	for _, v := range o.vals {
		if !op.validLiteral(v) {
			return p.errAt(t, "%q is not a valid value for %s", v, op.name)
		}
	}
	return nil
}
