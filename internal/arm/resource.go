package arm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// KindResource is the store kind of every ARM resource (subscriptions,
// resource groups, management groups, Cognitive Services resources).
const KindResource store.Kind = "armResource"

// SKU is a resource's pricing tier (and capacity for deployments).
type SKU struct {
	Name     string `json:"name"`
	Tier     string `json:"tier,omitempty"`
	Capacity *int   `json:"capacity,omitempty"`
}

// SystemData is ARM's record of who made and changed a resource.
type SystemData struct {
	CreatedBy          string    `json:"createdBy"`
	CreatedByType      string    `json:"createdByType"`
	CreatedAt          time.Time `json:"createdAt"`
	LastModifiedBy     string    `json:"lastModifiedBy"`
	LastModifiedByType string    `json:"lastModifiedByType"`
	LastModifiedAt     time.Time `json:"lastModifiedAt"`
}

// Resource is a stored ARM resource in its wire shape.
type Resource struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Type       string            `json:"type"`
	Location   string            `json:"location,omitempty"`
	Kind       string            `json:"kind,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	SKU        *SKU              `json:"sku,omitempty"`
	Identity   json.RawMessage   `json:"identity,omitempty"`
	Properties map[string]any    `json:"properties"`
	Etag       string            `json:"etag,omitempty"`
	SystemData *SystemData       `json:"systemData,omitempty"`
	// TenantID owns the resource (through its subscription); not on the wire.
	TenantID string `json:"-"`
	// Owned is the managed-identity principal the resource owns (its
	// system-assigned identity, or the identity a userAssignedIdentities
	// resource is): deleted with it, and the only principal that is.
	Owned string `json:"-"`
}

// storedResource keeps the tenant and the owned principal beside the wire
// shape.
type storedResource struct {
	Resource
	Tenant string `json:"tenantId_"`
	Owned  string `json:"ownedPrincipal_,omitempty"`
}

func (r *storedResource) StoreKind() store.Kind { return KindResource }
func (r *storedResource) StoreID() string       { return authz.ScopeKey(r.Tenant, r.ID) }
func (r *storedResource) StoreTenant() string   { return r.Tenant }
func (r *storedResource) StoreRefs() []string {
	id, err := armid.Parse(r.ID)
	if err != nil || id.Parent == nil {
		return []string{"type:" + fold.String(r.Type)}
	}
	return []string{"parent:" + authz.ScopeKey(r.Tenant, id.Parent.String()) + "|" + fold.String(r.Type), "type:" + fold.String(r.Type)}
}
func (r *storedResource) StoreKeys() []string {
	if fold.Equal(r.Type, typeAccount) {
		if sub, _ := r.Properties["customSubDomainName"].(string); sub != "" {
			return []string{"subdomain:" + fold.String(sub)}
		}
	}
	return nil
}

// getResource reads the resource with id as tenant sees it: a management
// group is the tenant's own; anything else must belong to the tenant too,
// or it is not found.
func getResource(ctx context.Context, rd store.Reader, tid, id string) (*Resource, error) {
	sr, err := store.GetDoc[storedResource](ctx, rd, KindResource, authz.ScopeKey(tid, id))
	if err != nil {
		return nil, err
	}
	if !fold.Equal(sr.Tenant, tid) {
		return nil, fmt.Errorf("%w: %s is in another tenant", store.ErrNotFound, id)
	}
	sr.Resource.TenantID, sr.Resource.Owned = sr.Tenant, sr.Owned
	return &sr.Resource, nil
}

// putResource writes r.
func putResource(ctx context.Context, tx store.Tx, r *Resource) error {
	return store.PutDoc(ctx, tx, &storedResource{Resource: *r, Tenant: r.TenantID, Owned: r.Owned})
}

// children lists the resources of tenant of type typ directly under
// parent.
func children(ctx context.Context, rd store.Reader, tid string, parent *armid.ID, typ string) ([]*Resource, error) {
	q := store.Query{Kind: KindResource, Tenant: tid, Ref: "type:" + fold.String(typ)}
	if parent != nil {
		q.Ref = "parent:" + authz.ScopeKey(tid, parent.String()) + "|" + fold.String(typ)
	}
	srs, err := store.ListDocs[storedResource](ctx, rd, q)
	if err != nil {
		return nil, err
	}
	out := make([]*Resource, 0, len(srs))
	for _, sr := range srs {
		sr.Resource.TenantID, sr.Resource.Owned = sr.Tenant, sr.Owned
		out = append(out, &sr.Resource)
	}
	return out, nil
}

// deleteTree deletes a resource, everything below it and the role
// assignments at those scopes, as Azure does.
func deleteTree(ctx context.Context, tx store.Tx, tid, id string) error {
	key := authz.ScopeKey(tid, id)
	below, err := tx.List(ctx, store.Query{Kind: KindResource, IDPrefix: key + "/"})
	if err != nil {
		return err
	}
	for _, r := range append(below, store.Record{ID: key}) {
		if err := tx.Delete(ctx, KindResource, r.ID); err != nil && !store.IsNotFound(err) {
			return err
		}
		// An account's keys go with it.
		if err := tx.Delete(ctx, KindAccountKeys, r.ID); err != nil && !store.IsNotFound(err) {
			return err
		}
	}
	return deleteAssignmentsUnder(ctx, tx, tid, key)
}

func deleteAssignmentsUnder(ctx context.Context, tx store.Tx, tid, key string) error {
	for _, ref := range []string{"scope:" + key, authz.UnderRef(key)} {
		recs, err := tx.List(ctx, store.Query{Kind: authz.KindRoleAssignment, Tenant: tid, Ref: ref})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := tx.Delete(ctx, authz.KindRoleAssignment, r.ID); err != nil && !store.IsNotFound(err) {
				return err
			}
		}
	}
	return nil
}

// systemData stamps creation or modification by the caller.
func (c *call) systemData(prev *SystemData) *SystemData {
	t := time.Now().UTC()
	by, byType := c.p.Name(), "Application"
	if c.p.Type == "User" {
		byType = "User"
	}
	sd := &SystemData{CreatedBy: by, CreatedByType: byType, CreatedAt: t, LastModifiedBy: by, LastModifiedByType: byType, LastModifiedAt: t}
	if prev != nil {
		sd.CreatedBy, sd.CreatedByType, sd.CreatedAt = prev.CreatedBy, prev.CreatedByType, prev.CreatedAt
	}
	return sd
}

// decodeBody unmarshals the request body into v with ARM's error.
func (c *call) decodeBody(v any) error {
	if len(c.body) == 0 {
		return errInvalidRequestContent("the request body is empty")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errInvalidRequestContent(err.Error())
	}
	return nil
}

// list is ARM's collection envelope.
type list struct {
	Value    any    `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}

// key is scope as the caller's tenant sees it, folded (authz.ScopeKey).
func (c *call) key(scope string) string { return authz.ScopeKey(c.p.TenantID, scope) }
