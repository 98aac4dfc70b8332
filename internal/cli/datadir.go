package cli

import (
	"os"
	"path/filepath"
)

// localDataDir is the data directory of the working directory, used when
// it exists (gatehouse's original default, and handy for a checkout).
const localDataDir = ".gatehouse"

// dataDir says which data directory the server and the CLI use and why.
type dataDir struct {
	Path string
	From string // how it was chosen, for messages
}

// findDataDir chooses the data directory, the same way for `serve` and
// for the client commands, so that `gatehouse serve` in one directory and
// `gatehouse ca` in another agree: --data, then GATEHOUSE_DATA, then
// ./.gatehouse if it exists, then the per-user directory
// ($XDG_DATA_HOME/gatehouse, else ~/.local/share/gatehouse).
func findDataDir(flag string) dataDir {
	if flag != "" {
		return dataDir{flag, "--data"}
	}
	if env := os.Getenv("GATEHOUSE_DATA"); env != "" {
		return dataDir{env, "GATEHOUSE_DATA"}
	}
	if st, err := os.Stat(localDataDir); err == nil && st.IsDir() {
		return dataDir{localDataDir, "./" + localDataDir + " exists"}
	}
	if p := userDataDir(); p != "" {
		return dataDir{p, "the per-user default; no --data, no GATEHOUSE_DATA, no ./" + localDataDir}
	}
	return dataDir{localDataDir, "no home directory; no --data, no GATEHOUSE_DATA"}
}

// userDataDir is the per-user data directory of the XDG base directory
// specification ("" without a home directory).
func userDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(x) { // relative values are invalid, per the spec
		return filepath.Join(x, "gatehouse")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "share", "gatehouse")
}

// describe is the directory, absolute when possible, and why it was chosen.
func (d dataDir) describe() string {
	p := d.Path
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p + " (" + d.From + ")"
}
