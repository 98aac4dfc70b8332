package sts_test

import (
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// newDirectory opens a directory on a real SQLite store in a temporary
// directory, closed when the test ends.
func newDirectory(t testing.TB) *directory.Directory {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return directory.New(st, []byte("0123456789abcdef0123456789abcdef"))
}
