package sqlite

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

// The durability promise rests on these settings; check the connections
// really have them, not just that the DSN asked.
func TestConnectionSettings(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		pragma string
		w, r   string
	}{
		{"journal_mode", "wal", "wal"},
		{"synchronous", "2", ""}, // 2 = FULL
		{"foreign_keys", "1", "1"},
		{"busy_timeout", "5000", "5000"},
		{"query_only", "0", "1"},
		{"cache_size", "-262144", "-32768"}, // the writer's is larger, for bulk imports
		{"temp_store", "2", ""},             // 2 = MEMORY: savepoint journals in memory
	} {
		var got string
		if err := s.wdb.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil || !strings.EqualFold(got, c.w) {
			t.Errorf("writer %s = %q (%v), want %q", c.pragma, got, err, c.w)
		}
		if c.r == "" {
			continue
		}
		if err := s.rdb.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil || !strings.EqualFold(got, c.r) {
			t.Errorf("reader %s = %q (%v), want %q", c.pragma, got, err, c.r)
		}
	}
}

func TestPrefixRange(t *testing.T) {
	for _, c := range []struct {
		prefix string
		hi     any
	}{
		{"a", "b"},
		{"u1", "u2"},
		{"a\xff", "b"},
		{"a\xff\xff", "b"},
		{"\xff", []byte{}},
		{"é", "\xc3\xaa"},
	} {
		lo, hi := prefixRange(c.prefix)
		if lo != c.prefix {
			t.Errorf("prefixRange(%q) lo = %q", c.prefix, lo)
		}
		if want, ok := c.hi.(string); ok {
			if got, ok := hi.(string); !ok || got != want {
				t.Errorf("prefixRange(%q) hi = %#v, want %q", c.prefix, hi, want)
			}
		} else if got, ok := hi.([]byte); !ok || len(got) != 0 {
			t.Errorf("prefixRange(%q) hi = %#v, want empty blob", c.prefix, hi)
		}
	}
}

func TestUnpack(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"1:a", []string{"a"}},
		{"3:a:b0:2:12", []string{"a:b", "", "12"}},
		{"3:日", []string{"日"}}, // lengths count bytes
	} {
		got, err := unpack(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("unpack(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"x", "1", "2:a", "-1:a", "a:b", "4:日"} {
		if _, err := unpack(bad); err == nil {
			t.Errorf("unpack(%q): no error", bad)
		}
	}
}

// The feed drops whole revisions from its front and says so; a commit
// larger than the feed empties it.
func TestFeedBounds(t *testing.T) {
	var f feed
	f.from = 0
	for rev := int64(1); rev <= 3; rev++ {
		f.add(rev, make([]store.Change, feedMax/2))
	}
	if _, _, err := f.since(0, 3); !errors.Is(err, store.ErrChangesGone) {
		t.Fatalf("since(0): %v", err)
	}
	cs, _, err := f.since(2, 3)
	if err != nil || len(cs) != feedMax/2 {
		t.Fatalf("since(2) = %d changes, %v", len(cs), err)
	}
	f.add(4, make([]store.Change, feedMax+1))
	if _, _, err := f.since(3, 4); !errors.Is(err, store.ErrChangesGone) {
		t.Fatalf("after a bulk commit: %v", err)
	}
	if cs, _, err := f.since(4, 4); err != nil || len(cs) != 0 {
		t.Fatalf("since(4): %v %v", cs, err)
	}
}
