package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/store"
)

// stmter hands out a prepared statement: the read pool's for Store reads,
// the writer's (bound to the transaction) for Tx reads. One implementation
// of the reads serves both.
type stmter interface {
	stmt(ctx context.Context, id stmtID) (*sql.Stmt, error)
}

// poolStmts is the read pool's prepared statements.
type poolStmts []*sql.Stmt

func (p poolStmts) stmt(_ context.Context, id stmtID) (*sql.Stmt, error) { return p[id], nil }

func get(ctx context.Context, q stmter, kind store.Kind, id string) (store.Record, error) {
	return one(ctx, q, stmtGet, kind, id, "id")
}

func lookup(ctx context.Context, q stmter, kind store.Kind, key string) (store.Record, error) {
	return one(ctx, q, stmtLookup, kind, key, "key")
}

func one(ctx context.Context, q stmter, sid stmtID, kind store.Kind, arg, what string) (store.Record, error) {
	st, err := q.stmt(ctx, sid)
	if err != nil {
		return store.Record{}, err
	}
	r, err := scanRecord(st.QueryRowContext(ctx, string(kind), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, fmt.Errorf("%w: %s %s %q", store.ErrNotFound, kind, what, arg)
	}
	return r, err
}

func list(ctx context.Context, q stmter, qu store.Query) ([]store.Record, error) {
	v := 0
	if qu.Kind != "" {
		v |= listKind
	}
	if qu.Tenant != "" {
		v |= listTenant
	}
	if qu.Ref != "" {
		v |= listRef
	}
	var lo string
	var hi any = ""
	if qu.IDPrefix != "" {
		v |= listPrefix
		lo, hi = prefixRange(qu.IDPrefix)
	}
	if qu.IDBefore != "" {
		v |= listBefore
	}
	limit := -1
	if qu.Limit > 0 {
		limit = qu.Limit
	}
	st, err := q.stmt(ctx, stmtList+stmtID(v))
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, string(qu.Kind), qu.Tenant, qu.Ref, lo, hi, qu.IDBefore, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanRecord reads the columns of recordCols.
func scanRecord(row interface{ Scan(...any) error }) (store.Record, error) {
	var (
		r          store.Record
		kind       string
		keys, refs string
	)
	if err := row.Scan(&kind, &r.ID, &r.Tenant, &r.Data, &r.Version, &keys, &refs); err != nil {
		return store.Record{}, err
	}
	r.Kind = store.Kind(kind)
	var err error
	if r.Keys, err = unpack(keys); err != nil {
		return store.Record{}, err
	}
	if r.Refs, err = unpack(refs); err != nil {
		return store.Record{}, err
	}
	return r, nil
}
