package sqlite

import (
	"errors"
	"fmt"
	"os"
)

// ErrInUse is returned by Open when another process (or another Open in this
// one) holds the database. The store keeps its revision in memory, which is
// only correct while it is the file's sole writer.
var ErrInUse = errors.New("data directory is in use by another gatehouse process")

// lockFile takes an exclusive, non-blocking lock on path. The operating
// system drops it when the process dies, so a crash leaves no stale lock.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open lock file: %w", err)
	}
	busy, err := tryLock(f)
	if err != nil || busy {
		f.Close()
		if busy {
			return nil, fmt.Errorf("%w (lock %s)", ErrInUse, path)
		}
		return nil, fmt.Errorf("sqlite: lock %s: %w", path, err)
	}
	return f, nil
}
