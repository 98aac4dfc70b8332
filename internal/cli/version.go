package cli

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// version describes this binary from its build information: the module
// version (a pseudo-version or tag with `go install`, "(devel)" with
// `go run`/`go build`), the VCS revision when it was recorded, and the
// Go release.
func version() string {
	return versionOf(debug.ReadBuildInfo())
}

func versionOf(bi *debug.BuildInfo, ok bool) string {
	v := "(unknown)"
	var extra []string
	if ok && bi != nil {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if modified == "true" {
				rev += "-dirty"
			}
			extra = append(extra, "revision "+rev)
		}
	}
	extra = append(extra, runtime.Version())
	return v + " (" + strings.Join(extra, ", ") + ")"
}
