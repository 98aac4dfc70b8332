package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Directory reads and changes the directory. It is safe for concurrent use.
type Directory struct {
	st      store.Store
	secrets *SecretHasher
	now     func() time.Time
}

// New returns a directory over st. secretKey keys the digests of client
// secrets; it must be the same for every replica sharing the store.
func New(st store.Store, secretKey []byte) *Directory {
	return &Directory{st: st, secrets: NewSecretHasher(secretKey), now: time.Now}
}

// Store gives access to the underlying store (for transactions spanning
// packages, such as the declarative configuration).
func (d *Directory) Store() store.Store { return d.st }

// SetClock replaces the clock, for tests.
func (d *Directory) SetClock(now func() time.Time) { d.now = now }

// InvalidError is a request the directory refuses; Msg is safe to show.
type InvalidError struct{ Msg string }

func (e *InvalidError) Error() string { return e.Msg }

func invalid(format string, args ...any) error {
	return &InvalidError{Msg: fmt.Sprintf(format, args...)}
}

// IsNotFound reports whether err means the object does not exist.
func IsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// NewID returns a fresh object id.
func NewID() string { return uuid.NewString() }

// IsGUID reports whether s is a GUID in the 8-4-4-4-12 form.
func IsGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// Tenant finds a tenant by GUID or by one of its domain names.
func (d *Directory) Tenant(ctx context.Context, idOrDomain string) (*Tenant, error) {
	if IsGUID(idOrDomain) {
		return store.GetDoc[Tenant](ctx, d.st, KindTenant, strings.ToLower(idOrDomain))
	}
	return store.LookupDoc[Tenant](ctx, d.st, KindTenant, "domain:"+strings.ToLower(idOrDomain))
}

// Tenants lists every tenant.
func (d *Directory) Tenants(ctx context.Context) ([]*Tenant, error) {
	return store.ListDocs[Tenant](ctx, d.st, store.Query{Kind: KindTenant})
}

// Update runs fn in one store transaction with a directory bound to it.
func (d *Directory) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return d.st.Update(ctx, func(stx store.Tx) error {
		return fn(&Tx{d: d, tx: stx})
	})
}

// Tx is the directory inside one store transaction.
type Tx struct {
	d  *Directory
	tx store.Tx
}

// Store returns the raw transaction.
func (t *Tx) Store() store.Tx { return t.tx }

func (t *Tx) now() time.Time { return t.d.now().UTC().Truncate(time.Second) }
