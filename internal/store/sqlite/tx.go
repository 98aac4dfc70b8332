package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gatehouse/gatehouse/internal/store"
)

// tx is the store.Tx handed to an Update's fn; like the sql.Tx under it,
// it is for the goroutine running fn.
type tx struct {
	sqlTx *sql.Tx
	w     []*sql.Stmt // the writer's prepared statements
	bound [numStmts]*sql.Stmt
	wrote bool // a write succeeded, so the commit bumps the revision
	// changes are the records written, for the store's feed.
	changes []store.Change
	done    bool // Update returned; a leaked tx must not be used
	// failed is set by an error that may have left the SQLite transaction in
	// an unknown state: an interrupted INSERT/UPDATE/DELETE makes SQLite roll
	// back the whole transaction, after which further statements would run
	// in autocommit mode. From then on every call fails and Update rolls back.
	failed error
}

var _ store.Tx = (*tx)(nil)

// stmt binds a writer statement to this transaction once, on first use.
// Binding ignores ctx's cancellation: a statement bound under a cancelled
// ctx would carry that error for the rest of the transaction.
func (t *tx) stmt(ctx context.Context, id stmtID) (*sql.Stmt, error) {
	if t.bound[id] == nil {
		t.bound[id] = t.sqlTx.StmtContext(context.WithoutCancel(ctx), t.w[id])
	}
	return t.bound[id], nil
}

// usable reports why the transaction can take no more calls, if it cannot.
func (t *tx) usable(ctx context.Context) error {
	switch {
	case t.done:
		return errors.New("sqlite: transaction used after Update returned")
	case t.failed != nil:
		return fmt.Errorf("sqlite: transaction aborted by earlier error: %w", t.failed)
	}
	return ctx.Err()
}

// check records err as fatal to the transaction unless it is one of the
// store's sentinel outcomes, which leave the transaction intact.
func (t *tx) check(err error) error {
	if err != nil && !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrStale) {
		t.failed = err
	}
	return err
}

func (t *tx) Get(ctx context.Context, kind store.Kind, id string) (store.Record, error) {
	if err := t.usable(ctx); err != nil {
		return store.Record{}, err
	}
	r, err := get(ctx, t, kind, id)
	return r, t.check(err)
}

func (t *tx) Lookup(ctx context.Context, kind store.Kind, key string) (store.Record, error) {
	if err := t.usable(ctx); err != nil {
		return store.Record{}, err
	}
	r, err := lookup(ctx, t, kind, key)
	return r, t.check(err)
}

func (t *tx) List(ctx context.Context, q store.Query) ([]store.Record, error) {
	if err := t.usable(ctx); err != nil {
		return nil, err
	}
	rs, err := list(ctx, t, q)
	return rs, t.check(err)
}

func (t *tx) Create(ctx context.Context, r store.Record) (store.Record, error) {
	return t.write(ctx, r, t.create)
}

func (t *tx) Put(ctx context.Context, r store.Record) (store.Record, error) {
	return t.write(ctx, r, t.put)
}

func (t *tx) Delete(ctx context.Context, kind store.Kind, id string) error {
	_, err := t.write(ctx, store.Record{Kind: kind, ID: id}, t.delete)
	if err == nil {
		t.changes[len(t.changes)-1].Deleted = true
	}
	return err
}

// write runs one Create/Put/Delete inside a savepoint, so a write that fails
// (a taken key, say) leaves nothing behind and the caller may carry on with
// the transaction.
func (t *tx) write(ctx context.Context, r store.Record, op func(context.Context, *store.Record) error) (store.Record, error) {
	if err := t.usable(ctx); err != nil {
		return store.Record{}, err
	}
	if r.Kind == "" || r.ID == "" {
		return store.Record{}, errors.New("sqlite: record needs a kind and an id")
	}
	r.Keys = normalise(r.Keys)
	r.Refs = normalise(r.Refs)
	if err := t.exec(ctx, stmtSavepoint); err != nil {
		return store.Record{}, t.check(err)
	}
	if err := op(ctx, &r); err != nil {
		if t.check(err); t.failed != nil {
			return store.Record{}, err
		}
		// Undo the partial write even if ctx ends meanwhile.
		undo := context.WithoutCancel(ctx)
		if rerr := t.exec(undo, stmtRollbackTo); rerr != nil {
			t.failed = rerr
		} else if rerr := t.exec(undo, stmtRelease); rerr != nil {
			t.failed = rerr
		}
		return store.Record{}, err
	}
	if err := t.exec(ctx, stmtRelease); err != nil {
		return store.Record{}, t.check(err)
	}
	t.wrote = true
	t.changes = append(t.changes, store.Change{Kind: r.Kind, ID: r.ID, Data: r.Data})
	return r, nil
}

