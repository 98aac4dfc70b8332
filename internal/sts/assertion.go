package sts

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// maxAssertion bounds a client assertion; real ones are 1–4 KiB.
const maxAssertion = 16 << 10

// assertionSkew tolerates clock differences between client and server.
const assertionSkew = 5 * time.Minute

type assertionClaims struct {
	Aud audience     `json:"aud"`
	Iss string       `json:"iss"`
	Sub string       `json:"sub"`
	Exp *numericDate `json:"exp"`
	Nbf *numericDate `json:"nbf"`
	Jti string       `json:"jti"`
}

// numericDate is a JWT NumericDate: seconds since the epoch, which RFC 7519
// allows to be non-integer. MSAL Python 1.21 (Azure CLI 2.45) sends
// time.time()+600, e.g. 1764000000.123456; the fraction is dropped.
type numericDate int64

func (d *numericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if math.IsNaN(f) || f <= math.MinInt64 || f >= math.MaxInt64 {
		return errors.New("numeric date out of range")
	}
	*d = numericDate(f)
	return nil
}

// audience is a JWT aud: a string or an array of strings.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// assertionSubject reads iss from an unverified assertion, so that a request
// without client_id (allowed with an assertion) finds its application.
func assertionSubject(raw string) string {
	if len(raw) > maxAssertion {
		return ""
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c assertionClaims
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	return c.Iss
}

// checkAssertion verifies a certificate client assertion (RFC 7523): RS256
// with x5t or PS256 with x5t#S256 naming one of the app's certificates,
// signed by it, addressed to this token endpoint, within its lifetime.
func (s *Service) checkAssertion(rq *Request, app *directory.Application, ten *directory.Tenant) error {
	if len(rq.ClientAssertion) > maxAssertion {
		return errAssertionClaims("The assertion is too large.")
	}
	jws, err := jose.ParseSignedCompact(rq.ClientAssertion, []jose.SignatureAlgorithm{jose.RS256, jose.PS256})
	if err != nil || len(jws.Signatures) != 1 {
		return errAssertionClaims("The assertion is not a valid JWT signed with RS256 or PS256.")
	}
	hdr := jws.Signatures[0].Protected
	cred, shown := findKeyCredential(app, hdr.ExtraHeaders)
	if cred == nil {
		return errAssertionKeyNotFound(app.AppID, shown)
	}
	cert, err := x509.ParseCertificate(cred.Key)
	if err != nil {
		return errAssertionSignature()
	}
	payload, err := jws.Verify(cert.PublicKey)
	if err != nil {
		return errAssertionSignature()
	}
	now := s.now()
	if now.After(cred.EndDateTime) {
		return errAssertionClaims("The certificate used to sign the assertion has expired.")
	}
	var c assertionClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return errAssertionClaims("The assertion payload is not valid JSON claims.")
	}
	if err := s.checkAssertionClaims(&c, rq, app, ten, now); err != nil {
		return err
	}
	return s.checkReplay(&c, rq.ClientAssertion, app.AppID, now)
}

// checkReplay refuses an assertion the client has used before, while it
// is still valid (with SingleUseAssertions).
func (s *Service) checkReplay(c *assertionClaims, raw, appID string, now time.Time) error {
	if s.replay == nil {
		return nil
	}
	until := time.Unix(int64(*c.Exp), 0).Add(assertionSkew) // accepted until then, so remembered until then
	switch s.replay.use(appID, assertionID(c.Jti, raw), until, now) {
	case replaySeen:
		return errAssertionReplayed()
	case replayFull:
		return errTemporarilyUnavailable()
	}
	return nil
}

func (s *Service) checkAssertionClaims(c *assertionClaims, rq *Request, app *directory.Application, ten *directory.Tenant, now time.Time) error {
	if !strings.EqualFold(c.Iss, app.AppID) || !strings.EqualFold(c.Sub, app.AppID) {
		return errAssertionClaims("The iss and sub claims must both be the client_id '" + app.AppID + "'.")
	}
	if !audienceMatches(c.Aud, rq, ten) {
		return errAssertionClaims("The aud claim must be this token endpoint, '" + rq.Endpoint + "'.")
	}
	if c.Exp == nil {
		return errAssertionClaims("The assertion has no exp claim.")
	}
	exp := time.Unix(int64(*c.Exp), 0).UTC()
	nbf := time.Unix(0, 0).UTC()
	if c.Nbf != nil {
		nbf = time.Unix(int64(*c.Nbf), 0).UTC()
	}
	if now.After(exp.Add(assertionSkew)) || now.Add(assertionSkew).Before(nbf) {
		f := "1/2/2006 3:04:05 PM"
		return errAssertionTime(now.UTC().Format(f), nbf.Format(f), exp.Format(f))
	}
	return nil
}

// audienceMatches accepts the token endpoint of this tenant (v1 or v2, by
// tenant id or any of its domains) on the host the request came to, and
// the ADFS token endpoint when the request came to it (MSAL puts the
// endpoint it posts to in aud: https://HOST/adfs/oauth2/token).
func audienceMatches(aud audience, rq *Request, ten *directory.Tenant) bool {
	for _, a := range aud {
		a = strings.TrimSuffix(strings.ToLower(a), "/")
		base := strings.ToLower(rq.BaseURL)
		if isADFS(rq.Tenant) && a == base+"/"+adfsSegment+"/oauth2/token" {
			return true
		}
		if !strings.HasPrefix(a, base+"/") {
			continue
		}
		seg := strings.SplitN(strings.TrimPrefix(a, base+"/"), "/", 2)
		if len(seg) != 2 || (seg[1] != "oauth2/v2.0/token" && seg[1] != "oauth2/token") {
			continue
		}
		if seg[0] == ten.ID || containsFold(ten.Domains, seg[0]) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// findKeyCredential matches the assertion's x5t#S256 or x5t header against
// the app's certificates. Clients differ in encoding (MSAL Go sends padded
// standard base64, others base64url), so every form is accepted. It returns
// the thumbprint as shown to the user when nothing matched.
func findKeyCredential(app *directory.Application, hdr map[jose.HeaderKey]any) (*directory.KeyCredential, string) {
	s256, _ := hdr["x5t#S256"].(string)
	s1, _ := hdr["x5t"].(string)
	want256, want1 := decodeThumbprint(s256), decodeThumbprint(s1)
	for i := range app.KeyCredentials {
		k := &app.KeyCredentials[i]
		if (want256 != nil && bytes.Equal(want256, k.SHA256)) || (want1 != nil && bytes.Equal(want1, k.SHA1)) {
			return k, ""
		}
	}
	shown := s1
	if s256 != "" {
		shown = s256
	}
	if b := decodeThumbprint(shown); b != nil {
		shown = strings.ToUpper(hex.EncodeToString(b))
	}
	return nil, shown
}

func decodeThumbprint(s string) []byte {
	if s == "" {
		return nil
	}
	// Hex first: a 40- or 64-digit hex thumbprint is also valid base64, but
	// base64 SHA-1/SHA-256 thumbprints are 27–28 or 43–44 characters long.
	if len(s) == 40 || len(s) == 64 {
		if b, err := hex.DecodeString(s); err == nil {
			return b
		}
	}
	t := strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(t); err == nil {
			return b
		}
	}
	if b, err := hex.DecodeString(s); err == nil { // some tools send hex
		return b
	}
	return nil
}
