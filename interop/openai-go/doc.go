// Package interop drives the real gatehouse binary's inference gateway with
// the unmodified openai-go SDK (its Azure options) and azidentity.
package interop
