package token

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Unverified is what a token says about itself, read without checking
// anything. It explains a refusal (whose token, for which audience); it
// must never decide anything.
type Unverified struct {
	KeyID    string
	Aud      string
	Iss      string
	Tid      string
	Oid      string
	ClientID string
	Exp, Nbf int64
}

// Peek reads the header and claims of a compact JWT without verifying it.
// ok is false when raw is not shaped like one.
func Peek(raw string) (u Unverified, ok bool) {
	if len(raw) > 16<<10 {
		return u, false
	}
	h, rest, ok1 := strings.Cut(raw, ".")
	p, _, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return u, false
	}
	var hdr struct {
		Kid string `json:"kid"`
	}
	var c Claims
	if decode(h, &hdr) != nil || decode(p, &c) != nil {
		return u, false
	}
	return Unverified{KeyID: hdr.Kid, Aud: c.Aud, Iss: c.Iss, Tid: c.Tid, Oid: c.Oid, ClientID: c.ClientID(), Exp: c.Exp, Nbf: c.Nbf}, true
}

func decode(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
