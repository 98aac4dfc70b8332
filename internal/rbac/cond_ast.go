package rbac

// Condition is a parsed ABAC condition. The zero value is "no condition"
// and always holds.
type Condition struct {
	src  string
	root node
}

// String returns the condition as written.
func (c Condition) String() string { return c.src }

// IsZero reports whether there is no condition.
func (c Condition) IsZero() bool { return c.root == nil }

// Attributes are the values a condition can refer to, keyed by attribute
// name (e.g. "Microsoft.Authorization/roleAssignments:RoleDefinitionId").
// An absent attribute makes every comparison on it false.
type Attributes struct {
	Request, Resource, Principal, Environment map[string][]string
}

// Evaluate reports whether the condition holds for action and attrs.
func (c Condition) Evaluate(action string, attrs Attributes) bool {
	if c.root == nil {
		return true
	}
	return c.root.eval(&evalEnv{action: lowerASCII(nil, action), attrs: &attrs})
}

type evalEnv struct {
	action []byte // lower-cased
	attrs  *Attributes
}

type node interface {
	eval(e *evalEnv) bool
	partial(action []byte) tri
}

type andNode struct{ kids []node }
type orNode struct{ kids []node }
type notNode struct{ kid node }

// actionNode is ActionMatches{'pattern'}: the permission matcher itself.
type actionNode struct{ p pattern }

// subOpNode is SubOperationMatches{'x'}; [CF] spells the same test as
// @Request[subOperation] ForAnyOfAnyValues:StringEqualsIgnoreCase {'x'}.
type subOpNode struct{ name string }

type existsNode struct{ ref attrRef }

type cmpNode struct {
	lhs, rhs operand
	op       operator
	quant    quantifier
}

type source int

const (
	srcRequest source = iota
	srcResource
	srcPrincipal
	srcEnvironment
)

var sources = map[string]source{
	"request": srcRequest, "resource": srcResource,
	"principal": srcPrincipal, "environment": srcEnvironment,
}

type attrRef struct {
	src  source
	name string
}

// operand is an attribute reference or literal values.
type operand struct {
	ref  *attrRef
	vals []string
}