func (t *tx) create(ctx context.Context, r *store.Record) error {
	if err := t.exec(ctx, stmtInsert, string(r.Kind), r.ID, r.Tenant, r.Data, pack(r.Keys), pack(r.Refs)); err != nil {
		if isConstraint(err) {
			return fmt.Errorf("%w: %s id %q is taken", store.ErrConflict, r.Kind, r.ID)
		}
		return err
	}
	r.Version = 1
	return t.insertIndex(ctx, r)
}

func (t *tx) put(ctx context.Context, r *store.Record) error {
	if r.Version != 0 {
		var stored int64
		st, _ := t.stmt(ctx, stmtVersion)
		err := st.QueryRowContext(ctx, string(r.Kind), r.ID).Scan(&stored)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: %s %q was deleted", store.ErrStale, r.Kind, r.ID)
		case err != nil:
			return err
		case stored != r.Version:
			return fmt.Errorf("%w: %s %q is at version %d, not %d", store.ErrStale, r.Kind, r.ID, stored, r.Version)
		}
	}
	st, _ := t.stmt(ctx, stmtUpsert)
	if err := st.QueryRowContext(ctx, string(r.Kind), r.ID, r.Tenant, r.Data, pack(r.Keys), pack(r.Refs)).Scan(&r.Version); err != nil {
		return err
	}
	if err := t.exec(ctx, stmtDeleteKeys, string(r.Kind), r.ID); err != nil {
		return err
	}
	if err := t.exec(ctx, stmtDeleteRefs, string(r.Kind), r.ID); err != nil {
		return err
	}
	return t.insertIndex(ctx, r)
}

// insertIndex writes a record's keys and refs, each set in one statement
// (a record's index rows were most of a bulk import's statements). On a
// taken key it finds which one, row by row, to say so.
func (t *tx) insertIndex(ctx context.Context, r *store.Record) error {
	if len(r.Keys) > 1 {
		keys, _ := json.Marshal(r.Keys)
		err := t.exec(ctx, stmtInsertKeys, string(r.Kind), string(keys), r.ID)
		if err == nil {
			return t.insertRefs(ctx, r)
		}
		if !isConstraint(err) {
			return err
		}
	}
	for _, k := range r.Keys {
		if err := t.exec(ctx, stmtInsertKey, string(r.Kind), k, r.ID); err != nil {
			if isConstraint(err) {
				return fmt.Errorf("%w: %s key %q belongs to another record", store.ErrConflict, r.Kind, k)
			}
			return err
		}
	}
	return t.insertRefs(ctx, r)
}

func (t *tx) insertRefs(ctx context.Context, r *store.Record) error {
	switch len(r.Refs) {
	case 0:
		return nil
	case 1:
		return t.exec(ctx, stmtInsertRef, string(r.Kind), r.Refs[0], r.ID)
	}
	refs, _ := json.Marshal(r.Refs)
	return t.exec(ctx, stmtInsertRefs, string(r.Kind), string(refs), r.ID)
}

func (t *tx) delete(ctx context.Context, r *store.Record) error {
	st, _ := t.stmt(ctx, stmtDelete)
	res, err := st.ExecContext(ctx, string(r.Kind), r.ID)
	if err != nil {
		return err
	}
	// Keys and refs go with the record: ON DELETE CASCADE.
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: %s id %q", store.ErrNotFound, r.Kind, r.ID)
	}
	return nil
}

func (t *tx) exec(ctx context.Context, id stmtID, args ...any) error {
	st, _ := t.stmt(ctx, id)
	_, err := st.ExecContext(ctx, args...)
	return err
}

// normalise sorts and de-duplicates keys or refs: the store holds them as a
// set, and a record listing a key twice does not conflict with itself.
func normalise(vs []string) []string {
	if len(vs) == 0 {
		return nil
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return slices.Compact(vs)
}
