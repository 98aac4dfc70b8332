package interop

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v3"
)

// The ARM management API through the real resource-manager SDKs
// (armresources, armauthorization), configured as a sovereign cloud whose
// ResourceManager endpoint is gatehouse and whose audience stays
// https://management.azure.com.

const (
	azureAIUserID       = "53ca6127-db72-4b80-b1b0-d745d6d5456d" // "Azure AI User", alias "Foundry User"
	cognitiveOpenAIUser = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd" // "Cognitive Services OpenAI User"
	readerRoleID        = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	cognitiveAPIVersion = "2025-06-01" // for the generic armresources client
)

// armClientOptions points an ARM client (and the credential's token
// requests, through the same cloud) at gatehouse.
func armClientOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: azcore.ClientOptions{
		Cloud: cloud.Configuration{
			ActiveDirectoryAuthorityHost: fx.URL + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Endpoint: fx.URL, Audience: "https://management.azure.com"},
			},
		},
		Transport: fx.http,
	}}
}

// armCredential is a ClientSecretCredential for clientID against gatehouse.
func armCredential(t *testing.T, clientID, secret string) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(fx.Tenant, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(fx.http), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatalf("NewClientSecretCredential: %v", err)
	}
	return cred
}

func adminCredential(t *testing.T) azcore.TokenCredential {
	return armCredential(t, fx.Admin.ClientID, fx.Admin.ClientSecret)
}

var (
	subOnce sync.Once
	subID   string
	subErr  error
)

// subscriptionID is the default subscription, as the administrator sees it
// in GET /subscriptions (with a token from azidentity).
func subscriptionID(t *testing.T) string {
	t.Helper()
	subOnce.Do(func() {
		cred, err := azidentity.NewClientSecretCredential(fx.Tenant, fx.Admin.ClientID, fx.Admin.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(fx.http), DisableInstanceDiscovery: true})
		if err != nil {
			subErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
		if err != nil {
			subErr = err
			return
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", fx.URL+"/subscriptions?api-version=2022-12-01", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		var subs struct {
			Value []struct {
				SubscriptionID string `json:"subscriptionId"`
				DisplayName    string `json:"displayName"`
			} `json:"value"`
		}
		if subErr = fx.do(req, &subs); subErr != nil {
			return
		}
		if len(subs.Value) == 0 {
			subErr = errors.New("GET /subscriptions: the administrator sees no subscription")
			return
		}
		subID = subs.Value[0].SubscriptionID
	})
	if subErr != nil {
		t.Fatalf("subscription id: %v", subErr)
	}
	return subID
}

func armCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wantResponseError checks err is an *azcore.ResponseError with status and code.
func wantResponseError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T) is not an *azcore.ResponseError (want %d %s)", err, err, status, code)
	}
	if re.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("ResponseError %d %q, want %d %q:\n%v", re.StatusCode, re.ErrorCode, status, code, err)
	}
}

func uniqueName(prefix string) string { return prefix + "-" + newGUID()[:8] }

