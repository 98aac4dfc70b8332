package cli_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/cli"
)

// run runs the CLI with no server behind it.
func run(args ...string) (string, string, int) {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestVersion(t *testing.T) {
	out, _, code := run("--version")
	if code != 0 || !strings.HasPrefix(out, "gatehouse ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("--version: %d %q", code, out)
	}
}

// TestHelpListsOnlyFlagsThatApply: the client flags mean nothing to the
// commands that are not clients.
func TestHelpListsOnlyFlagsThatApply(t *testing.T) {
	for _, c := range []struct {
		cmd       []string
		want, not []string
	}{
		{[]string{"simulate", "--help"}, []string{"--addr", "--options"}, []string{"--server", "--client-secret", "--data", "--tenant", "--ca-file"}},
		{[]string{"serve", "--help"}, []string{"--addr", "--config", "--data"}, []string{"--server", "--client-secret", "--tenant"}},
		{[]string{"ca", "--help"}, []string{"--data"}, []string{"--server", "--client-secret"}},
		{[]string{"ad", "user", "list", "--help"}, []string{"--server", "--data"}, nil},
	} {
		out, _, code := run(c.cmd...)
		if code != 0 {
			t.Errorf("%v: exit %d", c.cmd, code)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v lacks %s:\n%s", c.cmd, w, out)
			}
		}
		for _, n := range c.not {
			if strings.Contains(out, n) {
				t.Errorf("%v lists %s:\n%s", c.cmd, n, out)
			}
		}
	}
}

// TestCAMissing: with no CA in the data directory, `ca` fails and says
// where it looked, instead of printing a path that does not exist.
func TestCAMissing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "nothing-here")
	out, errs, code := run("ca", "--data", data)
	if code == 0 || out != "" || !strings.Contains(errs, filepath.Join(data, "tls", "ca.pem")) || !strings.Contains(errs, "--data") {
		t.Errorf("ca without a CA: exit %d, out %q, err %q", code, out, errs)
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("ca created the data directory")
	}
	ca := filepath.Join(data, "tls", "ca.pem")
	if err := os.MkdirAll(filepath.Dir(ca), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ca, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errs, code := run("ca", "--data", data); code != 0 || strings.TrimSpace(out) != ca {
		t.Errorf("ca with a CA: exit %d, out %q, err %q", code, out, errs)
	}
}

// TestNoServer: with the server down, client commands say so plainly.
func TestNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + ln.Addr().String()
	ln.Close()
	_, errs, code := run("--server", url, "--tenant", "t", "--client-id", "c", "--client-secret", "s", "--data", t.TempDir(), "ad", "user", "list")
	want := `no server at ` + url + ` (is "gatehouse serve" running? --server / GATEHOUSE_SERVER)`
	if code != 1 || !strings.Contains(errs, want) {
		t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
	}
}

// TestNoCredentials: without admin.json the error names the data directory.
func TestNoCredentials(t *testing.T) {
	for _, k := range []string{"GATEHOUSE_SERVER", "GATEHOUSE_TENANT", "GATEHOUSE_CLIENT_ID", "GATEHOUSE_CLIENT_SECRET"} {
		t.Setenv(k, "")
	}
	data := t.TempDir()
	_, errs, code := run("--data", data, "ad", "user", "list")
	if code != 1 || !strings.Contains(errs, data) || !strings.Contains(errs, "admin.json") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestServeFailsClean: a start that fails — busy port, invalid or
// unappliable configuration — says why and leaves no data directory.
func TestServeFailsClean(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	invalid := write("invalid.yaml", "tenants:\n  - domain: a.example\n    users:\n      - userPrincipalName: ann@a.example\n        displayName: Ann\n        pasword: x\n")
	unappliable := write("unappliable.yaml", "tenants:\n  - domain: a.example\n    groups:\n      - displayName: Devs\n        members: [nobody@a.example]\n")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"port in use", []string{"--addr", busy.Addr().String()},
			"address " + busy.Addr().String() + " is in use — is another gatehouse running? choose another with --addr"},
		{"invalid config", []string{"--addr", "127.0.0.1:0", "--config", invalid}, `unknown field "pasword"`},
		{"unappliable config", []string{"--addr", "127.0.0.1:0", "--config", unappliable}, "nobody@a.example"},
		{"missing certificate", []string{"--addr", "127.0.0.1:0", "--tls-cert", filepath.Join(dir, "no.pem"), "--tls-key", filepath.Join(dir, "no.key")}, "no.pem"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			_, errs, code := run(append([]string{"serve", "--data", data, "--log-level", "error"}, c.args...)...)
			if code != 1 || !strings.Contains(errs, c.want) {
				t.Errorf("exit %d, stderr %q; want %q", code, errs, c.want)
			}
			if _, err := os.Stat(data); err == nil {
				t.Errorf("the failed start left %s behind", data)
			}
		})
	}
}
