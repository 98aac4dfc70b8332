package arm

import "strings"

// normalizePath collapses each run of slashes in an ARM path into one, as
// ARM does: the Azure CLI and the SDKs build
// ".../providers/{ns}/{parentResourcePath}/{type}/{name}" and send
// ".../providers/Microsoft.CognitiveServices//accounts/a" when there is no
// parent, and Azure answers it as the single-slash path. It runs once,
// before the path is parsed, so authorization, routing and look-ups all see
// one spelling of the id; the id parser itself still refuses an empty
// segment, so no other path can name a resource in two ways.
func normalizePath(p string) string {
	if !strings.Contains(p, "//") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
