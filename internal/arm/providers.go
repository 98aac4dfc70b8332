package arm

import (
	"slices"
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/fold"
)

// Provider metadata: GET /providers, /providers/{ns} and the same under a
// subscription. Clients read it to pick an api-version ("az resource
// update|show" without --api-version takes the newest stable one of the
// resource's type), so it is made from the route table as routes are
// registered: a type is listed exactly when gatehouse serves it, with
// exactly the versions it answers to.

const (
	typeProviders    = "Microsoft.Resources/providers"               // tenant level
	typeSubProviders = "Microsoft.Resources/subscriptions/providers" // in a subscription
)

// catalog is the route table by provider namespace (folded).
type catalog map[string]*providerEntry

type providerEntry struct {
	namespace string                // as first registered
	types     map[string]*typeEntry // by folded type without the namespace
}

type typeEntry struct {
	name     string
	versions map[string]bool
}

// add records that typ is served at versions.
func (cat catalog) add(typ string, versions []string) {
	ns, rest, _ := strings.Cut(typ, "/")
	p := cat[fold.String(ns)]
	if p == nil {
		p = &providerEntry{namespace: ns, types: map[string]*typeEntry{}}
		cat[fold.String(ns)] = p
	}
	t := p.types[fold.String(rest)]
	if t == nil {
		t = &typeEntry{name: rest, versions: map[string]bool{}}
		p.types[fold.String(rest)] = t
	}
	for _, v := range versions {
		t.versions[v] = true
	}
}

// regionalNamespaces are those whose resources live in a region; the
// others (Microsoft.Resources, Microsoft.Authorization, …) are global, and
// Azure lists no locations for their types.
var regionalNamespaces = map[string]bool{"microsoft.cognitiveservices": true, "microsoft.managedidentity": true}

// providerView is a Provider of the Resources REST spec.
type providerView struct {
	ID        string `json:"id"`
	Namespace string `json:"namespace"`
	// RegistrationState and RegistrationPolicy belong to a subscription's
	// registration; the tenant-level answer has neither, as in Azure.
	RegistrationState  string             `json:"registrationState,omitempty"`
	RegistrationPolicy string             `json:"registrationPolicy,omitempty"`
	ResourceTypes      []providerTypeView `json:"resourceTypes"`
}

type providerTypeView struct {
	ResourceType string   `json:"resourceType"`
	Locations    []string `json:"locations"`
	APIVersions  []string `json:"apiVersions"`
}

// view renders p as read at scope ("" for the tenant, or a subscription
// id). Every namespace gatehouse serves is registered in every
// subscription: there is nothing to register.
func (p *providerEntry) view(scope string) providerView {
	v := providerView{ID: scope + "/providers/" + p.namespace, Namespace: p.namespace, ResourceTypes: []providerTypeView{}}
	if scope != "" {
		v.RegistrationState, v.RegistrationPolicy = "Registered", "RegistrationRequired"
	}
	locs := []string{}
	if regionalNamespaces[fold.String(p.namespace)] {
		for _, r := range regions {
			locs = append(locs, r.DisplayName)
		}
	}
	for _, t := range p.types {
		vs := make([]string, 0, len(t.versions))
		for ver := range t.versions {
			vs = append(vs, ver)
		}
		// Newest first, as Azure lists them: the CLI takes the first
		// stable one.
		sort.Sort(sort.Reverse(sort.StringSlice(vs)))
		v.ResourceTypes = append(v.ResourceTypes, providerTypeView{ResourceType: t.name, Locations: locs, APIVersions: vs})
	}
	slices.SortFunc(v.ResourceTypes, func(a, b providerTypeView) int { return strings.Compare(a.ResourceType, b.ResourceType) })
	return v
}

// providerOp recognises "/providers/{ns}" and
// "/subscriptions/{s}/providers/{ns}", which are not resource ids (a
// resource id needs a type and a name after the namespace).
func providerOp(segs []string) *op {
	n := len(segs)
	if n < 2 || !fold.Equal(segs[n-2], "providers") || segs[n-1] == "" {
		return nil
	}
	switch {
	case n == 2:
		return &op{kind: opItem, typ: typeProviders, namespace: segs[1]}
	case n == 4 && fold.Equal(segs[0], "subscriptions") && segs[1] != "":
		return &op{kind: opItem, id: &armid.ID{Parent: armid.Root(), SubscriptionID: segs[1], Provider: "Microsoft.Resources",
			ResourceType: armid.SubscriptionType, Name: segs[1]}, typ: typeSubProviders, namespace: segs[3]}
	}
	return nil
}

// providerScope is the id prefix of the op's provider answers: "" at the
// tenant, "/subscriptions/{s}" in a subscription.
func providerScope(o *op) string {
	if o.id == nil {
		return ""
	}
	return "/subscriptions/" + o.id.SubscriptionID
}

// The catalog is the same for every subscription and tells nothing about
// the tenant, so any principal of the tenant may read it (the pipeline has
// already refused a subscription of another tenant); "az resource update"
// run by a resource group's Contributor needs it.
func (s *Service) listProviders(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	out := make([]providerView, 0, len(s.catalog))
	for _, p := range s.catalog {
		out = append(out, p.view(providerScope(c.op)))
	}
	slices.SortFunc(out, func(a, b providerView) int { return strings.Compare(a.Namespace, b.Namespace) })
	return 200, list{Value: out}, nil
}

func (s *Service) getProvider(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	p := s.catalog[fold.String(c.op.namespace)]
	if p == nil {
		return 0, nil, armErr(404, "InvalidResourceNamespace", "The resource namespace '%s' is invalid.", c.op.namespace)
	}
	return 200, p.view(providerScope(c.op)), nil
}

// requireOpSubscription checks the op's subscription, if any, exists in
// the caller's tenant.
func (s *Service) requireOpSubscription(c *call) error {
	if c.op.id == nil || c.op.id.SubscriptionID == "" {
		return nil
	}
	_, err := s.requireSubscription(c, c.op.id)
	return err
}
