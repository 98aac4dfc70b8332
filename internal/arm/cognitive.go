package arm

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/armid"
	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

const (
	typeAccount    = "Microsoft.CognitiveServices/accounts"
	typeProject    = "Microsoft.CognitiveServices/accounts/projects"
	typeDeployment = "Microsoft.CognitiveServices/accounts/deployments"
	// KindAccountKeys holds an account's two keys (returned by listKeys,
	// checked by the inference gateway).
	KindAccountKeys store.Kind = "accountKeys"
)

func (s *Service) registerCognitive() {
	v := versionsCognitive
	for _, t := range []string{typeAccount, typeProject, typeDeployment} {
		s.handle(opItem, t, "GET", "", route{action: t + "/read", versions: v, fn: s.getTracked})
		s.handle(opItem, t, "DELETE", "", route{action: t + "/delete", versions: v, fn: s.deleteTracked})
	}
	s.handle(opItem, typeAccount, "PUT", "", route{action: typeAccount + "/write", versions: v, fn: s.putAccount})
	s.handle(opItem, typeAccount, "PATCH", "", route{action: typeAccount + "/write", versions: v, fn: s.patchAccount})
	s.handle(opItem, typeProject, "PUT", "", route{action: typeProject + "/write", versions: v, fn: s.putProject})
	s.handle(opItem, typeDeployment, "PUT", "", route{action: typeDeployment + "/write", versions: v, fn: s.putDeployment})
	s.handle(opList, typeAccount, "GET", "", route{versions: v, fn: s.listAccounts})
	s.handle(opList, typeProject, "GET", "", route{action: typeProject + "/read", versions: v, fn: s.listUnderAccount})
	s.handle(opList, typeDeployment, "GET", "", route{action: typeDeployment + "/read", versions: v, fn: s.listUnderAccount})
	s.handle(opAction, typeAccount, "POST", "listKeys", route{action: typeAccount + "/listKeys/action", versions: v, fn: s.listKeys})
	s.handle(opAction, typeAccount, "POST", "regenerateKey", route{action: typeAccount + "/regenerateKey/action", versions: v, fn: s.regenerateKey})
}

// accountInput is the writable part of an account.
type accountInput struct {
	Location   string            `json:"location"`
	Kind       string            `json:"kind"`
	SKU        *SKU              `json:"sku"`
	Tags       map[string]string `json:"tags"`
	Identity   json.RawMessage   `json:"identity"`
	Properties map[string]any    `json:"properties"`
}