func TestARMResourceGroups(t *testing.T) {
	ctx := armCtx(t)
	sub := subscriptionID(t)
	rgs, err := armresources.NewResourceGroupsClient(sub, adminCredential(t), armClientOptions())
	if err != nil {
		t.Fatal(err)
	}
	name := uniqueName("interop-rg")

	exists, err := rgs.CheckExistence(ctx, name, nil)
	if err != nil {
		t.Fatalf("CheckExistence before create: %v", err)
	}
	if exists.Success {
		t.Fatalf("CheckExistence(%s) = true before it was created", name)
	}

	created, err := rgs.CreateOrUpdate(ctx, name, armresources.ResourceGroup{
		Location: to.Ptr("East US"), Tags: map[string]*string{"suite": to.Ptr("interop")}}, nil)
	if err != nil {
		t.Fatalf("CreateOrUpdate: %v", err)
	}
	wantID := "/subscriptions/" + sub + "/resourceGroups/" + name
	if got := str(created.ID); got != wantID {
		t.Errorf("created id %q, want %q", got, wantID)
	}
	if str(created.Name) != name || str(created.Type) != "Microsoft.Resources/resourceGroups" {
		t.Errorf("created name %q type %q", str(created.Name), str(created.Type))
	}
	if str(created.Location) != "eastus" {
		t.Errorf("location %q, want eastus (normalised)", str(created.Location))
	}
	if created.Properties == nil || str(created.Properties.ProvisioningState) != "Succeeded" {
		t.Errorf("provisioningState %+v, want Succeeded", created.Properties)
	}
	// Again: an update (200), same resource.
	again, err := rgs.CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr("eastus"),
		Tags: map[string]*string{"suite": to.Ptr("interop"), "round": to.Ptr("2")}}, nil)
	if err != nil {
		t.Fatalf("CreateOrUpdate (update): %v", err)
	}
	if str(again.ID) != wantID || str(again.Tags["round"]) != "2" {
		t.Errorf("update returned id %q tags %v", str(again.ID), again.Tags)
	}

	got, err := rgs.Get(ctx, name, nil)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if str(got.ID) != wantID || str(got.Tags["suite"]) != "interop" {
		t.Errorf("Get: id %q tags %v", str(got.ID), got.Tags)
	}

	exists, err = rgs.CheckExistence(ctx, name, nil)
	if err != nil || !exists.Success {
		t.Fatalf("CheckExistence after create: %v, %v", exists.Success, err)
	}

	found := false
	pager := rgs.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		for _, rg := range page.Value {
			if str(rg.Name) == name {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("List does not contain %s", name)
	}

	poller, err := rgs.BeginDelete(ctx, name, nil)
	if err != nil {
		t.Fatalf("BeginDelete: %v", err)
	}
	if _, err := poller.PollUntilDone(ctx, nil); err != nil {
		t.Fatalf("BeginDelete: PollUntilDone: %v", err)
	}
	exists, err = rgs.CheckExistence(ctx, name, nil)
	if err != nil || exists.Success {
		t.Errorf("CheckExistence after delete: %v, %v (want false)", exists.Success, err)
	}
	_, err = rgs.Get(ctx, name, nil)
	wantResponseError(t, err, 404, "ResourceGroupNotFound")
}

