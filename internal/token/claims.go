// Package token issues and verifies gatehouse's access tokens: RS256 JWTs in
// Entra's v1 and v2 shapes, signed by rotating keys kept in the store.
package token

// Claims are the claims of an access token. One struct serves both
// versions; fields that do not belong to a version are left empty.
type Claims struct {
	Aud      string   `json:"aud"`
	Iss      string   `json:"iss"`
	Iat      int64    `json:"iat"`
	Nbf      int64    `json:"nbf"`
	Exp      int64    `json:"exp"`
	Aio      string   `json:"aio,omitempty"`
	AppID    string   `json:"appid,omitempty"`    // v1
	AppIDAcr string   `json:"appidacr,omitempty"` // v1: 0 public, 1 secret, 2 certificate
	Azp      string   `json:"azp,omitempty"`      // v2
	AzpAcr   string   `json:"azpacr,omitempty"`   // v2
	Idp      string   `json:"idp,omitempty"`
	IdTyp    string   `json:"idtyp,omitempty"`
	Name     string   `json:"name,omitempty"`
	Oid      string   `json:"oid"`
	Rh       string   `json:"rh,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	Scp      string   `json:"scp,omitempty"`
	Sub      string   `json:"sub"`
	Tid      string   `json:"tid"`
	UPN      string   `json:"upn,omitempty"`                // v1 user tokens
	Unique   string   `json:"unique_name,omitempty"`        // v1 user tokens
	PrefUser string   `json:"preferred_username,omitempty"` // v2 user tokens
	Uti      string   `json:"uti"`
	Ver      string   `json:"ver"`
	XmsCC    []string `json:"xms_cc,omitempty"`
}

// ClientID is the application that obtained the token, in either version.
func (c *Claims) ClientID() string {
	if c.AppID != "" {
		return c.AppID
	}
	return c.Azp
}

// IsApp reports whether the token is app-only (no user).
func (c *Claims) IsApp() bool { return c.IdTyp == "app" }

// V1Issuer is the issuer of v1 tokens for tenant tid.
func V1Issuer(tid string) string { return "https://sts.windows.net/" + tid + "/" }

// V2Issuer is the issuer of v2 tokens for tenant tid, served from base
// (scheme://host[:port], no trailing slash).
func V2Issuer(base, tid string) string { return base + "/" + tid + "/v2.0" }
