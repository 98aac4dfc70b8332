// Package sqlite is gatehouse's embedded store.Store: one SQLite file,
// written through a single connection and read through a pool.
//
// It uses modernc.org/sqlite (pure Go). The file is in WAL mode with
// synchronous=FULL, so an Update that returned nil survives the process
// being killed and the machine losing power, and readers never wait for
// the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/gatehouse/gatehouse/internal/store"
)

// Store is the SQLite backend. It is safe for concurrent use.
type Store struct {
	wdb, rdb *sql.DB
	wstmts   []*sql.Stmt // prepared on the writer; bound to each Update's tx
	rstmts   poolStmts

	// writer serialises Updates and the revision bump after each commit.
	// A channel rather than a mutex so that waiting respects ctx.
	writer chan struct{}
	// rev mirrors meta.revision. This process is the file's only writer
	// (see lockFile), so memory is authoritative and Revision costs an
	// atomic load.
	rev    atomic.Int64
	closed atomic.Bool
	feed   feed

	lock      *os.File
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// ErrClosed is returned by Update and Revision after Close.
var ErrClosed = errors.New("sqlite: store is closed")

// Open opens (creating if needed) the database at path, takes the exclusive
// lock path+".lock", and brings the schema up to date.
func Open(path string) (_ *Store, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s := &Store{writer: make(chan struct{}, 1)}
	defer func() {
		if err != nil {
			s.release()
		}
	}()
	if s.lock, err = lockFile(abs + ".lock"); err != nil {
		return nil, err
	}
	// Create the file ourselves so it is private: it holds credentials, and
	// SQLite gives the -wal and -shm files the main file's mode.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	f.Close()

	ctx := context.Background()
	if s.wdb, err = openDB(abs, writerParams); err != nil {
		return nil, err
	}
	s.wdb.SetMaxOpenConns(1)
	var mode string
	if err := s.wdb.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	} else if !strings.EqualFold(mode, "wal") {
		return nil, fmt.Errorf("sqlite: open %s: journal mode is %q, want wal", abs, mode)
	}
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, s.wdb, ms); err != nil {
		return nil, err
	}
	var rev int64
	if err := s.wdb.QueryRowContext(ctx, "SELECT value FROM meta WHERE name = 'revision'").Scan(&rev); err != nil {
		return nil, fmt.Errorf("sqlite: read revision: %w", err)
	}
	s.rev.Store(rev)
	s.feed.from = rev // changes before this process are not known
	if s.wstmts, err = prepareAll(ctx, s.wdb); err != nil {
		return nil, err
	}

	if s.rdb, err = openDB(abs, readerParams); err != nil {
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.rdb.SetMaxOpenConns(n)
	// Keep every reader open: a new connection re-prepares its statements.
	s.rdb.SetMaxIdleConns(n)
	if s.rstmts, err = prepareAll(ctx, s.rdb); err != nil {
		return nil, err
	}
	return s, nil
}

// Connection settings, applied by the driver to every new connection.
var (
	writerParams = url.Values{
		"_busy_timeout": {"5000"},
		"_journal_mode": {"WAL"},
		// FULL: in WAL mode, fsync the log on every commit, so an
		// acknowledged write survives power loss, not just a crash.
		"_synchronous":  {"FULL"},
		"_foreign_keys": {"1"},
		// Take the write lock at BEGIN, not at the first write, so a
		// transaction never fails half-way for want of it.
		"_txlock": {"immediate"},
		// temp_store=memory keeps the sub-journal of each write's savepoint
		// in memory: on a file, a large import spent most of its time in
		// pwrite of pages it would never need.
		"_pragma": {writerCacheSize, "temp_store(memory)"},
	}
	readerParams = url.Values{
		"_busy_timeout": {"5000"},
		"_foreign_keys": {"1"},
		"_query_only":   {"1"},
		"_pragma":       {cacheSize},
	}
)

// cacheSize raises SQLite's page cache from 2 MiB to 32 MiB per connection
// (allocated as used), so a working set of a few thousand records is read
// from memory, not pread: it takes a Get from ~17µs to ~10µs.
const cacheSize = "cache_size(-32768)"

// writerCacheSize is larger: one transaction that writes hundreds of
// thousands of records (a configuration import) otherwise spills and
// re-reads pages through the WAL, and slows down as it grows. It is
// allocated as used, so a small store costs nothing more.
const writerCacheSize = "cache_size(-262144)"

// openDB opens a pool on a file: URI, so any character in the path (such as
// '?' or '%') is escaped rather than read as a parameter.
func openDB(abs string, params url.Values) (*sql.DB, error) {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows: C:/x → /C:/x
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: params.Encode()}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	return db, nil
}

func (s *Store) Get(ctx context.Context, kind store.Kind, id string) (store.Record, error) {
	return get(ctx, s.rstmts, kind, id)
}

func (s *Store) Lookup(ctx context.Context, kind store.Kind, key string) (store.Record, error) {
	return lookup(ctx, s.rstmts, kind, key)
}

func (s *Store) List(ctx context.Context, q store.Query) ([]store.Record, error) {
	return list(ctx, s.rstmts, q)
}

// Changes answers from the in-memory feed (see feed).
func (s *Store) Changes(_ context.Context, after int64) ([]store.Change, int64, error) {
	if s.closed.Load() {
		return nil, 0, ErrClosed
	}
	return s.feed.since(after, s.rev.Load())
}

// Revision is an atomic load: see Store.rev.
func (s *Store) Revision(context.Context) (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	return s.rev.Load(), nil
}

// Close waits for a running Update, then closes the database and releases
// the lock. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.writer <- struct{}{}
		s.closed.Store(true)
		<-s.writer
		s.closeErr = s.release()
	})
	return s.closeErr
}

// release frees whatever Open acquired, in reverse order.
func (s *Store) release() error {
	var errs []error
	closeAll(s.rstmts)
	closeAll(s.wstmts)
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		// Closing the last connection checkpoints the WAL into the file.
		errs = append(errs, s.wdb.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}