func TestARMRoleDefinitions(t *testing.T) {
	ctx := armCtx(t)
	sub := subscriptionID(t)
	subScope := "/subscriptions/" + sub
	defs, err := armauthorization.NewRoleDefinitionsClient(adminCredential(t), armClientOptions())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("GetBuiltIn", func(t *testing.T) {
		for _, scope := range []string{subScope, strings.TrimPrefix(subScope, "/"), ""} {
			res, err := defs.Get(ctx, scope, azureAIUserID, nil)
			if err != nil {
				t.Fatalf("Get(%q, Azure AI User): %v", scope, err)
			}
			wantID := "/providers/Microsoft.Authorization/roleDefinitions/" + azureAIUserID
			if scope != "" {
				wantID = subScope + wantID
			}
			checkAzureAIUser(t, &res.RoleDefinition, wantID)
		}
		byID, err := defs.GetByID(ctx, "/providers/Microsoft.Authorization/roleDefinitions/"+azureAIUserID, nil)
		if err != nil {
			t.Fatalf("GetByID: %v", err)
		}
		checkAzureAIUser(t, &byID.RoleDefinition, "/providers/Microsoft.Authorization/roleDefinitions/"+azureAIUserID)

		_, err = defs.Get(ctx, subScope, newGUID(), nil)
		wantResponseError(t, err, 404, "RoleDefinitionDoesNotExist")
	})

	t.Run("ListByAlias", func(t *testing.T) {
		got := listRoleDefinitions(t, ctx, defs, subScope, "roleName eq 'Foundry User'")
		if len(got) != 1 {
			t.Fatalf("roleName eq 'Foundry User': %d roles, want 1: %v", len(got), roleNames(got))
		}
		checkAzureAIUser(t, got[0], subScope+"/providers/Microsoft.Authorization/roleDefinitions/"+azureAIUserID)
		got = listRoleDefinitions(t, ctx, defs, subScope, "roleName eq 'Azure AI User'")
		if len(got) != 1 || str(got[0].Name) != azureAIUserID {
			t.Fatalf("roleName eq 'Azure AI User': %v", roleNames(got))
		}
	})

	t.Run("ListBuiltIn", func(t *testing.T) {
		got := listRoleDefinitions(t, ctx, defs, subScope, "type eq 'BuiltInRole'")
		if len(got) < 10 {
			t.Fatalf("type eq 'BuiltInRole': only %d roles", len(got))
		}
		names := roleNames(got)
		for _, want := range []string{"Owner", "Contributor", "Reader", "Azure AI User", "Cognitive Services OpenAI User"} {
			if !slices.Contains(names, want) {
				t.Errorf("type eq 'BuiltInRole' lacks %q", want)
			}
		}
		for _, d := range got {
			if d.Properties == nil || str(d.Properties.RoleType) != "BuiltInRole" {
				t.Errorf("type eq 'BuiltInRole' returned %s of type %v", str(d.Name), d.Properties)
			}
		}
	})

	t.Run("CustomRole", func(t *testing.T) {
		id, roleName := newGUID(), uniqueName("Interop Deployment Reader")
		def := armauthorization.RoleDefinition{Properties: &armauthorization.RoleDefinitionProperties{
			RoleName:    to.Ptr(roleName),
			Description: to.Ptr("Reads Cognitive Services deployments (interop suite)"),
			RoleType:    to.Ptr("CustomRole"),
			Permissions: []*armauthorization.Permission{{
				Actions:     to.SliceOfPtrs("Microsoft.CognitiveServices/accounts/read", "Microsoft.CognitiveServices/accounts/deployments/read"),
				DataActions: to.SliceOfPtrs("Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action"),
			}},
			AssignableScopes: to.SliceOfPtrs(subScope),
		}}
		res, err := defs.CreateOrUpdate(ctx, subScope, id, def, nil)
		if err != nil {
			t.Fatalf("CreateOrUpdate custom role: %v", err)
		}
		wantID := subScope + "/providers/Microsoft.Authorization/roleDefinitions/" + id
		checkCustom := func(what string, d *armauthorization.RoleDefinition, desc string) {
			t.Helper()
			if str(d.ID) != wantID || str(d.Name) != id || str(d.Type) != "Microsoft.Authorization/roleDefinitions" {
				t.Errorf("%s: id %q name %q type %q, want %q", what, str(d.ID), str(d.Name), str(d.Type), wantID)
			}
			p := d.Properties
			if p == nil {
				t.Fatalf("%s: no properties", what)
			}
			if str(p.RoleName) != roleName || str(p.RoleType) != "CustomRole" || str(p.Description) != desc {
				t.Errorf("%s: roleName %q type %q description %q", what, str(p.RoleName), str(p.RoleType), str(p.Description))
			}
			if len(p.AssignableScopes) != 1 || !strings.EqualFold(str(p.AssignableScopes[0]), subScope) {
				t.Errorf("%s: assignableScopes %v", what, derefAll(p.AssignableScopes))
			}
			if len(p.Permissions) != 1 || len(p.Permissions[0].Actions) != 2 || len(p.Permissions[0].DataActions) != 1 {
				t.Errorf("%s: permissions %s", what, jsonString(p.Permissions))
			}
		}
		checkCustom("CreateOrUpdate", &res.RoleDefinition, "Reads Cognitive Services deployments (interop suite)")

		// Update: same id, new description.
		def.Properties.Description = to.Ptr("updated")
		upd, err := defs.CreateOrUpdate(ctx, subScope, id, def, nil)
		if err != nil {
			t.Fatalf("CreateOrUpdate (update): %v", err)
		}
		checkCustom("update", &upd.RoleDefinition, "updated")

		got, err := defs.Get(ctx, subScope, id, nil)
		if err != nil {
			t.Fatalf("Get custom role: %v", err)
		}
		checkCustom("Get", &got.RoleDefinition, "updated")

		listed := listRoleDefinitions(t, ctx, defs, subScope, "roleName eq '"+roleName+"'")
		if len(listed) != 1 || str(listed[0].Name) != id {
			t.Errorf("roleName eq '%s': %v", roleName, roleNames(listed))
		}
		for _, d := range listRoleDefinitions(t, ctx, defs, subScope, "type eq 'BuiltInRole'") {
			if str(d.Name) == id {
				t.Errorf("type eq 'BuiltInRole' lists the custom role")
			}
		}
		if custom := listRoleDefinitions(t, ctx, defs, subScope, "type eq 'CustomRole'"); !slices.Contains(roleNames(custom), roleName) {
			t.Errorf("type eq 'CustomRole' lacks %q: %v", roleName, roleNames(custom))
		}

		// A built-in role cannot be changed.
		_, err = defs.CreateOrUpdate(ctx, subScope, azureAIUserID, def, nil)
		wantResponseError(t, err, 400, "RoleDefinitionUpdateNotPermitted")

		// Assignable at the subscription; while assigned it cannot be deleted.
		ras, err := armauthorization.NewRoleAssignmentsClient(sub, adminCredential(t), armClientOptions())
		if err != nil {
			t.Fatal(err)
		}
		raName := newGUID()
		ra, err := ras.Create(ctx, subScope, raName, armauthorization.RoleAssignmentCreateParameters{
			Properties: &armauthorization.RoleAssignmentProperties{RoleDefinitionID: to.Ptr(wantID),
				PrincipalID: to.Ptr(fx.SecretAppOID), PrincipalType: to.Ptr(armauthorization.PrincipalTypeServicePrincipal)}}, nil)
		if err != nil {
			t.Fatalf("assign the custom role: %v", err)
		}
		if !strings.EqualFold(str(ra.Properties.RoleDefinitionID), wantID) {
			t.Errorf("assignment roleDefinitionId %q, want %q", str(ra.Properties.RoleDefinitionID), wantID)
		}
		_, err = defs.Delete(ctx, subScope, id, nil)
		wantResponseError(t, err, 409, "RoleDefinitionHasAssignments")
		if _, err := ras.Delete(ctx, subScope, raName, nil); err != nil {
			t.Fatalf("delete the custom role's assignment: %v", err)
		}

		del, err := defs.Delete(ctx, subScope, id, nil)
		if err != nil {
			t.Fatalf("Delete custom role: %v", err)
		}
		checkCustom("Delete", &del.RoleDefinition, "updated")
		_, err = defs.Get(ctx, subScope, id, nil)
		wantResponseError(t, err, 404, "RoleDefinitionDoesNotExist")
		if _, err := defs.Delete(ctx, subScope, id, nil); err != nil {
			t.Errorf("Delete of a deleted custom role: %v (want 204, no error)", err)
		}
	})
}

