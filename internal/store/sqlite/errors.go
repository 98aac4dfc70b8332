package sqlite

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// isConstraint reports whether err is a UNIQUE or PRIMARY KEY violation:
// the only constraints a well-formed write can break, so they mean a taken
// id or key.
func isConstraint(err error) bool {
	var e *sqlite.Error
	// The low byte is the primary result code; the rest is the extended one.
	return errors.As(err, &e) && e.Code()&0xFF == sqlite3.SQLITE_CONSTRAINT
}
