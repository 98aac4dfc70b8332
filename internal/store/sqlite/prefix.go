package sqlite

// prefixRange turns an IDPrefix into the bounds lo <= id < hi used by the
// List statements. SQLite compares TEXT byte-wise (BINARY collation), so the
// range holds exactly the ids that start with prefix, with no LIKE
// metacharacters to escape.
//
// hi is the prefix with its last byte incremented (after dropping trailing
// 0xFF bytes). When no such string exists hi is an empty BLOB: SQLite orders
// every TEXT value before every BLOB, so "id < hi" always holds.
func prefixRange(prefix string) (lo string, hi any) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xFF {
			b[i]++
			return prefix, string(b[:i+1])
		}
	}
	return prefix, []byte{}
}
