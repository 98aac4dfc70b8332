package sts_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const (
	cogScope     = "https://cognitiveservices.azure.com/.default"
	assertionJWT = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// fixture is a gatehouse with the applications the token tests need.
type fixture struct {
	*testenv.Env
	certApp    *testenv.App  // has cert registered (and a secret)
	cert       *testenv.Cert // registered on certApp
	expiredApp *testenv.App  // its only secret expired yesterday
	expiredSec string
	notYetApp  *testenv.App // its only secret starts tomorrow
	notYetSec  string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{Env: testenv.New(t)}
	f.certApp = f.NewApp(t, "cert-app", testenv.AppOptions{})
	f.cert = testenv.NewCert(t, "cert-app", time.Time{}, time.Time{})
	f.AddCertificate(t, f.certApp, f.cert.Cert)

	now := time.Now()
	f.expiredApp = f.NewApp(t, "expired-secret-app", testenv.AppOptions{NoSecret: true})
	f.expiredSec = "expired-secret-value-0123456789"
	f.notYetApp = f.NewApp(t, "future-secret-app", testenv.AppOptions{NoSecret: true})
	f.notYetSec = "future-secret-value-0123456789"
	f.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		if _, err := tx.AddPasswordValue(ctx, f.expiredApp.App.ID, "old", f.expiredSec, now.AddDate(0, -2, 0), now.AddDate(0, 0, -1)); err != nil {
			return err
		}
		_, err := tx.AddPasswordValue(ctx, f.notYetApp.App.ID, "future", f.notYetSec, now.AddDate(0, 0, 1), now.AddDate(1, 0, 0))
		return err
	})
	return f
}

// assertionAud is the v2 token endpoint of the bootstrap tenant, the aud
// a client assertion must carry.
func (f *fixture) assertionAud() string { return f.TokenEndpoint(f.Tenant) }

// signedAssertion is a valid RS256 assertion for certApp with x5t.
func (f *fixture) signedAssertion(t testing.TB) string {
	return testenv.Assertion{Headers: map[string]any{"x5t": testenv.B64URL(f.cert.SHA1())},
		Claims: testenv.AssertionClaims(f.certApp.App.AppID, f.assertionAud(), time.Now())}.Sign(t, f.cert.Key)
}

var (
	descShape = regexp.MustCompile(`^AADSTS(\d+): (?s:(.*))\r\nTrace ID: ([0-9a-f-]{36})\r\nCorrelation ID: ([0-9a-f-]{36})\r\nTimestamp: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)$`)
	guidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// checkEntraError asserts Entra's error shape (reference §9) and returns
// the description text between "AADSTSnnn: " and the trailer.
func checkEntraError(t testing.TB, status int, body map[string]any, wantStatus int, wantErr string, wantCode int, corrID string) string {
	t.Helper()
	if status != wantStatus {
		t.Errorf("status %d, want %d (body %v)", status, wantStatus, body)
	}
	if body["error"] != wantErr {
		t.Errorf("error %q, want %q", body["error"], wantErr)
	}
	codes, _ := body["error_codes"].([]any)
	if len(codes) != 1 || fmt.Sprint(codes[0]) != strconv.Itoa(wantCode) {
		t.Errorf("error_codes %v, want [%d]", body["error_codes"], wantCode)
	}
	if want := "https://login.microsoftonline.com/error?code=" + strconv.Itoa(wantCode); body["error_uri"] != want {
		t.Errorf("error_uri %q, want %q", body["error_uri"], want)
	}
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS"+strconv.Itoa(wantCode)+": ") {
		t.Errorf("error_description %q does not start with AADSTS%d: ", desc, wantCode)
	}
	m := descShape.FindStringSubmatch(desc)
	if m == nil {
		t.Fatalf("error_description %q lacks the Trace ID / Correlation ID / Timestamp trailer", desc)
	}
	trace, corr, ts := body["trace_id"], body["correlation_id"], body["timestamp"]
	if trace != m[3] || corr != m[4] || ts != m[5] {
		t.Errorf("trace_id %v, correlation_id %v, timestamp %v do not match the description trailer %q %q %q", trace, corr, ts, m[3], m[4], m[5])
	}
	if !guidShape.MatchString(m[3]) || !guidShape.MatchString(m[4]) {
		t.Errorf("trace/correlation ids %q %q are not GUIDs", m[3], m[4])
	}
	if got, err := time.Parse("2006-01-02 15:04:05Z", m[5]); err != nil || time.Since(got) > time.Minute || time.Until(got) > time.Minute {
		t.Errorf("timestamp %q is not now (%v)", m[5], err)
	}
	if corrID != "" && corr != corrID {
		t.Errorf("correlation_id %v, want the client-request-id %s", corr, corrID)
	}
	return m[2]
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// hdr builds request headers.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}
