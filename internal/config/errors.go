package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is a configuration error at a place in the file.
type Error struct {
	File      string // set by Load
	Line, Col int    // 1-based; 0 when unknown
	Path      string // e.g. tenants[0].users[0]
	Msg       string
	Source    string // the lines around it, with a caret
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Col)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	if e.Source != "" {
		b.WriteString("\n" + e.Source)
	}
	return b.String()
}

// check decodes data strictly with a YAML parser that keeps positions, so
// that a mistake is reported on its own line, with its path and, for an
// unknown field, the closest known one.
func check(data []byte) error {
	var f File
	err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict())
	if err == nil {
		return nil
	}
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return &Error{Msg: err.Error()}
	}
	tok := ye.GetToken()
	e := &Error{Line: tok.Position.Line, Col: tok.Position.Column, Msg: goType.ReplaceAllString(ye.GetMessage(), "into $1"),
		Source: sourceOf(ye)}
	var unknown *yaml.UnknownFieldError
	path := pathAt(data, tok.Position.Line, tok.Position.Column)
	if errors.As(err, &unknown) {
		// The path of an unknown field is that of the object holding it.
		if i := strings.LastIndexByte(path, '.'); i >= 0 {
			path = path[:i]
		} else {
			path = ""
		}
		if m := quoted.FindStringSubmatch(e.Msg); m != nil {
			if s := closest(m[1], fieldsAt(reflect.TypeFor[File](), path)); s != "" {
				e.Msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
		}
	}
	e.Path = path
	return e
}

var (
	quoted = regexp.MustCompile(`"([^"]*)"`)
	// goType names a Go struct field, which means nothing to the reader
	// (and names the wrong one): the path says where instead.
	goType = regexp.MustCompile(`into Go struct field \S+ of type (\S+)`)
)

// sourceOf is the parser's excerpt of the lines around the error.
func sourceOf(ye yaml.Error) string {
	s := ye.FormatError(false, true)
	if _, src, ok := strings.Cut(s, "\n"); ok {
		return strings.TrimRight(src, "\n ")
	}
	return ""
}

// pathAt is the path ("tenants[0].users[0].password") of the node at
// line:col, or "" when the document does not parse.
func pathAt(data []byte, line, col int) string {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return ""
	}
	var found string
	for _, doc := range file.Docs {
		ast.Walk(visitor(func(n ast.Node) {
			if p := n.GetToken().Position; p.Line == line && p.Column == col {
				found = strings.TrimPrefix(strings.TrimPrefix(n.GetPath(), "$"), ".")
			}
		}), doc)
	}
	return found
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if n != nil && n.GetToken() != nil {
		v(n)
	}
	return v
}

// fieldsAt lists the field names of the object at path in t.
func fieldsAt(t reflect.Type, path string) []string {
	for _, seg := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if _, err := strconv.Atoi(seg); err == nil {
			continue // an index: the element type comes next
		}
		f, ok := fieldByName(t, seg)
		if !ok {
			return nil
		}
		t = f.Type
	}
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	var names []string
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			if n := jsonName(t.Field(i)); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

func fieldByName(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		if jsonName(t.Field(i)) == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// closest is the known name nearest to s, if it is near enough to be a
// typo (or differs only in case).
func closest(s string, known []string) string {
	best, bestD := "", len(s)/3+2
	for _, k := range known {
		if d := distance(strings.ToLower(s), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// locate gives a validation error ("tenants[0].users[1]: …") the line of
// the object it names.
func locate(data []byte, err error) error {
	path, msg, ok := strings.Cut(err.Error(), ": ")
	if !ok || !strings.HasPrefix(path, "tenants[") {
		return &Error{Msg: err.Error()}
	}
	e := &Error{Path: path, Msg: msg}
	p, perr := yaml.PathString("$." + path)
	file, ferr := parser.ParseBytes(data, 0)
	if perr != nil || ferr != nil {
		return e
	}
	if n, err := p.FilterFile(file); err == nil && n != nil {
		// A block mapping's own token is its first value; its first key is
		// where the reader sees it begin.
		switch m := n.(type) {
		case *ast.MappingNode:
			if len(m.Values) > 0 {
				n = m.Values[0].Key
			}
		case *ast.MappingValueNode:
			n = m.Key
		}
		if tok := n.GetToken(); tok != nil {
			e.Line, e.Col = tok.Position.Line, tok.Position.Column
		}
	}
	return e
}
