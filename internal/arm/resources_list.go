package arm

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// GET /subscriptions/{s}/resources and …/resourceGroups/{rg}/resources:
// the resources a caller may read, in Azure's GenericResourceExpanded shape
// ("az resource list" sends $filter=resourceGroup eq '…' to the first).

const typeResources = "Microsoft.Resources/resources"

// genericResourceView has no properties: Azure's list does not return them.
type genericResourceView struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Location          string            `json:"location,omitempty"`
	Kind              string            `json:"kind,omitempty"`
	SKU               *SKU              `json:"sku,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	Identity          json.RawMessage   `json:"identity,omitempty"`
	CreatedTime       *time.Time        `json:"createdTime,omitempty"`
	ChangedTime       *time.Time        `json:"changedTime,omitempty"`
	ProvisioningState string            `json:"provisioningState,omitempty"`
}

// listResources lists the tracked resources (those with a location:
// accounts, projects, identities; not deployments, which Azure does not
// list either) at and below the op's subscription or resource group that
// the caller may read, filtered by $filter, shortened by $top.
func (s *Service) listResources(c *call) (int, any, error) {
	if _, err := s.requireSubscription(c, c.op.id); err != nil {
		return 0, nil, err
	}
	if fold.Equal(c.op.id.ResourceType, armid.ResourceGroupType) {
		if _, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String()); store.IsNotFound(err) {
			return 0, nil, errResourceGroupNotFound(c.op.id.Name)
		} else if err != nil {
			return 0, nil, err
		}
	}
	q := c.r.URL.Query()
	keep, err := parseResourceFilter(q.Get("$filter"))
	if err != nil {
		return 0, nil, err
	}
	top, err := parseTop(q.Get("$top"))
	if err != nil {
		return 0, nil, err
	}
	expand := map[string]bool{}
	for _, e := range strings.Split(q.Get("$expand"), ",") {
		expand[fold.String(strings.TrimSpace(e))] = true
	}
	recs, err := s.st.List(c.ctx, store.Query{Kind: KindResource, Tenant: c.p.TenantID, IDPrefix: c.key(c.op.id.String()) + "/"})
	if err != nil {
		return 0, nil, err
	}
	var rs []*Resource
	for _, rec := range recs {
		sr, err := store.Decode[storedResource](rec)
		if err != nil {
			return 0, nil, err
		}
		r := &sr.Resource
		r.TenantID = sr.Tenant
		id, err := armid.Parse(r.ID)
		if err != nil || id.Scope() == nil || r.Location == "" || !fold.Equal(r.TenantID, c.p.TenantID) || !keep(r, id) {
			continue // a resource group, a proxy resource, or filtered out
		}
		rs = append(rs, r)
	}
	if rs, err = s.readable(c, rs, readAction); err != nil {
		return 0, nil, err
	}
	if top > 0 && len(rs) > top {
		rs = rs[:top]
	}
	out := make([]genericResourceView, 0, len(rs))
	for _, r := range rs {
		out = append(out, viewGeneric(r, expand))
	}
	return 200, list{Value: out}, nil
}

func viewGeneric(r *Resource, expand map[string]bool) genericResourceView {
	v := genericResourceView{ID: r.ID, Name: r.Name, Type: r.Type, Location: r.Location, Kind: r.Kind, SKU: r.SKU,
		Tags: r.Tags, Identity: r.Identity}
	if sd := r.SystemData; sd != nil {
		if expand["createdtime"] {
			v.CreatedTime = &sd.CreatedAt
		}
		if expand["changedtime"] {
			v.ChangedTime = &sd.LastModifiedAt
		}
	}
	if expand["provisioningstate"] {
		v.ProvisioningState, _ = r.Properties["provisioningState"].(string)
	}
	return v
}

func parseTop(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1000 {
		return 0, errBadRequest("InvalidTopInQueryString", "The value '%s' of $top is invalid: use a number from 1 to 1000.", s)
	}
	return n, nil
}

var (
	filterEq        = regexp.MustCompile(`(?i)^(resourceGroup|name|location|resourceType|tagName|tagValue)\s+eq\s+'((?:[^']|'')*)'$`)
	filterStartsTag = regexp.MustCompile(`(?i)^startswith\(\s*tagName\s*,\s*'((?:[^']|'')*)'\s*\)$`)
	filterSubName   = regexp.MustCompile(`(?i)^substringof\(\s*'((?:[^']|'')*)'\s*,\s*name\s*\)$`)
)

