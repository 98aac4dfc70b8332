// Package reqid carries a request's id from the front of the server (where
// it is logged) to the handlers (which return it in their protocol's
// header), so logs and responses name a request the same way.
package reqid

import (
	"context"

	"github.com/google/uuid"
)

type key struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context { return context.WithValue(ctx, key{}, id) }

// From returns the request's id, or a new one when none was set.
func From(ctx context.Context) string {
	if id, ok := ctx.Value(key{}).(string); ok && id != "" {
		return id
	}
	return uuid.NewString()
}