func checkAzureAIUser(t *testing.T, d *armauthorization.RoleDefinition, wantID string) {
	t.Helper()
	if str(d.ID) != wantID || str(d.Name) != azureAIUserID || str(d.Type) != "Microsoft.Authorization/roleDefinitions" {
		t.Errorf("id %q name %q type %q, want id %q", str(d.ID), str(d.Name), str(d.Type), wantID)
	}
	p := d.Properties
	if p == nil {
		t.Fatal("no properties")
	}
	if str(p.RoleName) != "Azure AI User" || str(p.RoleType) != "BuiltInRole" {
		t.Errorf("roleName %q type %q, want Azure AI User / BuiltInRole", str(p.RoleName), str(p.RoleType))
	}
	var data []string
	for _, perm := range p.Permissions {
		data = append(data, derefAll(perm.DataActions)...)
	}
	if !slices.Contains(data, "Microsoft.CognitiveServices/*") {
		t.Errorf("dataActions %v lack Microsoft.CognitiveServices/*", data)
	}
	if !slices.Contains(derefAll(p.AssignableScopes), "/") {
		t.Errorf("assignableScopes %v, want [/]", derefAll(p.AssignableScopes))
	}
}

func listRoleDefinitions(t *testing.T, ctx context.Context, c *armauthorization.RoleDefinitionsClient, scope, filter string) []*armauthorization.RoleDefinition {
	t.Helper()
	var out []*armauthorization.RoleDefinition
	pager := c.NewListPager(scope, &armauthorization.RoleDefinitionsClientListOptions{Filter: to.Ptr(filter)})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("RoleDefinitions List(%q, %q): %v", scope, filter, err)
		}
		out = append(out, page.Value...)
	}
	return out
}

