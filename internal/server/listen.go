package server

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Bind listens on addr. `gatehouse serve` binds before it creates anything
// on disk, so a busy port leaves no half-made data directory behind.
func Bind(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("address %s is in use — is another gatehouse running? choose another with --addr", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (choose another with --addr): %w", addr, err)
	}
	return ln, nil
}
