package interop

import (
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/azure"
)

// Role assignments take effect on the very next call, with the same token:
// none → 401 PermissionDenied; an assignment through ARM → 200; the
// assignment deleted → 401 again. Then an assignment at one deployment's
// scope grants that deployment only.
func TestDynamicRBAC(t *testing.T) {
	a := newApp(t, "openai-go-dynamic-rbac")
	cred, err := credential(fx.srv, a.AppID, a.Secret)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingCredential{cred: cred}
	c := client(fx.srv, fx.Endpoint, azure.WithTokenCredential(rec))
	principal := strings.ToLower(a.ObjectID)
	chat := func(deployment string) error {
		_, err := c.Chat.Completions.New(ctxT(t), chatParams(deployment, 3))
		return err
	}

	permissionDenied(t, chat(demoDeployment), principal)

	id := assignRole(t, fx.AccountID, roleOpenAIUser, a.ObjectID)
	if err := chat(demoDeployment); err != nil {
		t.Fatalf("right after the assignment at the account: %v", err)
	}

	mustARM(t, "DELETE", id+"?api-version="+authVersion, nil, nil)
	permissionDenied(t, chat(demoDeployment), principal)

	// At the deployment's scope: that deployment, not another one.
	createDeployment(t, fx.AccountID, "rbac-other", 10, "simulator")
	id = assignRole(t, fx.AccountID+"/deployments/"+demoDeployment, roleOpenAIUser, a.ObjectID)
	if err := chat(demoDeployment); err != nil {
		t.Fatalf("right after the assignment at the deployment: %v", err)
	}
	permissionDenied(t, chat("rbac-other"), principal)
	mustARM(t, "DELETE", id+"?api-version="+authVersion, nil, nil)
	permissionDenied(t, chat(demoDeployment), principal)

	if len(rec.tokens) < 6 {
		t.Fatalf("the credential was asked for %d tokens, want one per call (6)", len(rec.tokens))
	}
	for i, tok := range rec.tokens {
		if tok != rec.tokens[0] {
			t.Fatalf("call %d used a different token: the test must use the same token throughout", i+1)
		}
	}
}
