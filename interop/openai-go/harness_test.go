package interop

import (
	"fmt"
	"path/filepath"

	"github.com/gatehouse/gatehouse/interop/harness"
)

// binPath is the gatehouse binary: GATEHOUSE_BIN, or built from ../.. by
// TestMain.
var binPath string

var buildBinary = harness.BuildBinary

// server is a running gatehouse with the credentials it wrote.
type server struct {
	*harness.Server
	Admin *harness.Creds // admin.json
	Demo  *harness.Creds // demo.json
}

// startServer starts gatehouse on data (see harness.Start) and reads
// admin.json and demo.json.
func startServer(data string, args ...string) (*server, error) {
	hs, err := harness.Start(binPath, "", data, args...)
	if err != nil {
		return nil, err
	}
	s := &server{Server: hs}
	fail := func(err error) (*server, error) {
		hs.Kill()
		return nil, fmt.Errorf("%w\n%s", err, hs.Logs())
	}
	if s.Admin, err = harness.ReadCreds(filepath.Join(data, "admin.json")); err != nil {
		return fail(err)
	}
	if s.Demo, err = harness.ReadCreds(filepath.Join(data, "demo.json")); err != nil {
		return fail(err)
	}
	if s.Admin.Server != s.URL || s.Demo.Server != s.URL {
		return fail(fmt.Errorf("admin.json server %q, demo.json server %q, want %q", s.Admin.Server, s.Demo.Server, s.URL))
	}
	return s, nil
}
