package sts

import (
	"net/http"
	"strings"
)

// openIDConfiguration is the OIDC discovery document, with every key
// Entra serves (clients read different subsets).
type openIDConfiguration struct {
	TokenEndpoint                     string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	JwksURI                           string   `json:"jwks_uri"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	Issuer                            string   `json:"issuer"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	HTTPLogoutSupported               bool     `json:"http_logout_supported"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	ClaimsSupported                   []string `json:"claims_supported"`
	KerberosEndpoint                  string   `json:"kerberos_endpoint"`
	TenantRegionScope                 string   `json:"tenant_region_scope"`
	CloudInstanceName                 string   `json:"cloud_instance_name"`
	CloudGraphHostName                string   `json:"cloud_graph_host_name"`
	MsgraphHost                       string   `json:"msgraph_host"`
	RbacURL                           string   `json:"rbac_url"`
}

// openIDConfig serves /{tenant}/v2.0/.well-known/openid-configuration and
// the v1 form /{tenant}/.well-known/openid-configuration.
func (s *Service) openIDConfig(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		seg, tid := r.PathValue("tenant"), "{tenantid}"
		if !isTenantAlias(seg) {
			ten, err := s.tenant(r.Context(), seg)
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			seg, tid = ten.ID, ten.ID
		}
		base := baseURL(r)
		t := base + "/" + seg
		doc := openIDConfiguration{
			TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			ResponseModesSupported:            []string{"query", "fragment", "form_post"},
			SubjectTypesSupported:             []string{"pairwise"},
			IDTokenSigningAlgValuesSupported:  []string{"RS256"},
			ResponseTypesSupported:            []string{"code", "id_token", "code id_token", "id_token token"},
			ScopesSupported:                   []string{"openid", "profile", "email", "offline_access"},
			UserinfoEndpoint:                  base + "/oidc/userinfo",
			HTTPLogoutSupported:               true, FrontchannelLogoutSupported: true,
			ClaimsSupported: []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
				"msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver",
				"at_hash", "c_hash", "email"},
			KerberosEndpoint: t + "/kerberos", TenantRegionScope: "WW", CloudInstanceName: "microsoftonline.com",
			CloudGraphHostName: "graph.windows.net", MsgraphHost: "graph.microsoft.com", RbacURL: "https://pas.windows.net",
		}
		if v2 {
			doc.Issuer = base + "/" + tid + "/v2.0"
			doc.TokenEndpoint, doc.JwksURI = t+"/oauth2/v2.0/token", t+"/discovery/v2.0/keys"
			doc.AuthorizationEndpoint, doc.DeviceAuthorizationEndpoint = t+"/oauth2/v2.0/authorize", t+"/oauth2/v2.0/devicecode"
			doc.EndSessionEndpoint = t + "/oauth2/v2.0/logout"
		} else {
			doc.Issuer = "https://sts.windows.net/" + tid + "/"
			doc.TokenEndpoint, doc.JwksURI = t+"/oauth2/token", t+"/discovery/keys"
			doc.AuthorizationEndpoint, doc.DeviceAuthorizationEndpoint = t+"/oauth2/authorize", t+"/oauth2/devicecode"
			doc.EndSessionEndpoint = t + "/oauth2/logout"
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		writeJSON(w, http.StatusOK, doc)
	}
}

// jwks serves the signing keys at /{tenant}/discovery/v2.0/keys (and the v1
// and tenant-independent forms: the keys are the same for every tenant).
func (s *Service) jwks(w http.ResponseWriter, r *http.Request) {
	seg := r.PathValue("tenant")
	issuer := baseURL(r) + "/{tenantid}/v2.0"
	if !isTenantAlias(seg) {
		ten, err := s.tenant(r.Context(), seg)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		issuer = baseURL(r) + "/" + ten.ID + "/v2.0"
	}
	set, err := s.keys.KeySet(r.Context(), issuer)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, set)
}

func isTenantAlias(seg string) bool {
	switch strings.ToLower(seg) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

type instanceMetadata struct {
	PreferredNetwork string   `json:"preferred_network"`
	PreferredCache   string   `json:"preferred_cache"`
	Aliases          []string `json:"aliases"`
}

type instanceDiscovery struct {
	TenantDiscoveryEndpoint string             `json:"tenant_discovery_endpoint"`
	APIVersion              string             `json:"api-version"`
	Metadata                []instanceMetadata `json:"metadata"`
}

// instance serves /common/discovery/instance, naming this host as its own
// (only) alias so MSAL's validation and alias lookups succeed.
func (s *Service) instance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	authz := q.Get("authorization_endpoint")
	host := strings.ToLower(r.Host)
	tenant := "common"
	if authz != "" {
		if seg := strings.Split(strings.TrimPrefix(strings.TrimPrefix(authz, "https://"), "http://"), "/"); len(seg) > 1 && seg[1] != "" {
			tenant = seg[1]
		}
	}
	v := q.Get("api-version")
	if v == "" {
		v = "1.1"
	}
	writeJSON(w, http.StatusOK, instanceDiscovery{
		TenantDiscoveryEndpoint: baseURL(r) + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		APIVersion:              v,
		Metadata:                []instanceMetadata{{PreferredNetwork: host, PreferredCache: host, Aliases: []string{host}}},
	})
}

// Handler returns the token service's routes. Paths are relative to the
// server root; the caller routes /{tenant}/… and /common/… here.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /common/discovery/instance", s.instance)
	s.registerADFS(mux)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfig(true))
	mux.HandleFunc("GET /{tenant}/.well-known/openid-configuration", s.openIDConfig(false))
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.jwks)
	mux.HandleFunc("GET /{tenant}/discovery/keys", s.jwks)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) { s.token(w, r, false) })
	mux.HandleFunc("/{tenant}/oauth2/token", func(w http.ResponseWriter, r *http.Request) { s.token(w, r, true) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, newErr(404, "invalid_request", 900561, "The endpoint %s does not exist.", r.URL.Path))
	})
	return mux
}