// parseResourceFilter turns $filter into a predicate. The clauses are
// those of ARM's resource list that the Azure CLI sends, joined by "and":
// resourceGroup, name, location, resourceType, tagName and tagValue eq
// '…', startswith(tagName, '…') and substringof('…', name). Names, types
// and tag names compare by the one folding rule.
func parseResourceFilter(f string) (func(*Resource, *armid.ID) bool, error) {
	var preds []func(*Resource, *armid.ID) bool
	tagName, tagValue, hasValue := "", "", false
	for _, clause := range splitAnd(f) {
		if clause == "" {
			continue
		}
		if m := filterStartsTag.FindStringSubmatch(clause); m != nil {
			prefix := fold.String(unquote(m[1]))
			preds = append(preds, func(r *Resource, _ *armid.ID) bool {
				for k := range r.Tags {
					if strings.HasPrefix(fold.String(k), prefix) {
						return true
					}
				}
				return false
			})
			continue
		}
		if m := filterSubName.FindStringSubmatch(clause); m != nil {
			sub := fold.String(unquote(m[1]))
			preds = append(preds, func(r *Resource, _ *armid.ID) bool { return strings.Contains(fold.String(r.Name), sub) })
			continue
		}
		m := filterEq.FindStringSubmatch(clause)
		if m == nil {
			return nil, errBadRequest("InvalidFilterInQueryString", "The filter '%s' is not supported. Supported are resourceGroup, name, location, resourceType, tagName and tagValue eq '{value}', startswith(tagName, '{prefix}') and substringof('{text}', name), joined by 'and'.", f)
		}
		val := unquote(m[2])
		switch fold.String(m[1]) {
		case "resourcegroup":
			preds = append(preds, func(_ *Resource, id *armid.ID) bool { return fold.Equal(id.ResourceGroupName, val) })
		case "name":
			preds = append(preds, func(r *Resource, _ *armid.ID) bool { return fold.Equal(r.Name, val) })
		case "location":
			preds = append(preds, func(r *Resource, _ *armid.ID) bool { return normLocation(r.Location) == normLocation(val) })
		case "resourcetype":
			preds = append(preds, func(r *Resource, _ *armid.ID) bool { return fold.Equal(r.Type, val) })
		case "tagname":
			tagName = val
		case "tagvalue":
			tagValue, hasValue = val, true
		}
	}
	if hasValue && tagName == "" {
		return nil, errBadRequest("InvalidFilterInQueryString", "The filter '%s' is invalid: tagValue needs a tagName.", f)
	}
	if tagName != "" {
		preds = append(preds, func(r *Resource, _ *armid.ID) bool {
			for k, v := range r.Tags {
				if fold.Equal(k, tagName) && (!hasValue || v == tagValue) {
					return true
				}
			}
			return false
		})
	}
	return func(r *Resource, id *armid.ID) bool {
		for _, p := range preds {
			if !p(r, id) {
				return false
			}
		}
		return true
	}, nil
}

func unquote(s string) string { return strings.ReplaceAll(s, "''", "'") }

// splitAnd splits a filter at " and " outside quotes (a tag value may
// contain " and "), trimming each clause.
func splitAnd(f string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(f); i++ {
		switch {
		case f[i] == '\'':
			quoted = !quoted // '' inside a value toggles twice
		case !quoted && i+5 <= len(f) && isSpace(f[i]) && fold.Equal(f[i+1:i+4], "and") && isSpace(f[i+4]):
			out = append(out, strings.TrimSpace(f[start:i]))
			start = i + 5
			i += 4
		}
	}
	return append(out, strings.TrimSpace(f[start:]))
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' }
