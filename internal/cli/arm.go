package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

const (
	armScope        = "https://management.azure.com/.default"
	apiAuthz        = "2022-04-01"
	apiResources    = "2021-04-01"
	apiSubscription = "2022-12-01"
	apiCognitive    = "2025-06-01"
	apiGatehouse    = "2025-01-01"
)

// arm calls the ARM API at path with api-version v.
func (cl *client) arm(ctx context.Context, method, path, v string, body, out any) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return cl.call(ctx, armScope, method, path+sep+"api-version="+v, body, out)
}

// subscription returns --subscription, or the first subscription the
// caller can see (the default subscription gatehouse creates).
func (cl *client) subscription(ctx context.Context, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	var l objList
	if err := cl.arm(ctx, "GET", "/subscriptions", apiSubscription, nil, &l); err != nil {
		return "", err
	}
	if len(l.Value) == 0 {
		return "", fmt.Errorf("no subscriptions found for this identity; pass --subscription")
	}
	return str(l.Value[0], "subscriptionId"), nil
}

func rgPath(sub, rg string) string {
	return "/subscriptions/" + url.PathEscape(sub) + "/resourceGroups/" + url.PathEscape(rg)
}

func accountPath(sub, rg, name string) string {
	return rgPath(sub, rg) + "/providers/Microsoft.CognitiveServices/accounts/" + url.PathEscape(name)
}

func quoteOData(s string) string { return strings.ReplaceAll(s, "'", "''") }

// defaultScope is scope, or the subscription (--subscription or the first
// one) when no scope is given, as az does.
func (cl *client) defaultScope(ctx context.Context, scope, sub string) (string, error) {
	if scope != "" {
		return scope, nil
	}
	s, err := cl.subscription(ctx, sub)
	if err != nil {
		return "", err
	}
	return "/subscriptions/" + s, nil
}
