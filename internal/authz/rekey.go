package authz

import (
	"context"
	"encoding/json"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Store keys changed when tenants became walls: role definitions, role and
// deny assignments are kept per tenant (DocID), scopes outside
// subscriptions under their tenant's root (ScopeKey). A data directory
// written before that is rewritten once at start; the marker record says
// it was.

const (
	kindSchema    store.Kind = "schema"
	schemaID                 = "authz"
	schemaVersion            = 3 // 3: role assignments carry under: refs
)

type schemaMark struct {
	Version int `json:"version"`
}

// Rekey brings records of older versions to today's keys and refs, in one
// transaction. extra runs inside it for the kinds other packages own. It
// does nothing once the marker is current.
func Rekey(ctx context.Context, st store.Store, extra func(tx store.Tx) error) error {
	if rec, err := st.Get(ctx, kindSchema, schemaID); err == nil {
		var m schemaMark
		if json.Unmarshal(rec.Data, &m) == nil && m.Version >= schemaVersion {
			return nil
		}
	} else if !store.IsNotFound(err) {
		return err
	}
	return st.Update(ctx, func(tx store.Tx) error {
		for _, step := range []func(store.Tx) error{
			func(tx store.Tx) error { return RekeyKind[RoleDefinitionDoc](ctx, tx, KindRoleDefinition) },
			func(tx store.Tx) error { return RekeyKind[RoleAssignmentDoc](ctx, tx, KindRoleAssignment) },
			func(tx store.Tx) error { return RekeyKind[DenyAssignmentDoc](ctx, tx, KindDenyAssignment) },
			func(tx store.Tx) error { return RekeyKind[ScopeParent](ctx, tx, KindScopeParent) },
			extra,
		} {
			if step == nil {
				continue
			}
			if err := step(tx); err != nil {
				return err
			}
		}
		data, _ := json.Marshal(schemaMark{Version: schemaVersion})
		_, err := tx.Put(ctx, store.Record{Kind: kindSchema, ID: schemaID, Data: data})
		return err
	})
}

// RekeyKind rewrites every record of kind under the id, keys and refs its
// document gives today.
func RekeyKind[T any, PT interface {
	*T
	store.Doc
}](ctx context.Context, tx store.Tx, kind store.Kind) error {
	recs, err := tx.List(ctx, store.Query{Kind: kind})
	if err != nil {
		return err
	}
	for _, rec := range recs {
		doc, err := store.Decode[T](rec)
		if err != nil {
			return err
		}
		nr, err := store.ToRecord(PT(doc))
		if err != nil {
			return err
		}
		if nr.ID != rec.ID {
			if err := tx.Delete(ctx, kind, rec.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Put(ctx, nr); err != nil {
			return err
		}
	}
	return nil
}
