package interop

import (
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/gatehouse/gatehouse/interop/harness"
)

// binPath is the gatehouse binary built from ../.. by TestMain (or
// GATEHOUSE_BIN).
var binPath string

type (
	server = harness.Server
	creds  = harness.Creds
)

var (
	buildBinary = harness.BuildBinary
	readCreds   = harness.ReadCreds
	httpClient  = harness.HTTPClient
)

// startServer starts gatehouse on data (see harness.Start).
func startServer(data string, args ...string) (*server, error) {
	return harness.Start(binPath, "", data, args...)
}

// startServerIn is startServer with the working directory dir, against
// which a relative data directory is resolved.
func startServerIn(dir, data string, args ...string) (*server, error) {
	return harness.Start(binPath, dir, data, args...)
}

// runCLI runs the gatehouse binary with args and returns its stdout.
func runCLI(ctx context.Context, args ...string) ([]byte, error) {
	return runCLIIn(ctx, "", args...)
}

// runCLIIn is runCLI in the working directory dir.
func runCLIIn(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("gatehouse %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out, nil
}
