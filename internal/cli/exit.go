package cli

import "fmt"

// Exit codes other than 0 (success) and 1 (any error).
const (
	// ExitDenied is `access check`'s answer when access is denied, so a CI
	// step can tell "denied" from "could not check" (1).
	ExitDenied = 3
)

// exitError ends the command with code; msg, when set, goes to stderr.
// The command has already printed its result, so nothing else is said.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("exit status %d", e.code)
}
