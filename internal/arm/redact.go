package arm

import (
	"encoding/json"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/upstream"
)

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
