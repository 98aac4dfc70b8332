package cli

import (
	"errors"
	"fmt"
	"net"
)

// connError turns a failure to reach the server (refused, unknown host,
// unreachable) into advice; a raw "dial tcp … connection refused" says
// nothing about what to do. Other errors pass through.
func connError(server string, err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return fmt.Errorf(`no server at %s (is "gatehouse serve" running? --server / GATEHOUSE_SERVER): %w`, server, op.Err)
	}
	return err
}
