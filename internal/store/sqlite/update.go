package sqlite

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/store"
)

// Update runs fn in one write transaction. Updates run one at a time (SQLite
// has a single writer anyway); fn must not call Update itself, but it may
// read through the Store, which sees the last committed state.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (err error) {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.writer }()
	if s.closed.Load() {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	sqlTx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	t := &tx{sqlTx: sqlTx, w: s.wstmts}
	committed := false
	defer func() {
		t.done = true
		if !committed {
			sqlTx.Rollback() // also when fn panics
		}
	}()

	if err := fn(t); err != nil {
		return err
	}
	if t.failed != nil {
		// fn carried on past an error that broke the transaction.
		return fmt.Errorf("sqlite: transaction aborted: %w", t.failed)
	}
	if !t.wrote {
		return nil // read-only: nothing to commit, revision unchanged
	}
	rev := s.rev.Load() + 1
	if err := t.exec(ctx, stmtSetRevision, rev); err != nil {
		return fmt.Errorf("sqlite: bump revision: %w", err)
	}
	// Commit refuses if ctx is already done, so a cancelled Update is never
	// half-acknowledged; once under way it is not interrupted.
	committed = true
	if err := sqlTx.Commit(); err != nil {
		// SQLite keeps a transaction open after some failed COMMITs; make sure
		// the writer connection does not carry it into the next Update.
		s.wdb.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	// Publish only after the commit: a reader that sees the new revision
	// then also sees the data, so a cache never pins old data to it.
	// The feed first: a consumer that sees the new revision finds its
	// changes.
	s.feed.add(rev, t.changes)
	s.rev.Store(rev)
	return nil
}
