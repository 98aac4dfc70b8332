package rbac

import (
	"fmt"
	"strings"
)

// Tokens of the ABAC condition language (conditions-format [CF]).
// Keywords (AND, OR, NOT, ActionMatches, operators) are plain words: the
// parser gives them meaning by position, so an unquoted value such as
// {User} needs no escaping.
type tokKind int

const (
	tEOF tokKind = iota
	tLParen
	tRParen
	tLBrace
	tRBrace
	tComma
	tBang // !
	tAnd  // &&
	tOr   // ||
	tString
	tWord
	tAttr // @Source[name]
)

type token struct {
	kind tokKind
	pos  int    // byte offset in the source
	text string // word, unquoted string, or attribute name
	src  string // attribute source for tAttr, as written
}

// ConditionError says where a condition failed to parse.
type ConditionError struct {
	Offset int // byte offset
	Line   int // 1-based
	Column int // 1-based, in bytes
	Msg    string
}

func (e *ConditionError) Error() string {
	return fmt.Sprintf("condition: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func newCondError(src string, pos int, format string, args ...any) *ConditionError {
	line, col := 1, 1
	for i := 0; i < pos && i < len(src); i++ {
		col++
		if src[i] == '\n' {
			line, col = line+1, 1
		}
	}
	return &ConditionError{Offset: pos, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func isWordByte(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '(', ')', '{', '}', ',', '!', '\'', '"', '@', '[', ']', '&', '|':
		return false
	}
	return true
}

func lexCondition(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		tok, next, err := lexOne(src, i)
		if err != nil {
			return nil, err
		}
		toks = append(toks, tok)
		i = next
	}
	return append(toks, token{kind: tEOF, pos: len(src)}), nil
}

var punct = map[byte]tokKind{'(': tLParen, ')': tRParen, '{': tLBrace, '}': tRBrace, ',': tComma}

func lexOne(src string, i int) (token, int, error) {
	c := src[i]
	if k, ok := punct[c]; ok {
		return token{kind: k, pos: i}, i + 1, nil
	}
	switch {
	case c == '!':
		return token{kind: tBang, pos: i}, i + 1, nil
	case c == '&' || c == '|':
		if i+1 < len(src) && src[i+1] == c {
			k := tAnd
			if c == '|' {
				k = tOr
			}
			return token{kind: k, pos: i}, i + 2, nil
		}
		return token{}, 0, newCondError(src, i, "unexpected %q (did you mean %q?)", c, string([]byte{c, c}))
	case c == '\'' || c == '"':
		return lexString(src, i)
	case c == '@':
		return lexAttr(src, i)
	case c == '[' || c == ']':
		return token{}, 0, newCondError(src, i, "unexpected %q outside an attribute reference", c)
	}
	j := i
	for j < len(src) && isWordByte(src[j]) {
		j++
	}
	return token{kind: tWord, pos: i, text: src[i:j]}, j, nil
}

// lexString reads a quoted value. A backslash keeps the next character
// (so StringLike's \* and \? survive); \' and \" yield the bare quote.
func lexString(src string, i int) (token, int, error) {
	q := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		switch c := src[j]; {
		case c == q:
			return token{kind: tString, pos: i, text: b.String()}, j + 1, nil
		case c == '\\' && j+1 < len(src) && src[j+1] == q:
			b.WriteByte(q)
			j++
		default:
			b.WriteByte(c)
		}
	}
	return token{}, 0, newCondError(src, i, "unterminated string starting here")
}

// lexAttr reads @Source[attribute name]; the name may hold ':', '/', '<',
// '$', '&' and spaces (tag keys), so it runs to the closing bracket.
func lexAttr(src string, i int) (token, int, error) {
	j := i + 1
	for j < len(src) && isWordByte(src[j]) {
		j++
	}
	source := src[i+1 : j]
	if source == "" {
		return token{}, 0, newCondError(src, i, "expected an attribute source after '@' (Request, Resource, Principal or Environment)")
	}
	if j >= len(src) || src[j] != '[' {
		return token{}, 0, newCondError(src, j, "expected '[' after @%s", source)
	}
	end := strings.IndexByte(src[j+1:], ']')
	if end < 0 {
		return token{}, 0, newCondError(src, j, "unterminated attribute reference: missing ']'")
	}
	name := strings.TrimSpace(src[j+1 : j+1+end])
	if name == "" {
		return token{}, 0, newCondError(src, j, "empty attribute name in @%s[]", source)
	}
	return token{kind: tAttr, pos: i, text: name, src: source}, j + 1 + end + 1, nil
}