func roleNames(ds []*armauthorization.RoleDefinition) []string {
	var out []string
	for _, d := range ds {
		if d.Properties != nil {
			out = append(out, str(d.Properties.RoleName))
		}
	}
	return out
}

func derefAll(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, str(p))
	}
	return out
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestARMRoleAssignments(t *testing.T) {
	ctx := armCtx(t)
	sub := subscriptionID(t)
	subScope := "/subscriptions/" + sub
	admin := adminCredential(t)
	opts := armClientOptions()

	rgs, err := armresources.NewResourceGroupsClient(sub, admin, opts)
	if err != nil {
		t.Fatal(err)
	}
	generic, err := armresources.NewClient(sub, admin, opts)
	if err != nil {
		t.Fatal(err)
	}
	ras, err := armauthorization.NewRoleAssignmentsClient(sub, admin, opts)
	if err != nil {
		t.Fatal(err)
	}
	rg := uniqueName("interop-ra")
	if _, err := rgs.CreateOrUpdate(ctx, rg, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatalf("create resource group: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if p, err := rgs.BeginDelete(ctx, rg, nil); err != nil {
			t.Errorf("cleanup: BeginDelete %s: %v", rg, err)
		} else if _, err := p.PollUntilDone(ctx, nil); err != nil {
			t.Errorf("cleanup: delete %s: %v", rg, err)
		}
	})
	rgScope := subScope + "/resourceGroups/" + rg

	// An AIServices account through the generic resources client.
	acctName := uniqueName("interopacct")
	acctID := rgScope + "/providers/Microsoft.CognitiveServices/accounts/" + acctName
	poller, err := generic.BeginCreateOrUpdateByID(ctx, acctID, cognitiveAPIVersion, armresources.GenericResource{
		Location: to.Ptr("eastus"), Kind: to.Ptr("AIServices"), SKU: &armresources.SKU{Name: to.Ptr("S0")},
		Properties: map[string]any{"customSubDomainName": acctName, "allowProjectManagement": true},
	}, nil)
	if err != nil {
		t.Fatalf("BeginCreateOrUpdateByID account: %v", err)
	}
	acct, err := poller.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatalf("create account: PollUntilDone: %v", err)
	}
	if !strings.EqualFold(str(acct.ID), acctID) || str(acct.Kind) != "AIServices" {
		t.Fatalf("account id %q kind %q", str(acct.ID), str(acct.Kind))
	}
	if g, err := generic.GetByID(ctx, acctID, cognitiveAPIVersion, nil); err != nil {
		t.Fatalf("GetByID account: %v", err)
	} else if props, _ := g.Properties.(map[string]any); props["provisioningState"] != "Succeeded" {
		t.Errorf("account provisioningState %v", props["provisioningState"])
	}

	principal := fx.SecretAppOID // the demo app's service principal
	roleID := func(guid string) string {
		return subScope + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
	}
	create := func(scope, name, role string) (armauthorization.RoleAssignment, error) {
		res, err := ras.Create(ctx, scope, name, armauthorization.RoleAssignmentCreateParameters{
			Properties: &armauthorization.RoleAssignmentProperties{
				RoleDefinitionID: to.Ptr(roleID(role)),
				PrincipalID:      to.Ptr(principal),
				PrincipalType:    to.Ptr(armauthorization.PrincipalTypeServicePrincipal),
				Description:      to.Ptr("interop " + name),
			}}, nil)
		return res.RoleAssignment, err
	}
	checkAssignment := func(what string, a *armauthorization.RoleAssignment, scope, name, role string) {
		t.Helper()
		wantID := scope + "/providers/Microsoft.Authorization/roleAssignments/" + name
		if !strings.EqualFold(str(a.ID), wantID) || str(a.Name) != name || str(a.Type) != "Microsoft.Authorization/roleAssignments" {
			t.Errorf("%s: id %q name %q type %q, want id %q", what, str(a.ID), str(a.Name), str(a.Type), wantID)
		}
		p := a.Properties
		if p == nil {
			t.Fatalf("%s: no properties", what)
		}
		if !strings.EqualFold(str(p.Scope), scope) || str(p.PrincipalID) != principal ||
			p.PrincipalType == nil || *p.PrincipalType != armauthorization.PrincipalTypeServicePrincipal ||
			!strings.EqualFold(str(p.RoleDefinitionID), roleID(role)) {
			t.Errorf("%s: properties %s", what, jsonString(p))
		}
		if p.CreatedOn == nil || time.Since(*p.CreatedOn) > 10*time.Minute || p.UpdatedOn == nil {
			t.Errorf("%s: createdOn %v updatedOn %v", what, p.CreatedOn, p.UpdatedOn)
		}
		if str(p.Description) != "interop "+name {
			t.Errorf("%s: description %q", what, str(p.Description))
		}
	}

	// At the resource group, with the scope written as in the SDK's
	// examples (no leading slash).
	rgRA := newGUID()
	got, err := create(strings.TrimPrefix(rgScope, "/"), rgRA, azureAIUserID)
	if err != nil {
		t.Fatalf("Create at the resource group: %v", err)
	}
	checkAssignment("Create(rg)", &got, rgScope, rgRA, azureAIUserID)

	// At the account (a resource scope), leading slash this time.
	acctRA := newGUID()
	got, err = create(acctID, acctRA, cognitiveOpenAIUser)
	if err != nil {
		t.Fatalf("Create at the account: %v", err)
	}
	checkAssignment("Create(account)", &got, acctID, acctRA, cognitiveOpenAIUser)

	// The same PUT again is an idempotent update.
	if again, err := create(acctID, acctRA, cognitiveOpenAIUser); err != nil {
		t.Errorf("Create again with the same name: %v", err)
	} else {
		checkAssignment("Create(account) again", &again, acctID, acctRA, cognitiveOpenAIUser)
	}

	t.Run("Get", func(t *testing.T) {
		res, err := ras.Get(ctx, rgScope, rgRA, nil)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		checkAssignment("Get", &res.RoleAssignment, rgScope, rgRA, azureAIUserID)
		byID, err := ras.GetByID(ctx, str(res.ID), nil)
		if err != nil {
			t.Fatalf("GetByID(%s): %v", str(res.ID), err)
		}
		checkAssignment("GetByID", &byID.RoleAssignment, rgScope, rgRA, azureAIUserID)
		acct, err := ras.GetByID(ctx, strings.TrimPrefix(acctID, "/")+"/providers/Microsoft.Authorization/roleAssignments/"+acctRA, nil)
		if err != nil {
			t.Fatalf("GetByID(account assignment): %v", err)
		}
		checkAssignment("GetByID(account)", &acct.RoleAssignment, acctID, acctRA, cognitiveOpenAIUser)
		// Names are global but ids are not: the rg assignment is not at the account.
		_, err = ras.Get(ctx, acctID, rgRA, nil)
		wantResponseError(t, err, 404, "RoleAssignmentNotFound")
	})

	t.Run("ListForScope", func(t *testing.T) {
		// atScope(): at the resource group and above (the administrator's
		// Owner at "/"), not the account's assignment below it.
		names := listAssignments(t, ras.NewListForScopePager(rgScope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: to.Ptr("atScope()")}), forScope)
		if !names[rgRA] || names[acctRA] {
			t.Errorf("ListForScope(rg, atScope()): has rg %v (want true), account %v (want false)", names[rgRA], names[acctRA])
		}
		if len(names) < 2 {
			t.Errorf("ListForScope(rg, atScope()): %d assignments, want the administrator's root Owner too", len(names))
		}
		// No filter: at, above and below.
		names = listAssignments(t, ras.NewListForScopePager(rgScope, nil), forScope)
		if !names[rgRA] || !names[acctRA] {
			t.Errorf("ListForScope(rg): has rg %v account %v, want both", names[rgRA], names[acctRA])
		}
		// principalId eq: only the demo app's, both of ours among them. The
		// SDK sends a role-assignment $filter as given (the spec marks it
		// x-ms-skip-url-encoding), so the caller escapes it, as against
		// Azure, which answers a raw space with 400 "The request is badly
		// formed" (Azure/azure-sdk-for-go#20847); so does gatehouse.
		filter := "principalId eq '" + principal + "'"
		var list []*armauthorization.RoleAssignment
		pager := ras.NewListForScopePager(subScope, &armauthorization.RoleAssignmentsClientListForScopeOptions{Filter: to.Ptr(url.PathEscape(filter))})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListForScope(sub, %s): %v", filter, err)
			}
			list = append(list, page.Value...)
		}
		seen := map[string]bool{}
		for _, a := range list {
			seen[str(a.Name)] = true
			if a.Properties == nil || str(a.Properties.PrincipalID) != principal {
				t.Errorf("ListForScope(sub, %s) returned %s", filter, jsonString(a))
			}
		}
		if !seen[rgRA] || !seen[acctRA] || !seen[demoRA(t, ctx, ras, principal)] {
			t.Errorf("ListForScope(sub, %s): has rg %v account %v, want both and the demo account's", filter, seen[rgRA], seen[acctRA])
		}
		// atScope() and assignedTo(): at the account and above, for the demo app.
		filter = "atScope() and assignedTo('" + principal + "')"
		names = listAssignments(t, ras.NewListForScopePager(acctID, &armauthorization.RoleAssignmentsClientListForScopeOptions{
			Filter: to.Ptr(url.PathEscape(filter))}), forScope)
		if !names[rgRA] || !names[acctRA] || len(names) != 2 {
			t.Errorf("ListForScope(account, %s): %v, want exactly rg %s and account %s", filter, names, rgRA, acctRA)
		}
	})

	t.Run("ListForResourceGroup", func(t *testing.T) {
		names := listAssignments(t, ras.NewListForResourceGroupPager(rg, nil), forGroup)
		if !names[rgRA] || !names[acctRA] {
			t.Errorf("ListForResourceGroup: has rg %v account %v, want both", names[rgRA], names[acctRA])
		}
		names = listAssignments(t, ras.NewListForResourcePager(rg, "Microsoft.CognitiveServices", "accounts", acctName, nil), forResource)
		if !names[rgRA] || !names[acctRA] {
			t.Errorf("ListForResource(account): has rg %v account %v, want both", names[rgRA], names[acctRA])
		}
	})

	t.Run("Conflict", func(t *testing.T) {
		// The same (scope, role, principal) under another name.
		_, err := create(rgScope, newGUID(), azureAIUserID)
		wantResponseError(t, err, 409, "RoleAssignmentExists")
	})

	t.Run("NotAuthorized", func(t *testing.T) {
		demo, err := armauthorization.NewRoleAssignmentsClient(sub, armCredential(t, fx.SecretAppID, fx.SecretValue), armClientOptions())
		if err != nil {
			t.Fatal(err)
		}
		_, err = demo.Create(ctx, rgScope, newGUID(), armauthorization.RoleAssignmentCreateParameters{
			Properties: &armauthorization.RoleAssignmentProperties{
				RoleDefinitionID: to.Ptr(roleID(readerRoleID)), PrincipalID: to.Ptr(principal),
				PrincipalType: to.Ptr(armauthorization.PrincipalTypeServicePrincipal)}}, nil)
		wantResponseError(t, err, 403, "AuthorizationFailed")
		var re *azcore.ResponseError
		if errors.As(err, &re) && !strings.Contains(err.Error(), "Microsoft.Authorization/roleAssignments/write") {
			t.Errorf("AuthorizationFailed does not name the action:\n%v", err)
		}
		// Nor may it delete the administrator's assignment.
		_, err = demo.Delete(ctx, rgScope, rgRA, nil)
		wantResponseError(t, err, 403, "AuthorizationFailed")
	})

	t.Run("Delete", func(t *testing.T) {
		res, err := ras.Delete(ctx, rgScope, rgRA, nil)
		if err != nil {
			t.Fatalf("Delete: %v", err)
		}
		checkAssignment("Delete", &res.RoleAssignment, rgScope, rgRA, azureAIUserID)
		_, err = ras.Get(ctx, rgScope, rgRA, nil)
		wantResponseError(t, err, 404, "RoleAssignmentNotFound")
		if _, err := ras.Delete(ctx, rgScope, rgRA, nil); err != nil {
			t.Errorf("Delete again: %v (want 204, no error)", err)
		}
		byID, err := ras.DeleteByID(ctx, acctID+"/providers/Microsoft.Authorization/roleAssignments/"+acctRA, nil)
		if err != nil {
			t.Fatalf("DeleteByID: %v", err)
		}
		checkAssignment("DeleteByID", &byID.RoleAssignment, acctID, acctRA, cognitiveOpenAIUser)
		names := listAssignments(t, ras.NewListForResourceGroupPager(rg, nil), forGroup)
		if names[rgRA] || names[acctRA] {
			t.Errorf("after Delete, ListForResourceGroup still has rg %v account %v", names[rgRA], names[acctRA])
		}
	})
}

