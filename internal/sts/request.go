package sts

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxForm bounds a token request body; Entra's real requests are a few KiB.
const maxForm = 64 << 10

// Request is a token request, parsed once into typed fields. Parameters a
// grant does not know (telemetry that msal-node puts in the body, claims,
// client_info) are kept in Form and otherwise ignored.
type Request struct {
	GrantType           string
	ClientID            string
	ClientSecret        string
	ClientAssertionType string
	ClientAssertion     string
	Scope               string
	Resource            string // v1 endpoint
	Assertion           string // jwt-bearer (on-behalf-of)
	RequestedTokenUse   string
	RefreshToken        string
	Code                string
	CodeVerifier        string
	RedirectURI         string
	DeviceCode          string
	Username            string
	Password            string
	Form                url.Values

	// Set by the dispatcher before a grant runs.
	V1       bool    // arrived on /{tenant}/oauth2/token
	Tenant   string  // the tenant segment as given
	BaseURL  string  // scheme://host of this request
	Endpoint string  // the token endpoint URL as requested
	Client   *Client // authenticated client, when the grant needs one
	basic    bool    // client credentials came in HTTP Basic
}

// parseRequest reads and validates a token request body.
func parseRequest(r *http.Request) (*Request, error) {
	if r.Method != http.MethodPost {
		return nil, errMethod(r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, errInvalidInput("The request body must be application/x-www-form-urlencoded.")
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxForm+1))
	if err != nil {
		return nil, errInvalidInput("The request body could not be read.")
	}
	if len(body) > maxForm {
		return nil, errInvalidInput("The request body is too large.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errInvalidInput("The request body is not a valid form.")
	}
	rq := &Request{Form: form,
		GrantType: form.Get("grant_type"), ClientID: strings.TrimSpace(form.Get("client_id")),
		ClientSecret: form.Get("client_secret"), ClientAssertionType: form.Get("client_assertion_type"),
		ClientAssertion: form.Get("client_assertion"), Scope: form.Get("scope"), Resource: form.Get("resource"),
		Assertion: form.Get("assertion"), RequestedTokenUse: form.Get("requested_token_use"),
		RefreshToken: form.Get("refresh_token"), Code: form.Get("code"), CodeVerifier: form.Get("code_verifier"),
		RedirectURI: form.Get("redirect_uri"), DeviceCode: form.Get("device_code"),
		Username: form.Get("username"), Password: form.Get("password")}
	if err := rq.readBasic(r); err != nil {
		return nil, err
	}
	return rq, nil
}

// readBasic takes client credentials from HTTP Basic (RFC 6749 §2.3.1:
// both parts form-urlencoded).
func (rq *Request) readBasic(r *http.Request) error {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return nil
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil {
		return errInvalidInput("The Authorization header is not valid HTTP Basic credentials.")
	}
	if rq.ClientID != "" && !strings.EqualFold(rq.ClientID, id) {
		return errInvalidInput("client_id in the body does not match the one in the Authorization header.")
	}
	rq.ClientID, rq.ClientSecret, rq.basic = id, secret, true
	return nil
}
