package arm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/directory"
)

// A Contributor manages resources but cannot grant access.
func TestContributorCannotCreateRoleAssignment(t *testing.T) {
	w := newWorld(t)
	c := w.newPrincipal(t, "contributor")
	w.assign(t, c.oid, "ServicePrincipal", roleContrib, w.rg)
	w.mustOK(t, c.token, "PUT", w.rg+"/providers/Microsoft.CognitiveServices/accounts/acct2", vCS,
		`{"location":"eastus","kind":"OpenAI","sku":{"name":"S0"}}`)
	target := w.newPrincipal(t, "target")
	status, m, hdr := w.do(t, c.token, "PUT", w.account+"/providers/Microsoft.Authorization/roleAssignments/"+directory.NewID(), vAuthz,
		assignBody(w.sub, roleAIUser, target.oid, "ServicePrincipal"))
	msg := wantError(t, status, m, 403, "AuthorizationFailed")
	want := "The client '" + c.app.App.AppID + "' with object id '" + c.oid + "' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '" + w.account + "' or the scope is invalid. If access was recently granted, please refresh your credentials."
	if msg != want {
		t.Errorf("message:\n got %s\nwant %s", msg, want)
	}
	if hdr.Get("x-ms-failure-cause") != "gateway" {
		t.Errorf("x-ms-failure-cause = %q", hdr.Get("x-ms-failure-cause"))
	}
}

// Constrained delegation: an Azure AI Project Manager may assign and remove
// Azure AI User only; Owner is refused with the ABAC wording.
func TestProjectManagerConstrainedDelegation(t *testing.T) {
	w := newWorld(t)
	pm := w.newPrincipal(t, "project-manager")
	w.assign(t, pm.oid, "ServicePrincipal", roleProjMgr, w.account)
	dev := w.newPrincipal(t, "developer")

	userPath := w.project + "/providers/Microsoft.Authorization/roleAssignments/" + directory.NewID()
	w.mustOK(t, pm.token, "PUT", userPath, vAuthz, assignBody(w.sub, roleAIUser, dev.oid, "ServicePrincipal"))

	status, m, _ := w.do(t, pm.token, "PUT", w.project+"/providers/Microsoft.Authorization/roleAssignments/"+directory.NewID(), vAuthz,
		assignBody(w.sub, roleOwner, dev.oid, "ServicePrincipal"))
	msg := wantError(t, status, m, 403, "AuthorizationFailed")
	if !strings.Contains(msg, "does not have authorization or an ABAC condition not fulfilled to perform action 'Microsoft.Authorization/roleAssignments/write'") {
		t.Errorf("message lacks the ABAC wording: %s", msg)
	}

	ownerPath := w.assign(t, dev.oid, "ServicePrincipal", roleOwner, w.project)
	status, m, _ = w.do(t, pm.token, "DELETE", ownerPath, vAuthz, "")
	if msg := wantError(t, status, m, 403, "AuthorizationFailed"); !strings.Contains(msg, "ABAC condition not fulfilled") {
		t.Errorf("delete of an Owner assignment: %s", msg)
	}
	w.mustOK(t, pm.token, "DELETE", userPath, vAuthz, "")
}

func TestReaderCannotDeleteAccount(t *testing.T) {
	w := newWorld(t)
	r := w.newPrincipal(t, "reader")
	w.assign(t, r.oid, "ServicePrincipal", roleReader, "/subscriptions/"+w.sub)
	w.mustOK(t, r.token, "GET", w.account, vCS, "")
	status, m, _ := w.do(t, r.token, "DELETE", w.account, vCS, "")
	msg := wantError(t, status, m, 403, "AuthorizationFailed")
	if !strings.Contains(msg, "'Microsoft.CognitiveServices/accounts/delete'") {
		t.Errorf("message: %s", msg)
	}
	w.mustOK(t, w.admin, "GET", w.account, vCS, "") // still there
}

