package armid

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/fold"
)

// MaxLen is the longest ID Parse accepts, in bytes. Real IDs stay far below
// it; the cap keeps hostile input from costing much.
const MaxLen = 4096

// ErrInvalid is wrapped by every Parse error, so HTTP handlers can map it to
// 400 with errors.Is while the message says what exactly is wrong.
var ErrInvalid = errors.New("armid: invalid resource ID")

// Parse parses an ARM resource ID. Accepted forms:
//
//	/                                                        tenant root
//	/providers/Microsoft.Management/managementGroups/{mg}
//	/subscriptions/{s}
//	/subscriptions/{s}/resourceGroups/{rg}
//	{scope}/providers/{ns}/{type}/{name}[/{childType}/{childName}…]
//	…/providers/{ns}/locations/{l}/{collection}              e.g. usages
//
// where {scope} is the root (empty), a subscription, a resource group or any
// resource, so extension resources such as role assignments nest anywhere.
// Keywords match case-insensitively; one trailing slash is tolerated.
func Parse(s string) (*ID, error) {
	if err := checkInput(s); err != nil {
		return nil, err
	}
	rest := s[1:]
	if rest == "" {
		return Root(), nil
	}
	if strings.HasSuffix(rest, "/") {
		rest = rest[:len(rest)-1]
	}
	segs := strings.Split(rest, "/")
	for i, seg := range segs {
		if seg == "" {
			return nil, invalid(s, "empty segment %d (double slash)", i+1)
		}
	}
	p := parser{in: s, segs: segs}
	return p.parse()
}

// MustParse is Parse for IDs known to be valid (tests, constants); it
// panics on error.
func MustParse(s string) *ID {
	id, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return id
}

// checkInput rejects input that is not even worth splitting.
func checkInput(s string) error {
	switch {
	case s == "":
		return invalid(s, "empty")
	case len(s) > MaxLen:
		return invalid(s, "%d bytes long, the limit is %d", len(s), MaxLen)
	case s[0] != '/':
		return invalid(s, "must start with %q", "/")
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return invalid(s, "invalid UTF-8 at byte %d", i)
			}
		}
		if unicode.IsControl(r) {
			return invalid(s, "control character %U at byte %d", r, i)
		}
	}
	return nil
}

func invalid(in, format string, args ...any) error {
	q := in
	if len(q) > 100 {
		q = q[:100] + "…"
	}
	return fmt.Errorf("%w %q: %s", ErrInvalid, q, fmt.Sprintf(format, args...))
}

type parser struct {
	in   string
	segs []string
	i    int // next segment
}

func (p *parser) done() bool { return p.i >= len(p.segs) }

// at reports whether the next segment is the keyword kw, ignoring case.
func (p *parser) at(kw string) bool {
	return !p.done() && fold.Equal(p.segs[p.i], kw)
}

func (p *parser) errorf(format string, args ...any) error {
	return invalid(p.in, format, args...)
}

func (p *parser) parse() (*ID, error) {
	cur := Root()
	switch {
	case p.at("subscriptions"):
		if p.i+1 >= len(p.segs) {
			return nil, p.errorf("missing subscription ID after %q", p.segs[p.i])
		}
		name := p.segs[p.i+1]
		p.i += 2
		cur = &ID{Parent: cur, SubscriptionID: name, Provider: resourcesNamespace,
			ResourceType: SubscriptionType, Name: name}
		if p.at("resourceGroups") {
			if p.i+1 >= len(p.segs) {
				return nil, p.errorf("missing resource group name after %q", p.segs[p.i])
			}
			name := p.segs[p.i+1]
			p.i += 2
			cur = &ID{Parent: cur, SubscriptionID: cur.SubscriptionID, ResourceGroupName: name,
				Provider: resourcesNamespace, ResourceType: ResourceGroupType, Name: name}
		}
		if !p.done() && !p.at("providers") {
			want := `"resourceGroups" or "providers" after a subscription`
			if cur.kind() == kindResourceGroup {
				want = `"providers" after a resource group`
			}
			return nil, p.errorf("unexpected segment %d %q: want %s", p.i+1, p.segs[p.i], want)
		}
	case p.at("providers"):
	default:
		return nil, p.errorf("unknown leading segment %q: want %q or %q", p.segs[0], "subscriptions", "providers")
	}
	// From here on: "providers/{ns}/{type}/{name}" starts a resource, any
	// other "{type}/{name}" pair is a child of the current one.
	for !p.done() {
		var err error
		if p.at("providers") {
			cur, err = p.provider(cur)
		} else {
			cur, err = p.child(cur)
		}
		if err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// provider consumes "providers/{ns}/{type}/{name}".
func (p *parser) provider(parent *ID) (*ID, error) {
	if p.i+2 >= len(p.segs) {
		return nil, p.errorf("segment %d %q must be followed by a namespace and a resource type", p.i+1, p.segs[p.i])
	}
	ns, typ := p.segs[p.i+1], p.segs[p.i+2]
	if fold.Equal(ns, resourcesNamespace) &&
		(fold.Equal(typ, "subscriptions") || fold.Equal(typ, "resourceGroups") || fold.Equal(typ, "tenants")) {
		// Accepting these would give two spellings of one scope.
		return nil, p.errorf("%s/%s is not addressed through %q; use the /subscriptions/{id}/resourceGroups/{name} form", ns, typ, "providers")
	}
	if p.i+3 >= len(p.segs) {
		return nil, p.errorf("missing name after resource type %q", ns+"/"+typ)
	}
	id := inherit(parent)
	id.Provider = ns
	id.ResourceType = ns + "/" + typ
	id.Name = p.segs[p.i+3]
	p.i += 4
	if parent.Parent == nil && fold.Equal(id.ResourceType, ManagementGroupType) {
		id.ManagementGroupName = id.Name
	}
	if fold.Equal(typ, "locations") {
		id.Location = id.Name
	}
	return id, nil
}

// child consumes "{type}/{name}", or a final nameless "{type}" directly
// below a location (".../locations/{l}/usages"), which ARM uses for
// location-scoped collections.
func (p *parser) child(parent *ID) (*ID, error) {
	typ := p.segs[p.i]
	id := inherit(parent)
	id.Provider = parent.Provider
	id.ResourceType = parent.ResourceType + "/" + typ
	switch {
	case p.i+1 < len(p.segs):
		id.Name = p.segs[p.i+1]
		p.i += 2
	case fold.Equal(lastType(parent.ResourceType), "locations"):
		p.i++
	default:
		return nil, p.errorf("missing name after resource type %q", id.ResourceType)
	}
	if fold.Equal(typ, "locations") && id.Name != "" {
		id.Location = id.Name
	}
	return id, nil
}

// inherit starts a new ID below parent, carrying its context fields.
func inherit(parent *ID) *ID {
	return &ID{
		Parent:              parent,
		SubscriptionID:      parent.SubscriptionID,
		ResourceGroupName:   parent.ResourceGroupName,
		ManagementGroupName: parent.ManagementGroupName,
		Location:            parent.Location,
	}
}
