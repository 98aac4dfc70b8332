// Package interop drives the real gatehouse binary with the real Azure SDK
// for Go (azidentity), curl and gatehouse's own CLI. It is a module of its
// own so that the Azure SDKs stay out of the product's go.mod.
//
// Everything is in the tests: `go test -count=1 ./...` builds the binary
// from ../.. and starts it on a free loopback port.
package interop