// Access through a group ends on the very next request after the member
// is removed, with the same token.
func TestGroupRemovalTakesEffectOnNextRequest(t *testing.T) {
	w := newWorld(t)
	p := w.newPrincipal(t, "member")
	var gid string
	w.env.Update(t, func(ctx context.Context, tx *directory.Tx) error {
		g, err := tx.CreateGroup(ctx, w.env.Tenant, directory.NewGroup{DisplayName: "readers"})
		if err != nil {
			return err
		}
		gid = g.ID
		return tx.AddMember(ctx, g.ID, p.oid)
	})
	w.assign(t, gid, "Group", roleReader, w.rg)
	w.mustOK(t, p.token, "GET", w.account, vCS, "")
	w.env.Update(t, func(ctx context.Context, tx *directory.Tx) error { return tx.RemoveMember(ctx, gid, p.oid) })
	status, m, _ := w.do(t, p.token, "GET", w.account, vCS, "")
	wantError(t, status, m, 403, "AuthorizationFailed")
}

// An assignment takes effect on the next request, and so does its removal.
func TestAssignmentTakesEffectOnNextRequest(t *testing.T) {
	w := newWorld(t)
	p := w.newPrincipal(t, "p")
	status, m, _ := w.do(t, p.token, "GET", w.deploy, vCS, "")
	wantError(t, status, m, 403, "AuthorizationFailed")
	path := w.assign(t, p.oid, "ServicePrincipal", roleReader, w.account)
	w.mustOK(t, p.token, "GET", w.deploy, vCS, "")
	w.mustOK(t, w.admin, "DELETE", path, vAuthz, "")
	status, m, _ = w.do(t, p.token, "GET", w.deploy, vCS, "")
	wantError(t, status, m, 403, "AuthorizationFailed")
}

func TestDeletedServicePrincipalTokenRefused(t *testing.T) {
	w := newWorld(t)
	p := w.newPrincipal(t, "doomed")
	w.assign(t, p.oid, "ServicePrincipal", roleReader, w.rg)
	w.mustOK(t, p.token, "GET", w.rg, vRes, "")
	w.env.Update(t, func(ctx context.Context, tx *directory.Tx) error { return tx.DeleteServicePrincipal(ctx, p.oid) })
	status, m, _ := w.do(t, p.token, "GET", w.rg, vRes, "")
	wantError(t, status, m, 401, "InvalidAuthenticationToken")
}

// Deleting a resource group deletes what is in it, the role assignments at
// those scopes, the accounts' keys and their managed identities.
func TestResourceGroupDeleteCascades(t *testing.T) {
	w := newWorld(t)
	acct := w.rg + "/providers/Microsoft.CognitiveServices/accounts/withid"
	m := w.mustOK(t, w.admin, "PUT", acct, vCS, `{"location":"eastus","kind":"AIServices","sku":{"name":"S0"},"identity":{"type":"SystemAssigned"}}`)
	mi := m["identity"].(map[string]any)["principalId"].(string)
	p := w.newPrincipal(t, "reader")
	w.assign(t, p.oid, "ServicePrincipal", roleReader, acct)
	w.mustOK(t, w.admin, "DELETE", w.rg, vRes, "")
	if status, _, _ := w.do(t, w.admin, "GET", acct, vCS, ""); status != 404 {
		t.Errorf("account after group delete: %d", status)
	}
	if _, err := w.env.Directory().ServicePrincipal(context.Background(), mi); !directory.IsNotFound(err) {
		t.Errorf("managed identity %s survived its account: %v", mi, err)
	}
	status, m, _ := w.do(t, w.admin, "GET", "/subscriptions/"+w.sub+"/providers/Microsoft.Authorization/roleAssignments?$filter=principalId%20eq%20'"+p.oid+"'", vAuthz, "")
	if status != 200 || len(m["value"].([]any)) != 0 {
		t.Errorf("assignments under the deleted group remain: %d %v", status, m)
	}
	// The account's name (and subdomain) can be used again.
	w.mustOK(t, w.admin, "PUT", w.rg, vRes, `{"location":"eastus"}`)
	w.mustOK(t, w.admin, "PUT", acct, vCS, `{"location":"eastus","kind":"AIServices","sku":{"name":"S0"}}`)
}
