package cli

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindDataDir(t *testing.T) {
	home, xdg := t.TempDir(), t.TempDir()
	for _, c := range []struct {
		name      string
		flag, env string
		xdg       string
		localDir  bool // ./.gatehouse exists
		want      string
	}{
		{"flag wins", "/srv/gh", "/env/gh", xdg, true, "/srv/gh"},
		{"env next", "", "/env/gh", xdg, true, "/env/gh"},
		{"./.gatehouse when it exists", "", "", xdg, true, ".gatehouse"},
		{"XDG_DATA_HOME", "", "", xdg, false, filepath.Join(xdg, "gatehouse")},
		{"relative XDG_DATA_HOME is ignored", "", "", "rel", false, filepath.Join(home, ".local", "share", "gatehouse")},
		{"home", "", "", "", false, filepath.Join(home, ".local", "share", "gatehouse")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			t.Setenv("HOME", home)
			t.Setenv("GATEHOUSE_DATA", c.env)
			t.Setenv("XDG_DATA_HOME", c.xdg)
			if c.localDir {
				if err := os.Mkdir(".gatehouse", 0o700); err != nil {
					t.Fatal(err)
				}
			}
			if got := findDataDir(c.flag); got.Path != c.want || got.From == "" {
				t.Errorf("findDataDir(%q) = %+v, want %s", c.flag, got, c.want)
			}
		})
	}
}

func TestVersionOf(t *testing.T) {
	if got := versionOf(nil, false); got[:9] != "(unknown)" {
		t.Errorf("no build info: %q", got)
	}
}