// demoRA is the name of the assignment bootstrap gave the demo app on the
// demo account (Cognitive Services OpenAI User).
func demoRA(t *testing.T, ctx context.Context, ras *armauthorization.RoleAssignmentsClient, principal string) string {
	t.Helper()
	pager := ras.NewListForResourcePager("demo", "Microsoft.CognitiveServices", "accounts", "demo",
		&armauthorization.RoleAssignmentsClientListForResourceOptions{Filter: to.Ptr(url.PathEscape("principalId eq '" + principal + "'"))})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListForResource(demo account): %v", err)
		}
		for _, a := range page.Value {
			if a.Properties != nil && strings.HasSuffix(str(a.Properties.RoleDefinitionID), cognitiveOpenAIUser) {
				return str(a.Name)
			}
		}
	}
	t.Fatal("the demo app has no Cognitive Services OpenAI User assignment on the demo account")
	return ""
}

// listAssignments pages through a role-assignment list and returns the names.
func listAssignments[T any](t *testing.T, pager *runtime.Pager[T], values func(T) []*armauthorization.RoleAssignment) map[string]bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string]bool{}
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list role assignments: %v", err)
		}
		for _, a := range values(page) {
			out[str(a.Name)] = true
		}
	}
	return out
}

func forScope(r armauthorization.RoleAssignmentsClientListForScopeResponse) []*armauthorization.RoleAssignment {
	return r.Value
}

func forGroup(r armauthorization.RoleAssignmentsClientListForResourceGroupResponse) []*armauthorization.RoleAssignment {
	return r.Value
}

func forResource(r armauthorization.RoleAssignmentsClientListForResourceResponse) []*armauthorization.RoleAssignment {
	return r.Value
}

func TestARMPermissions(t *testing.T) {
	ctx := armCtx(t)
	sub := subscriptionID(t)
	perms, err := armauthorization.NewPermissionsClient(sub, adminCredential(t), armClientOptions())
	if err != nil {
		t.Fatal(err)
	}
	// The demo resource group exists from bootstrap; the administrator is Owner at "/".
	pager := perms.NewListForResourceGroupPager("demo", nil)
	var actions []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("Permissions ListForResourceGroup(demo): %v", err)
		}
		for _, p := range page.Value {
			actions = append(actions, derefAll(p.Actions)...)
		}
	}
	if !slices.Contains(actions, "*") {
		t.Errorf("the administrator's permissions at the demo group: actions %v, want *", actions)
	}
}

// str dereferences an optional string of the SDK's models.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
