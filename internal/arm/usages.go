package arm

import (
	"sort"
	"strings"

	"github.com/gatehouse/gatehouse/internal/fold"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/telemetry"
)

const typeUsages = "Microsoft.CognitiveServices/locations/usages"

// quotaLimit is the default TPM quota (in thousands) per model and SKU in
// a subscription and region, as new Azure subscriptions get it.
const quotaLimit = 1000

type usageName struct {
	Value          string `json:"value"`
	LocalizedValue string `json:"localizedValue"`
}

type usageView struct {
	Name         usageName `json:"name"`
	CurrentValue int64     `json:"currentValue"`
	Limit        int64     `json:"limit"`
	Unit         string    `json:"unit"`
}

func (s *Service) registerUsages() {
	s.handle(opItem, typeUsages, "GET", "", route{versions: versionsCognitive, fn: s.usages})
}

// usages serves …/locations/{l}/usages: Azure's quota entries (capacity
// allocated per model and SKU in the region), then gatehouse's recorded
// use per deployment (requests and tokens). It needs
// Microsoft.CognitiveServices/locations/usages/read at the subscription,
// which Cognitive Services Usages Reader grants.
func (s *Service) usages(c *call) (int, any, error) {
	sub := "/subscriptions/" + c.op.id.SubscriptionID
	if _, err := s.requireSubscription(c, c.op.id); err != nil {
		return 0, nil, err
	}
	if err := s.authorize(c, "Microsoft.CognitiveServices/locations/usages/read", sub, nil); err != nil {
		return 0, nil, err
	}
	deps, err := s.deploymentsIn(c, sub, c.op.id.Location)
	if err != nil {
		return 0, nil, err
	}
	out := quotaEntries(deps)
	recorded, err := s.recordedUsage(c, deps)
	if err != nil {
		return 0, nil, err
	}
	return 200, list{Value: append(out, recorded...)}, nil
}

// deploymentsIn lists the deployments of accounts in a subscription and
// region.
func (s *Service) deploymentsIn(c *call, sub, location string) ([]*Resource, error) {
	accts, err := children(c.ctx, s.st, c.p.TenantID, nil, typeAccount)
	if err != nil {
		return nil, err
	}
	var out []*Resource
	for _, a := range accts {
		if !strings.HasPrefix(c.key(a.ID), c.key(sub)+"/") || !fold.Equal(a.Location, normLocation(location)) {
			continue
		}
		ds, err := Deployments(c.ctx, s.st, a)
		if err != nil {
			return nil, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

func quotaEntries(deps []*Resource) []usageView {
	sums := map[string]int64{}
	for _, d := range deps {
		m, _ := d.Properties["model"].(map[string]any)
		name, _ := m["name"].(string)
		sku := "Standard"
		var capacity int64 = 1
		if d.SKU != nil {
			sku = d.SKU.Name
			if d.SKU.Capacity != nil {
				capacity = int64(*d.SKU.Capacity)
			}
		}
		sums["OpenAI."+sku+"."+name] += capacity
	}
	keys := make([]string, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []usageView{}
	for _, k := range keys {
		parts := strings.SplitN(k, ".", 3)
		out = append(out, usageView{Name: usageName{Value: k, LocalizedValue: "Tokens Per Minute (thousands) - " + parts[2] + " - " + parts[1]},
			CurrentValue: sums[k], Limit: quotaLimit, Unit: "Count"})
	}
	return out
}

// recordedUsage reports the gateway's totals per deployment.
func (s *Service) recordedUsage(c *call, deps []*Resource) ([]usageView, error) {
	if s.Telemetry == nil {
		return nil, nil
	}
	var out []usageView
	for _, d := range deps {
		recs, err := store.ListDocs[telemetry.UsageRecord](c.ctx, s.Telemetry, store.Query{Kind: telemetry.KindUsage, Ref: "deployment:" + fold.String(d.ID)})
		if err != nil {
			return nil, err
		}
		var req, tok int64
		for _, r := range recs {
			req += r.Requests
			tok += r.PromptTokens + r.CompletionTokens
		}
		acct := d.ID[strings.Index(fold.String(d.ID), "/accounts/")+len("/accounts/") : strings.Index(fold.String(d.ID), "/deployments/")]
		name := acct + "/" + d.Name
		out = append(out,
			usageView{Name: usageName{Value: "Gatehouse.Requests." + name, LocalizedValue: "Requests served - " + name}, CurrentValue: req, Unit: "Count"},
			usageView{Name: usageName{Value: "Gatehouse.Tokens." + name, LocalizedValue: "Tokens processed - " + name}, CurrentValue: tok, Unit: "Count"})
	}
	return out, nil
}
