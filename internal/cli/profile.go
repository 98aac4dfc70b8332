package cli

// profile is a subscription as `az account show` and `az account list`
// print it: the CLI's profile entry, not ARM's subscription object.
func profile(sub obj, c *conn, isDefault bool) obj {
	tid := str(sub, "tenantId")
	if tid == "" {
		tid = c.Tenant
	}
	return obj{
		"environmentName":  "gatehouse",
		"homeTenantId":     tid,
		"id":               str(sub, "subscriptionId"),
		"isDefault":        isDefault,
		"managedByTenants": []obj{},
		"name":             str(sub, "displayName"),
		"state":            str(sub, "state"),
		"tenantId":         tid,
		"user":             obj{"name": c.ClientID, "type": "servicePrincipal"},
	}
}