var (
	accountKinds  = map[string]bool{"aiservices": true, "openai": true, "cognitiveservices": true, "textanalytics": true, "speechservices": true, "computervision": true, "contentsafety": true, "formrecognizer": true}
	subdomainName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// canonicalKind keeps Azure's spelling of the well-known kinds.
func canonicalKind(k string) string {
	switch fold.String(k) {
	case "aiservices":
		return "AIServices"
	case "openai":
		return "OpenAI"
	case "cognitiveservices":
		return "CognitiveServices"
	}
	return k
}

func (s *Service) putAccount(c *call) (int, any, error) {
	if _, err := s.requireParent(c); err != nil {
		return 0, nil, err
	}
	var in accountInput
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	if err := validateAccount(&in); err != nil {
		return 0, nil, err
	}
	prev, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if err != nil && !store.IsNotFound(err) {
		return 0, nil, err
	}
	r, err := s.buildAccount(c, &in, prev)
	if err != nil {
		return 0, nil, err
	}
	return s.writeAccount(c, r, prev == nil)
}

func validateAccount(in *accountInput) error {
	switch {
	case in.Location == "":
		return errBadRequest("LocationRequired", "The location property is required for this definition.")
	case !accountKinds[fold.String(in.Kind)]:
		return errBadRequest("InvalidApiSetId", "The account type '%s' is either invalid or unavailable in given region.", in.Kind)
	case in.SKU == nil || in.SKU.Name == "":
		return errBadRequest("InvalidSkuId", "The sku is required: for example {\"name\": \"S0\"}.")
	}
	if in.Properties == nil {
		in.Properties = map[string]any{}
	}
	if v, ok := in.Properties["disableLocalAuth"]; ok {
		if _, isBool := v.(bool); !isBool {
			return errBadRequest("InvalidRequestContent", "properties.disableLocalAuth must be a boolean.")
		}
	}
	return nil
}

// buildAccount computes the stored account from the request (and the
// previous version on update).
func (s *Service) buildAccount(c *call, in *accountInput, prev *Resource) (*Resource, error) {
	name := c.op.id.Name
	sub := fold.String(name)
	if v, _ := in.Properties["customSubDomainName"].(string); v != "" {
		sub = fold.String(v)
	}
	if !subdomainName.MatchString(sub) {
		return nil, errBadRequest("InvalidCustomSubDomainName", "The custom subdomain name '%s' is invalid: use 2-64 lower-case letters, digits and hyphens.", sub)
	}
	props := map[string]any{}
	for k, v := range in.Properties {
		props[k] = v
	}
	props["customSubDomainName"] = sub
	delete(props, "endpoint") // computed when shown: see present
	delete(props, "endpoints")
	props["provisioningState"] = "Succeeded"
	sum := sha256.Sum256([]byte(c.key(c.op.id.String())))
	props["internalId"] = hex.EncodeToString(sum[:16])
	if _, ok := props["disableLocalAuth"]; !ok {
		props["disableLocalAuth"] = false
	}
	if _, ok := props["publicNetworkAccess"]; !ok {
		props["publicNetworkAccess"] = "Enabled"
	}
	props["dateCreated"] = time.Now().UTC().Format(time.RFC3339)
	if prev != nil {
		props["dateCreated"] = prev.Properties["dateCreated"]
	}
	r := &Resource{ID: c.op.id.String(), Name: name, Type: typeAccount, Location: normLocation(in.Location),
		Kind: canonicalKind(in.Kind), SKU: in.SKU, Tags: in.Tags, Properties: props, Etag: newEtag(), TenantID: c.p.TenantID}
	identity, owned, err := s.resolveIdentity(c, in.Identity, prev, r.ID)
	if err != nil {
		return nil, err
	}
	r.Identity, r.Owned = identity, owned
	return r, nil
}

// accountEndpoint is the data-plane URL of an account.
func (s *Service) accountEndpoint(base, subdomain string) string {
	if s.Endpoint != nil {
		return s.Endpoint(base, subdomain)
	}
	return base + "/accounts/" + subdomain + "/"
}

// writeAccount stores the account, creating its keys on first write.
func (s *Service) writeAccount(c *call, r *Resource, created bool) (int, any, error) {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	err := s.st.Update(c.ctx, func(tx store.Tx) error {
		prev, err := getResource(c.ctx, tx, c.p.TenantID, r.ID)
		if err == nil {
			r.ID, r.Name, r.SystemData = prev.ID, prev.Name, c.systemData(prev.SystemData)
		} else if store.IsNotFound(err) {
			r.SystemData = c.systemData(nil)
			if err := store.PutDoc(c.ctx, tx, newKeys(r.ID)); err != nil {
				return err
			}
		} else {
			return err
		}
		return putResource(c.ctx, tx, r)
	})
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			return 0, nil, armErr(409, "CustomDomainInUse", "The subdomain name '%s' is not available as it's already used by a resource.", r.Properties["customSubDomainName"])
		}
		return 0, nil, err
	}
	return status, s.present(c, r), nil
}

