package sts

import (
	"context"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// ClientAuth says whether a grant needs an authenticated client.
type ClientAuth int

const (
	// ClientRequired: confidential clients only (client credentials, OBO).
	ClientRequired ClientAuth = iota
	// ClientOptional: public clients may omit credentials (device code,
	// auth code, refresh); a confidential one that sends them is checked.
	ClientOptional
)

// Grant is one grant_type. The dispatcher runs the shared phases (parse,
// tenant, client authentication) before Handle, so no grant can skip them.
type Grant interface {
	Type() string
	ClientAuth() ClientAuth
	Handle(ctx context.Context, rq *Request, ten *directory.Tenant) (*Response, error)
}

// Response is a successful token response.
type Response struct {
	AccessToken  string
	ExpiresIn    int64
	ExpiresOn    int64
	NotBefore    int64
	Scope        string // v2: granted scopes, when the grant reports them
	Resource     string // v1: the resource as requested
	RefreshToken string
	IDToken      string
}

// v2Body is the /oauth2/v2.0/token success body.
type v2Body struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// v1Body is the /oauth2/token success body: numbers as strings, as ADAL-era
// Entra sends them.
type v1Body struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    string `json:"expires_in"`
	ExtExpiresIn string `json:"ext_expires_in"`
	ExpiresOn    string `json:"expires_on"`
	NotBefore    string `json:"not_before"`
	Resource     string `json:"resource"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}
