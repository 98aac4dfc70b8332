package arm

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/upstream"
)

// mask replaces a secret in an answer (the form GET of a deployment's
// upstream has always shown).
const mask = "***"

// minScrubbed is the shortest secret value scrubbed from answers wherever
// it appears: shorter ones would mangle unrelated text (the field that
// carried one is masked by its name all the same).
const minScrubbed = 6

// redactOutput is the one point every ARM handler's answer passes through
// (see run): Azure never returns a secret from a write or a read, except
// the account keys of listKeys and regenerateKey, which exist to return
// them. It masks, anywhere in the answer, the values of fields named as
// secrets, the secrets of an upstream given as a string, and passwords in
// URLs; and it scrubs every secret the request carried from the answer
// and from error messages (an echo in an error is a leak too).
func redactOutput(c *call, body any, err error) (any, error) {
	secrets := requestSecrets(c.body)
	if err != nil {
		if ae := asARMError(err); ae != nil && len(secrets) > 0 {
			cp := *ae
			cp.Message = scrub(cp.Message, secrets)
			return body, &cp
		}
		return body, err
	}
	if body == nil {
		return nil, nil
	}
	raw, merr := json.Marshal(body)
	if merr != nil {
		return body, nil // writeJSON fails the same way; nothing is sent
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers re-encode exactly
	var tree any
	if dec.Decode(&tree) != nil {
		return body, nil
	}
	r := redactor{secrets: secrets, keysAllowed: returnsKeys(c.op)}
	tree = r.walk(tree, "")
	if !r.changed {
		return body, nil // the common case: sent as the handler built it
	}
	out, merr := json.Marshal(tree)
	if merr != nil {
		return body, merr
	}
	return json.RawMessage(out), nil
}

// returnsKeys: the actions whose answer is an account's keys.
func returnsKeys(o *op) bool {
	return o != nil && o.kind == opAction && (fold.Equal(o.action, "listKeys") || fold.Equal(o.action, "regenerateKey"))
}

// secretField says whether a field of this name holds a secret.
func secretField(name string, keysAllowed bool) bool {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
	switch n {
	case "key1", "key2":
		return !keysAllowed
	case "apikey", "secret", "clientsecret", "password", "primarykey", "secondarykey", "accesskey", "sharedkey",
		"subscriptionkey", "privatekey", "connectionstring", "accesstoken", "refreshtoken", "sastoken":
		return true
	}
	return strings.HasSuffix(n, "secret") || strings.HasSuffix(n, "password") || strings.HasSuffix(n, "apikey")
}

type redactor struct {
	secrets     []string
	keysAllowed bool
	changed     bool
}

func (r *redactor) walk(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = r.walk(e, k)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = r.walk(e, key)
		}
		return x
	case string:
		if secretField(key, r.keysAllowed) && x != "" && x != mask {
			r.changed = true
			return mask
		}
		if strings.EqualFold(key, "upstream") {
			return r.upstreamString(x)
		}
		out := scrub(redactURL(x), r.secrets)
		if out != x {
			r.changed = true
		}
		return out
	case nil:
		return nil
	}
	if secretField(key, r.keysAllowed) { // a number or boolean under a secret's name
		r.changed = true
		return mask
	}
	return v
}

// upstreamString shows an upstream given in its string shorthand as its
// redacted config.
func (r *redactor) upstreamString(s string) any {
	cfg, _ := upstream.Parse(s)
	if cfg == nil {
		r.changed = true
		return mask
	}
	red := cfg.Redacted()
	red.URL = redactURL(red.URL)
	if red != *cfg {
		r.changed = true
		return red
	}
	return s
}

// redactURL hides the password of a URL with credentials.
func redactURL(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); !ok {
		return s
	}
	return u.Redacted()
}

func urlPassword(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		p, _ := u.User.Password()
		return p
	}
	return ""
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, mask)
	}
	return s
}

// requestSecrets collects the secret values a request body carries: the
// values of fields named as secrets, an upstream shorthand's keys, and
// passwords in URLs.
func requestSecrets(body []byte) []string {
	if len(body) == 0 {
		return nil
	}
	var tree any
	if json.Unmarshal(body, &tree) != nil {
		return nil
	}
	var out []string
	add := func(s string) {
		if len(s) >= minScrubbed {
			out = append(out, s)
		}
	}
	var walk func(v any, key string, under bool)
	walk = func(v any, key string, under bool) {
		under = under || secretField(key, false)
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, k, under)
			}
		case []any:
			for _, e := range x {
				walk(e, key, under)
			}
		case string:
			if under {
				add(x)
			}
			add(urlPassword(x))
			if strings.EqualFold(key, "upstream") { // "type=url,key=value,…"
				for _, kv := range strings.Split(x, ",") {
					k, v, _ := strings.Cut(kv, "=")
					k, v = strings.TrimSpace(k), strings.TrimSpace(v)
					if secretField(k, false) {
						add(v)
					}
					add(urlPassword(v))
				}
			}
		}
	}
	walk(tree, "", false)
	return out
}

// present returns r as a client sees it: an account's and a project's
// endpoints reach it through the host the client used, and a deployment's
// upstream secrets are masked (Azure never returns secrets from GET).
func (s *Service) present(c *call, r *Resource) *Resource {
	switch {
	case fold.Equal(r.Type, typeAccount):
		return s.withEndpoints(c, r)
	case fold.Equal(r.Type, typeProject):
		return s.withProjectEndpoint(c, r)
	}
	return redacted(r)
}

func (s *Service) presentAll(c *call, rs []*Resource) []*Resource {
	out := make([]*Resource, len(rs))
	for i, r := range rs {
		out[i] = s.present(c, r)
	}
	return out
}

func copyProps(r *Resource) *Resource {
	out := *r
	out.Properties = make(map[string]any, len(r.Properties))
	for k, v := range r.Properties {
		out.Properties[k] = v
	}
	return &out
}

func (s *Service) withEndpoints(c *call, r *Resource) *Resource {
	out := copyProps(r)
	endpoint := s.accountEndpoint(c.base, r.Prop("customSubDomainName"))
	out.Properties["endpoint"] = endpoint
	out.Properties["endpoints"] = map[string]string{"OpenAI Language Model Instance API": endpoint,
		"AI Foundry API": endpoint, "Azure AI Model Inference API": endpoint + "models",
		"Azure OpenAI Legacy API - Latest moniker": endpoint}
	return out
}

func (s *Service) withProjectEndpoint(c *call, r *Resource) *Resource {
	id := fold.String(r.ID)
	acctID := r.ID[:strings.Index(id, "/projects/")]
	acct, err := getResource(c.ctx, s.st, c.p.TenantID, acctID)
	if err != nil {
		return r
	}
	out := copyProps(r)
	proj := r.ID[strings.LastIndexByte(r.ID, '/')+1:]
	out.Properties["endpoints"] = map[string]string{"AI Foundry API": strings.TrimRight(s.accountEndpoint(c.base, acct.Prop("customSubDomainName")), "/") + "/api/projects/" + proj}
	return out
}

// redacted masks a deployment's upstream secrets.
func redacted(r *Resource) *Resource {
	if !fold.Equal(r.Type, typeDeployment) {
		return r
	}
	raw, ok := r.Properties["upstream"]
	if !ok {
		return r
	}
	b, _ := json.Marshal(raw)
	var cfg upstream.Config
	if json.Unmarshal(b, &cfg) != nil {
		return r
	}
	out := copyProps(r)
	out.Properties["upstream"] = cfg.Redacted()
	return out
}
