package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestDurability: what the CLI was told is created must survive a SIGKILL
// of the server sent right after the command returned.
func TestDurability(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	srv, err := startServer(data)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if !srv.Exited() {
			srv.Kill()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	type app struct{ name, appID, id string }
	var created []app
	const rounds = 5
	for i := range rounds {
		name := fmt.Sprintf("durable-%d-%s", i, newGUID()[:8])
		out, err := runCLI(ctx, "ad", "app", "create", "--display-name", name, "--data", data)
		srv.Kill() // at once, no graceful shutdown
		if err != nil {
			t.Fatalf("round %d: %v\n%s", i, err, srv.Logs())
		}
		var o struct {
			ID          string `json:"id"`
			AppID       string `json:"appId"`
			DisplayName string `json:"displayName"`
		}
		if err := json.Unmarshal(out, &o); err != nil || o.AppID == "" || o.DisplayName != name {
			t.Fatalf("round %d: app create printed %s (%v)", i, out, err)
		}
		created = append(created, app{name, o.AppID, o.ID})

		if srv, err = startServer(data); err != nil {
			t.Fatalf("round %d: restart after SIGKILL: %v", i, err)
		}
		// Every app created so far must still be there.
		for _, a := range created {
			out, err := runCLI(ctx, "ad", "app", "show", "--id", a.appID, "--data", data)
			if err != nil {
				t.Fatalf("round %d: app %s (%s) lost after SIGKILL: %v", i, a.name, a.appID, err)
			}
			var got struct {
				ID          string `json:"id"`
				AppID       string `json:"appId"`
				DisplayName string `json:"displayName"`
			}
			if err := json.Unmarshal(out, &got); err != nil || got.AppID != a.appID || got.DisplayName != a.name || got.ID != a.id {
				t.Fatalf("round %d: app show --id %s printed %s (%v)", i, a.appID, out, err)
			}
		}
	}
	t.Logf("%d apps created, each followed by SIGKILL; all present after restarts", len(created))
	if code, err := srv.Stop(10 * time.Second); err != nil || code != 0 {
		t.Errorf("SIGTERM after restarts: exit %d, %v\n%s", code, err, srv.Logs())
	}
}
