//go:build !unix && !windows

package sqlite

import "os"

// tryLock cannot lock on this platform; the store then relies on the
// operator running one gatehouse per data directory.
func tryLock(*os.File) (busy bool, err error) { return false, nil }
