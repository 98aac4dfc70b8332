// Command gatehouse runs the gatehouse server and its az-shaped CLI.
package main

import (
	"context"
	"os"

	"github.com/gatehouse/gatehouse/internal/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
