package sqlite

import (
	"fmt"
	"strconv"
	"strings"
)

// pack joins a record's keys (or refs) into one column value as
// "<byte length>:<value>" runs, so reads need no join. Length prefixes keep
// every byte of a value unambiguous, which a separator would not.
func pack(vs []string) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
	}
	return b.String()
}

// unpack reverses pack. The values share s's memory, so a record's keys
// cost one allocation for the slice.
func unpack(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for s != "" {
		colon := strings.IndexByte(s, ':')
		if colon < 0 {
			return nil, fmt.Errorf("sqlite: malformed packed values %q", s)
		}
		n, err := strconv.Atoi(s[:colon])
		if err != nil || n < 0 || n > len(s)-colon-1 {
			return nil, fmt.Errorf("sqlite: malformed packed values %q", s)
		}
		out = append(out, s[colon+1:colon+1+n])
		s = s[colon+1+n:]
	}
	return out, nil
}