func (s *Service) patchAccount(c *call) (int, any, error) {
	prev, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(typeAccount, c.op.id.Name, c.op.id.ResourceGroupName)
	}
	if err != nil {
		return 0, nil, err
	}
	var patch accountInput
	if err := c.decodeBody(&patch); err != nil {
		return 0, nil, err
	}
	// No identity in the patch keeps the account's identity as it is.
	in := accountInput{Location: prev.Location, Kind: prev.Kind, SKU: prev.SKU, Tags: prev.Tags, Properties: prev.Properties}
	if patch.SKU != nil {
		in.SKU = patch.SKU
	}
	if patch.Tags != nil {
		in.Tags = patch.Tags
	}
	if patch.Identity != nil {
		in.Identity = patch.Identity
	}
	props := map[string]any{}
	for k, v := range prev.Properties {
		props[k] = v
	}
	for k, v := range patch.Properties {
		props[k] = v
	}
	in.Properties = props
	if err := validateAccount(&in); err != nil {
		return 0, nil, err
	}
	r, err := s.buildAccount(c, &in, prev)
	if err != nil {
		return 0, nil, err
	}
	return s.writeAccount(c, r, false)
}

func newEtag() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return `"` + hex.EncodeToString(b) + `"`
}

// requireParent checks the op's parent (resource group, or account for a
// child resource) exists, and returns it.
func (s *Service) requireParent(c *call) (*Resource, error) {
	parent := c.op.id.Parent
	if parent == nil {
		return nil, nil
	}
	if fold.Equal(parent.ResourceType, armid.ResourceGroupType) {
		if _, err := s.requireSubscription(c, c.op.id); err != nil {
			return nil, err
		}
	}
	p, err := getResource(c.ctx, s.st, c.p.TenantID, parent.String())
	if store.IsNotFound(err) {
		if fold.Equal(parent.ResourceType, armid.ResourceGroupType) {
			return nil, errResourceGroupNotFound(parent.Name)
		}
		return nil, armErr(404, "ParentResourceNotFound", "Can not perform requested operation on nested resource. Parent resource '%s' not found.", parent.Name)
	}
	return p, err
}

func (s *Service) getTracked(c *call) (int, any, error) {
	return s.getPlain(c)
}

func (s *Service) deleteTracked(c *call) (int, any, error) {
	r, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if store.IsNotFound(err) {
		return http.StatusNoContent, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	if err := s.deleteIdentities(c, r); err != nil {
		return 0, nil, err
	}
	err = s.st.Update(c.ctx, func(tx store.Tx) error { return deleteTree(c.ctx, tx, c.p.TenantID, r.ID) })
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, nil, nil
}

// listAccounts lists the readable accounts of a resource group or of a
// subscription.
func (s *Service) listAccounts(c *call) (int, any, error) {
	if c.op.id == nil || c.op.id.SubscriptionID == "" {
		return 0, nil, errBadRequest("InvalidResourceId", "Accounts are listed in a subscription or a resource group.")
	}
	if _, err := s.requireSubscription(c, c.op.id); err != nil {
		return 0, nil, err
	}
	return s.listInSubscriptionOrGroup(c, typeAccount)
}

// listInSubscriptionOrGroup lists the readable resources of type typ in
// the op's resource group or subscription.
func (s *Service) listInSubscriptionOrGroup(c *call, typ string) (int, any, error) {
	if fold.Equal(c.op.id.ResourceType, armid.ResourceGroupType) {
		return s.listChildren(c, c.op.id, typ)
	}
	all, err := children(c.ctx, s.st, c.p.TenantID, nil, typ)
	if err != nil {
		return 0, nil, err
	}
	prefix := c.key(c.op.id.String()) + "/"
	var in []*Resource
	for _, r := range all {
		if strings.HasPrefix(c.key(r.ID), prefix) {
			in = append(in, r)
		}
	}
	rs, err := s.readable(c, in, readAction)
	if err != nil {
		return 0, nil, err
	}
	return 200, list{Value: s.presentAll(c, rs)}, nil
}

func (s *Service) listUnderAccount(c *call) (int, any, error) {
	if _, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String()); store.IsNotFound(err) {
		return 0, nil, errNotFoundResource(typeAccount, c.op.id.Name, c.op.id.ResourceGroupName)
	} else if err != nil {
		return 0, nil, err
	}
	rs, err := children(c.ctx, s.st, c.p.TenantID, c.op.id, c.op.typ)
	if err != nil {
		return 0, nil, err
	}
	return 200, list{Value: s.presentAll(c, rs)}, nil
}
