package arm_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// FuzzARMRequest sends arbitrary methods, paths, query strings and bodies
// with a valid administrator token: the answer is always an ARM-shaped
// error or success, never a 5xx, a panic, or internal detail.
func FuzzARMRequest(f *testing.F) {
	e := testenv.New(f)
	tok := e.AppToken(f, e.Admin, armScope)
	sub := "/subscriptions/" + e.Server.Bootstrap().SubscriptionID
	seeds := []struct{ m, p, b string }{
		{"GET", sub + "?api-version=2022-12-01", ""},
		{"PUT", sub + "/resourceGroups/rg?api-version=2021-04-01", `{"location":"eastus"}`},
		{"PUT", sub + "/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a?api-version=2025-06-01", `{"location":"x","kind":"AIServices","sku":{"name":"S0"},"properties":{"allowProjectManagement":true}}`},
		{"POST", sub + "/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a/regenerateKey?api-version=2025-06-01", `{"keyName":"Key1"}`},
		{"PUT", sub + "/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000001?api-version=2022-04-01", `{"properties":{"roleDefinitionId":"x","principalId":"y","condition":"(("}}`},
		{"GET", sub + "/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=assignedTo('x')", ""},
		{"PUT", "/providers/Microsoft.Management/managementGroups/mg?api-version=2021-04-01", `{"properties":{"details":{"parent":{"id":"/x"}}}}`},
		{"POST", "/providers/Gatehouse/accessCheck?api-version=2025-01-01", `{"action":"a","scope":"/"}`},
		{"DELETE", "//subscriptions///x?api-version=", ""},
	}
	for _, s := range seeds {
		f.Add(s.m, s.p, s.b)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "https://"+e.Host+path, bytes.NewBufferString(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		e.Handler.ServeHTTP(rec, req)
		out := rec.Body.String()
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", method, path, rec.Code, out)
		}
		for _, leak := range []string{"panic", ".go:", "sql:", "goroutine"} {
			if strings.Contains(out, leak) {
				t.Fatalf("%s %q leaks %q: %s", method, path, leak, out)
			}
		}
	})
}
