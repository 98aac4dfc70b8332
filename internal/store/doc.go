package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Doc describes how a typed document is stored: its kind, id, tenant, keys
// and refs. Domain packages implement it on their record types.
type Doc interface {
	StoreKind() Kind
	StoreID() string
	StoreTenant() string
	StoreKeys() []string
	StoreRefs() []string
}

// ToRecord encodes a document as a Record.
func ToRecord(d Doc) (Record, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return Record{}, fmt.Errorf("store: encode %s: %w", d.StoreKind(), err)
	}
	return Record{Kind: d.StoreKind(), ID: d.StoreID(), Tenant: d.StoreTenant(),
		Keys: d.StoreKeys(), Refs: d.StoreRefs(), Data: data}, nil
}

// Decode unmarshals a record's data into a new T.
func Decode[T any](r Record) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(r.Data, v); err != nil {
		return nil, fmt.Errorf("store: decode %s %q: %w", r.Kind, r.ID, err)
	}
	return v, nil
}

// GetDoc reads the document of kind with id.
func GetDoc[T any](ctx context.Context, r Reader, kind Kind, id string) (*T, error) {
	rec, err := r.Get(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	return Decode[T](rec)
}

// LookupDoc reads the document of kind that owns the unique key.
func LookupDoc[T any](ctx context.Context, r Reader, kind Kind, key string) (*T, error) {
	rec, err := r.Lookup(ctx, kind, key)
	if err != nil {
		return nil, err
	}
	return Decode[T](rec)
}

// ListDocs reads every document matching q.
func ListDocs[T any](ctx context.Context, r Reader, q Query) ([]*T, error) {
	recs, err := r.List(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(recs))
	for _, rec := range recs {
		v, err := Decode[T](rec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// PutDoc writes a document (insert or replace).
func PutDoc(ctx context.Context, tx Tx, d Doc) error {
	rec, err := ToRecord(d)
	if err != nil {
		return err
	}
	_, err = tx.Put(ctx, rec)
	return err
}

// CreateDoc inserts a new document; ErrConflict if its id or a key is taken.
func CreateDoc(ctx context.Context, tx Tx, d Doc) error {
	rec, err := ToRecord(d)
	if err != nil {
		return err
	}
	_, err = tx.Create(ctx, rec)
	return err
}

// IsNotFound reports whether err is (or wraps) ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
