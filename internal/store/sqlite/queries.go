package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// stmtID names a prepared statement. Every statement is prepared once per
// handle (read pool and writer) at Open, so the hot paths never parse SQL.
type stmtID int

const (
	stmtGet stmtID = iota
	stmtLookup
	stmtVersion
	stmtInsert
	stmtUpsert
	stmtDelete
	stmtDeleteKeys
	stmtDeleteRefs
	stmtInsertKey
	stmtInsertRef
	stmtInsertKeys
	stmtInsertRefs
	stmtSavepoint
	stmtRelease
	stmtRollbackTo
	stmtSetRevision
	stmtList // first of listVariants List statements, one per filter combination
)

// List filters; a List statement exists for each combination of them.
const (
	listKind = 1 << iota
	listTenant
	listRef
	listPrefix
	listBefore
	listVariants = 1 << iota
)

const numStmts = int(stmtList) + listVariants

// recordCols is what scanRecord reads, in order.
const recordCols = "r.kind, r.id, r.tenant, r.data, r.version, r.keys, r.refs"

// sqlText holds every statement, indexed by stmtID.
var sqlText = func() [numStmts]string {
	var s [numStmts]string
	s[stmtGet] = "SELECT " + recordCols + " FROM records r WHERE r.kind = ?1 AND r.id = ?2"
	s[stmtLookup] = "SELECT " + recordCols + ` FROM record_keys k
		JOIN records r ON r.kind = k.kind AND r.id = k.id
		WHERE k.kind = ?1 AND k.key = ?2`
	s[stmtVersion] = "SELECT version FROM records WHERE kind = ?1 AND id = ?2"
	s[stmtInsert] = "INSERT INTO records (kind, id, tenant, data, keys, refs, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)"
	s[stmtUpsert] = `INSERT INTO records (kind, id, tenant, data, keys, refs, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)
		ON CONFLICT (kind, id) DO UPDATE
		SET tenant = excluded.tenant, data = excluded.data, keys = excluded.keys, refs = excluded.refs,
			version = records.version + 1
		RETURNING version`
	s[stmtDelete] = "DELETE FROM records WHERE kind = ?1 AND id = ?2"
	s[stmtDeleteKeys] = "DELETE FROM record_keys WHERE kind = ?1 AND id = ?2"
	s[stmtDeleteRefs] = "DELETE FROM record_refs WHERE kind = ?1 AND id = ?2"
	s[stmtInsertKey] = "INSERT INTO record_keys (kind, key, id) VALUES (?1, ?2, ?3)"
	s[stmtInsertRef] = "INSERT INTO record_refs (kind, ref, id) VALUES (?1, ?2, ?3)"
	// All of a record's keys (refs) in one statement, from a JSON array.
	s[stmtInsertKeys] = "INSERT INTO record_keys (kind, key, id) SELECT ?1, value, ?3 FROM json_each(?2)"
	s[stmtInsertRefs] = "INSERT INTO record_refs (kind, ref, id) SELECT ?1, value, ?3 FROM json_each(?2)"
	s[stmtSavepoint] = "SAVEPOINT write"
	s[stmtRelease] = "RELEASE write"
	s[stmtRollbackTo] = "ROLLBACK TO write"
	s[stmtSetRevision] = "UPDATE meta SET value = ?1 WHERE name = 'revision'"
	for v := range listVariants {
		s[int(stmtList)+v] = listSQL(v)
	}
	return s
}()

// listSQL builds the List statement for one filter combination. Parameters
// are numbered so every variant takes the same argument list.
func listSQL(v int) string {
	var b strings.Builder
	b.WriteString("SELECT " + recordCols + " FROM records r")
	if v&listRef != 0 {
		b.WriteString(" JOIN record_refs f ON f.kind = r.kind AND f.id = r.id AND f.ref = ?3")
	}
	b.WriteString(" WHERE 1")
	if v&listKind != 0 {
		b.WriteString(" AND r.kind = ?1")
	}
	if v&listTenant != 0 {
		b.WriteString(" AND r.tenant = ?2")
	}
	if v&listPrefix != 0 {
		// A byte-wise range rather than LIKE/GLOB: it uses the index and has
		// no metacharacters. See prefixRange for ?5.
		b.WriteString(" AND r.id >= ?4 AND r.id < ?5")
	}
	if v&listBefore != 0 {
		b.WriteString(" AND r.id < ?6")
	}
	b.WriteString(" ORDER BY r.id, r.kind LIMIT ?7") // -1: no limit
	return b.String()
}

// prepareAll prepares every statement on p (the read pool or the writer).
func prepareAll(ctx context.Context, p interface {
	PrepareContext(context.Context, string) (*sql.Stmt, error)
}) ([]*sql.Stmt, error) {
	stmts := make([]*sql.Stmt, numStmts)
	for i, q := range sqlText {
		st, err := p.PrepareContext(ctx, q)
		if err != nil {
			closeAll(stmts)
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		stmts[i] = st
	}
	return stmts, nil
}

func closeAll(stmts []*sql.Stmt) {
	for _, st := range stmts {
		if st != nil {
			st.Close()
		}
	}
}
