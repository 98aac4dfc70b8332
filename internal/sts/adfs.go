package sts

import (
	"net/http"
	"strings"
)

// ADFS-style authority. MSAL (Python 1.21, Go, .NET) treats an authority
// whose first path segment is "adfs" as an on-premises ADFS: it skips
// instance discovery (which would go to login.microsoftonline.com and reject
// this host) and reads {authority}/.well-known/openid-configuration. The
// Azure CLI 2.45 cannot switch instance discovery off, so registering a
// cloud with --endpoint-active-directory https://HOST/adfs is how it signs
// in here.
//
// The ADFS authority names no tenant: like the common/organizations
// aliases, a token request on it is served in the client application's
// home tenant, and the tokens are exactly those of that tenant's endpoints
// (v1 tokens with iss https://sts.windows.net/{tid}/ for ARM).

// adfsSegment is the authority's path segment.
const adfsSegment = "adfs"

// isADFS reports whether a tenant segment is the ADFS authority.
func isADFS(seg string) bool { return strings.EqualFold(seg, adfsSegment) }

// adfsIssuer is the issuer ADFS advertises: the authority itself.
func adfsIssuer(r *http.Request) string { return baseURL(r) + "/" + adfsSegment }

// adfsOpenIDConfig serves /adfs/.well-known/openid-configuration in the
// shape of ADFS 2019's document, with every endpoint under /adfs.
func (s *Service) adfsOpenIDConfig(w http.ResponseWriter, r *http.Request) {
	a := adfsIssuer(r)
	doc := openIDConfiguration{
		Issuer:                            a,
		TokenEndpoint:                     a + "/oauth2/token",
		AuthorizationEndpoint:             a + "/oauth2/authorize",
		DeviceAuthorizationEndpoint:       a + "/oauth2/devicecode",
		EndSessionEndpoint:                a + "/oauth2/logout",
		JwksURI:                           a + "/discovery/keys",
		UserinfoEndpoint:                  a + "/userinfo",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic", "private_key_jwt"},
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ResponseTypesSupported:            []string{"code", "id_token", "code id_token", "id_token token", "code token", "code id_token token"},
		ScopesSupported:                   []string{"openid", "profile", "email", "offline_access", "allatclaims", "user_impersonation", "logon_cert", "aza", "vpn_cert"},
		HTTPLogoutSupported:               true,
		FrontchannelLogoutSupported:       true,
		ClaimsSupported:                   []string{"aud", "iss", "iat", "exp", "auth_time", "nonce", "at_hash", "c_hash", "sub", "upn", "unique_name", "pwd_url", "pwd_exp", "mfa_auth_time", "sid", "nbf", "tid", "oid"},
		KerberosEndpoint:                  a + "/kerberos",
		TenantRegionScope:                 "WW",
		CloudInstanceName:                 "microsoftonline.com",
		CloudGraphHostName:                "graph.windows.net",
		MsgraphHost:                       "graph.microsoft.com",
		RbacURL:                           "https://pas.windows.net",
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, doc)
}

// adfsJWKS serves /adfs/discovery/keys: the same signing keys as every
// tenant's.
func (s *Service) adfsJWKS(w http.ResponseWriter, r *http.Request) {
	set, err := s.keys.KeySet(r.Context(), adfsIssuer(r))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, set)
}

// adfsBody is the /adfs/oauth2/token success body. ADFS answers both the
// v1 (resource=) and v2 (scope=) request forms in one shape, with numeric
// lifetimes.
type adfsBody struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	ExpiresOn    int64  `json:"expires_on,omitempty"`
	NotBefore    int64  `json:"not_before,omitempty"`
	Resource     string `json:"resource,omitempty"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// adfsToken handles POST /adfs/oauth2/token. A request with resource= is
// served like the v1 endpoint, one with scope= like v2; the tenant is the
// client application's home (see requestTenant).
func (s *Service) adfsToken(w http.ResponseWriter, r *http.Request) {
	r.SetPathValue("tenant", adfsSegment)
	resp, err := s.exchange(r, false)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, adfsBody{TokenType: "Bearer", Scope: resp.Scope, ExpiresIn: resp.ExpiresIn,
		ExtExpiresIn: resp.ExpiresIn, ExpiresOn: resp.ExpiresOn, NotBefore: resp.NotBefore, Resource: resp.Resource,
		AccessToken: resp.AccessToken, RefreshToken: resp.RefreshToken, IDToken: resp.IDToken})
}

// registerADFS adds the ADFS authority's routes; they are more specific
// than the /{tenant}/… patterns, so "adfs" never reaches tenant lookup.
func (s *Service) registerADFS(mux *http.ServeMux) {
	mux.HandleFunc("GET /adfs/.well-known/openid-configuration", s.adfsOpenIDConfig)
	mux.HandleFunc("GET /adfs/discovery/keys", s.adfsJWKS)
	mux.HandleFunc("/adfs/oauth2/token", s.adfsToken)
}

// graphOnThisHost maps a resource naming this gatehouse itself
// (https://HOST[:PORT][/]) to Microsoft Graph, which gatehouse serves on
// the same host at /v1.0. The Azure CLI uses its cloud's
// microsoftGraphResourceId both as the token resource and as the Graph base
// URL, so a cloud that points Graph at gatehouse asks for tokens for
// gatehouse's own URL; they are issued for Graph (aud
// https://graph.microsoft.com), which is what gatehouse's Graph accepts.
func graphOnThisHost(rq *Request, name string) string {
	n := strings.TrimRight(strings.ToLower(name), "/")
	if n != "" && n == strings.ToLower(rq.BaseURL) {
		return graphResource
	}
	return name
}

// graphResource is Microsoft Graph's identifier URI.
const graphResource = "https://graph.microsoft.com"
