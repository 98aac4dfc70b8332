package arm

import (
	"encoding/json"

	"regexp"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/upstream"

	"github.com/gatehouse/gatehouse/internal/store"
)

var childName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// putProject creates or updates a Foundry project under an AIServices
// account that allows project management.
func (s *Service) putProject(c *call) (int, any, error) {
	acct, err := s.requireParent(c)
	if err != nil {
		return 0, nil, err
	}
	if !fold.Equal(acct.Kind, "AIServices") || acct.Properties["allowProjectManagement"] != true {
		return 0, nil, errBadRequest("ProjectManagementNotAllowed", "Projects can only be created in an account of kind 'AIServices' with properties.allowProjectManagement set to true; account '%s' is of kind '%s'.", acct.Name, acct.Kind)
	}
	if !childName.MatchString(c.op.id.Name) {
		return 0, nil, errBadRequest("InvalidResourceName", "The project name '%s' is invalid.", c.op.id.Name)
	}
	var in struct {
		Location   string            `json:"location"`
		Tags       map[string]string `json:"tags"`
		Identity   json.RawMessage   `json:"identity"`
		Properties map[string]any    `json:"properties"`
	}
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	prev, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if err != nil && !store.IsNotFound(err) {
		return 0, nil, err
	}
	props := map[string]any{}
	for k, v := range in.Properties {
		props[k] = v
	}
	delete(props, "endpoints") // computed when shown: see present
	props["provisioningState"] = "Succeeded"
	props["isDefault"] = false
	loc := in.Location
	if loc == "" {
		loc = acct.Location
	}
	r := &Resource{ID: c.op.id.String(), Name: acct.Name + "/" + c.op.id.Name, Type: typeProject, Location: normLocation(loc),
		Tags: in.Tags, Properties: props, Etag: newEtag(), TenantID: acct.TenantID}
	if r.Identity, r.Owned, err = s.resolveIdentity(c, in.Identity, prev, r.ID); err != nil {
		return 0, nil, err
	}
	status, body, err := s.upsert(c, r)
	if err != nil {
		return 0, nil, err
	}
	return status, s.present(c, body.(*Resource)), nil
}

// deploymentInput is the writable part of a deployment.
type deploymentInput struct {
	SKU        *SKU           `json:"sku"`
	Properties map[string]any `json:"properties"`
}

var deploymentSKUs = map[string]bool{"standard": true, "globalstandard": true, "datazonestandard": true,
	"provisionedmanaged": true, "globalprovisionedmanaged": true, "datazoneprovisionedmanaged": true,
	"globalbatch": true, "datazonebatch": true, "developertier": true}

// putDeployment creates or updates a model deployment.
func (s *Service) putDeployment(c *call) (int, any, error) {
	acct, err := s.requireParent(c)
	if err != nil {
		return 0, nil, err
	}
	if !childName.MatchString(c.op.id.Name) {
		return 0, nil, errBadRequest("InvalidResourceName", "The deployment name '%s' is invalid.", c.op.id.Name)
	}
	var in deploymentInput
	if err := c.decodeBody(&in); err != nil {
		return 0, nil, err
	}
	if err := validateDeployment(&in); err != nil {
		return 0, nil, err
	}
	props := in.Properties
	if raw, ok := props["upstream"]; ok {
		cfg, err := upstream.Parse(raw)
		if err != nil {
			return 0, nil, errBadRequest("InvalidResourceProperties", "properties.upstream: %v", err)
		}
		props["upstream"] = cfg
	}
	props["provisioningState"] = "Succeeded"
	props["capabilities"] = map[string]string{"chatCompletion": "true", "completion": "true", "embeddings": "true"}
	cap := *in.SKU.Capacity
	props["rateLimits"] = []map[string]any{
		{"key": "request", "renewalPeriod": 60, "count": cap * 6},
		{"key": "token", "renewalPeriod": 60, "count": cap * 1000}}
	r := &Resource{ID: c.op.id.String(), Name: c.op.id.Name, Type: typeDeployment, SKU: in.SKU,
		Properties: props, Etag: newEtag(), TenantID: acct.TenantID}
	return s.upsert(c, r)
}

// legacyScaleCapacity reads properties.scaleSettings.capacity, the form of
// api-version 2022-12-01 and older (Azure CLI 2.45 sends
// {"scaleSettings":{"scaleType":"Standard","capacity":10}} and no sku);
// Azure carries it over to sku.capacity. Nil when absent.
func legacyScaleCapacity(props map[string]any) *int {
	ss, _ := props["scaleSettings"].(map[string]any)
	f, ok := ss["capacity"].(float64)
	if !ok || f != float64(int(f)) {
		return nil
	}
	n := int(f)
	return &n
}

func validateDeployment(in *deploymentInput) error {
	if in.Properties == nil {
		return errBadRequest("InvalidRequestContent", "properties.model is required.")
	}
	model, _ := in.Properties["model"].(map[string]any)
	if model == nil || model["name"] == nil || model["name"] == "" {
		return errBadRequest("InvalidResourceProperties", "properties.model.name is required.")
	}
	if model["format"] == nil || model["format"] == "" {
		model["format"] = "OpenAI"
	}
	if in.SKU == nil || in.SKU.Name == "" {
		in.SKU = &SKU{Name: "Standard", Capacity: legacyScaleCapacity(in.Properties)}
	}
	if !deploymentSKUs[fold.String(in.SKU.Name)] {
		return errBadRequest("InvalidSkuName", "The sku name '%s' is not supported for deployments.", in.SKU.Name)
	}
	if in.SKU.Capacity == nil {
		one := 1
		in.SKU.Capacity = &one
	}
	if *in.SKU.Capacity < 1 || *in.SKU.Capacity > 100000 {
		return errBadRequest("InvalidCapacity", "sku.capacity must be between 1 and 100000 (units of 1,000 tokens per minute).")
	}
	return nil
}
