package arm

import (
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The Cognitive Services catalogs: SKUs ("az cognitiveservices account
// list-kinds|list-skus"), the models a region offers (GET
// …/locations/{l}/models, "az cognitiveservices model list" in newer
// CLIs), the models an account can deploy (…/accounts/{a}/models,
// "account list-models") and soft-deleted accounts ("account
// list-deleted"). The catalogs are the same for every subscription, so
// any principal of the tenant may read them, as Azure allows.

const (
	typeSkus            = "Microsoft.CognitiveServices/skus"
	typeModels          = "Microsoft.CognitiveServices/locations/models"
	typeAccountModels   = "Microsoft.CognitiveServices/accounts/models"
	typeDeletedAccounts = "Microsoft.CognitiveServices/deletedAccounts"
	typeDeletedAccount  = "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts"
)

// resourceSkuView is a ResourceSku of the Cognitive Services REST spec.
type resourceSkuView struct {
	ResourceType string   `json:"resourceType"`
	Name         string   `json:"name"`
	Tier         string   `json:"tier"`
	Kind         string   `json:"kind"`
	Locations    []string `json:"locations"`
	Restrictions []any    `json:"restrictions"`
}

// listSkus lists S0 of every account kind gatehouse creates, in every
// region (validateAccount accepts any SKU name; S0 is what Azure offers
// for each of these kinds).
func (s *Service) listSkus(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	kinds := make([]string, 0, len(accountKinds))
	for k := range accountKinds {
		kinds = append(kinds, canonicalKind(k))
	}
	sort.Strings(kinds)
	locs := make([]string, 0, len(regions))
	for _, r := range regions {
		locs = append(locs, r.Name)
	}
	out := make([]resourceSkuView, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, resourceSkuView{ResourceType: "accounts", Name: "S0", Tier: "Standard", Kind: k, Locations: locs, Restrictions: []any{}})
	}
	return 200, list{Value: out}, nil
}

// catalogModel is one model version gatehouse offers to deploy.
type catalogModel struct {
	name, version, capability string
	isDefault                 bool
}

var catalogModels = []catalogModel{
	{"gpt-4o", "2024-11-20", "chatCompletion", true},
	{"gpt-4o-mini", "2024-07-18", "chatCompletion", true},
	{"gpt-4.1", "2025-04-14", "chatCompletion", true},
	{"gpt-4.1-mini", "2025-04-14", "chatCompletion", true},
	{"o4-mini", "2025-04-16", "chatCompletion", true},
	{"text-embedding-3-small", "1", "embeddings", true},
	{"text-embedding-3-large", "1", "embeddings", true},
	{"text-embedding-ada-002", "2", "embeddings", true},
}

// modelSkuView is a ModelSku; usageName matches the quota entries of
// …/locations/{l}/usages (usages.go).
type modelSkuView struct {
	Name      string            `json:"name"`
	UsageName string            `json:"usageName"`
	Capacity  modelCapacityView `json:"capacity"`
}

type modelCapacityView struct {
	Minimum int `json:"minimum"`
	Maximum int `json:"maximum"`
	Step    int `json:"step"`
	Default int `json:"default"`
}

// accountModelView is an AccountModel of the Cognitive Services REST spec.
type accountModelView struct {
	Format           string            `json:"format"`
	Name             string            `json:"name"`
	Version          string            `json:"version"`
	IsDefaultVersion bool              `json:"isDefaultVersion"`
	Skus             []modelSkuView    `json:"skus"`
	MaxCapacity      int               `json:"maxCapacity"`
	Capabilities     map[string]string `json:"capabilities"`
	LifecycleStatus  string            `json:"lifecycleStatus"`
}

// modelView is a Model: a model, and the account kind and SKU offering it.
type modelView struct {
	Kind    string           `json:"kind"`
	SkuName string           `json:"skuName"`
	Model   accountModelView `json:"model"`
}

func (m catalogModel) view() accountModelView {
	var skus []modelSkuView
	for _, sku := range []string{"GlobalStandard", "Standard"} {
		skus = append(skus, modelSkuView{Name: sku, UsageName: "OpenAI." + sku + "." + m.name,
			Capacity: modelCapacityView{Minimum: 1, Maximum: quotaLimit, Step: 1, Default: 10}})
	}
	return accountModelView{Format: "OpenAI", Name: m.name, Version: m.version, IsDefaultVersion: m.isDefault, Skus: skus,
		MaxCapacity: quotaLimit, Capabilities: map[string]string{m.capability: "true"}, LifecycleStatus: "GenerallyAvailable"}
}

// listModels serves GET …/providers/Microsoft.CognitiveServices/locations/{l}/models.
func (s *Service) listModels(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	if !knownRegion(c.op.id.Location) {
		names := make([]string, 0, len(regions))
		for _, r := range regions {
			names = append(names, r.Name)
		}
		return 0, nil, errBadRequest("LocationNotAvailableForResourceType",
			"The provided location '%s' is not available for resource type '%s'. List of available regions for the resource type is '%s'.",
			c.op.id.Location, typeModels, strings.Join(names, ","))
	}
	out := []modelView{}
	for _, kind := range []string{"OpenAI", "AIServices"} {
		for _, m := range catalogModels {
			out = append(out, modelView{Kind: kind, SkuName: "S0", Model: m.view()})
		}
	}
	return 200, list{Value: out}, nil
}

// listAccountModels serves GET …/accounts/{a}/models: what the account
// can deploy (the pipeline has authorized accounts/read on it).
func (s *Service) listAccountModels(c *call) (int, any, error) {
	acct, err := getResource(c.ctx, s.st, c.p.TenantID, c.op.id.String())
	if err != nil {
		if store.IsNotFound(err) {
			return 0, nil, errNotFoundResource(typeAccount, c.op.id.Name, c.op.id.ResourceGroupName)
		}
		return 0, nil, err
	}
	out := []accountModelView{}
	if fold.Equal(acct.Kind, "OpenAI") || fold.Equal(acct.Kind, "AIServices") {
		for _, m := range catalogModels {
			out = append(out, m.view())
		}
	}
	return 200, list{Value: out}, nil
}

// listDeletedAccounts: gatehouse deletes an account at once (deleteTree),
// so nothing is ever soft-deleted and the list is empty, which is what
// Azure answers for a subscription without soft-deleted accounts.
func (s *Service) listDeletedAccounts(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	return 200, list{Value: []any{}}, nil
}

// getDeletedAccount: no account is ever soft-deleted (see above).
func (s *Service) getDeletedAccount(c *call) (int, any, error) {
	if err := s.requireOpSubscription(c); err != nil {
		return 0, nil, err
	}
	return 0, nil, errNotFoundResource(typeDeletedAccount, c.op.id.Name, c.op.id.ResourceGroupName)
}
