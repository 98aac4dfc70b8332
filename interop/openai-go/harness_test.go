package interop

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// binPath is the gatehouse binary: GATEHOUSE_BIN, or built from ../.. by
// TestMain.
var binPath string

// buildBinary builds ./cmd/gatehouse of the product module (two levels up)
// into dir.
func buildBinary(dir string) (string, error) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "gatehouse")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/gatehouse")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/gatehouse in %s: %v\n%s", root, err, b)
	}
	return out, nil
}

// creds is the JSON of admin.json and demo.json in a data directory.
type creds struct {
	Server       string `json:"server"`
	Tenant       string `json:"tenant"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	CAFile       string `json:"caFile"`
}

func readCreds(path string) (*creds, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c creds
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Server == "" || c.Tenant == "" || c.ClientID == "" || c.ClientSecret == "" {
		return nil, fmt.Errorf("%s: incomplete: %s", path, b)
	}
	return &c, nil
}

// server is one running `gatehouse serve`.
type server struct {
	cmd    *exec.Cmd
	URL    string // https://127.0.0.1:PORT (no trailing slash)
	Data   string
	CAFile string
	HTTP   *http.Client // trusts CAFile only
	Admin  *creds       // admin.json
	Demo   *creds       // demo.json
	done   chan struct{}
	err    error // Wait's result, once done is closed

	mu     sync.Mutex
	stderr strings.Builder
	stdout strings.Builder
}

// startServer runs `gatehouse serve --addr 127.0.0.1:0 --data data [args…]`,
// reads the URL from the "gatehouse listening" log line, waits for /healthz
// and reads admin.json and demo.json.
func startServer(data string, args ...string) (*server, error) {
	s := &server{Data: data, done: make(chan struct{})}
	s.cmd = exec.Command(binPath, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, args...)...)
	errPipe, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	s.cmd.Stdout = writerFunc(func(p []byte) (int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.stdout.Write(p)
	})
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(errPipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
			if sent {
				continue
			}
			var rec struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "gatehouse listening" && rec.URL != "" {
				urlc <- rec.URL
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, errPipe)
	}()
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-urlc:
	case <-s.done:
		return nil, fmt.Errorf("gatehouse exited during start-up (%v):\n%s", s.err, s.Logs())
	case <-time.After(60 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("gatehouse did not announce its URL within 60s:\n%s", s.Logs())
	}
	fail := func(err error) (*server, error) {
		s.Kill()
		return nil, fmt.Errorf("%w\n%s", err, s.Logs())
	}
	if s.CAFile, err = filepath.Abs(filepath.Join(data, "tls", "ca.pem")); err != nil {
		return fail(err)
	}
	if s.HTTP, err = httpClient(s.CAFile); err != nil {
		return fail(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := s.HTTP.Get(s.URL + "/healthz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.TrimSpace(string(body)) == "ok" {
				break
			}
			err = fmt.Errorf("/healthz: %d %q", resp.StatusCode, body)
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("gatehouse at %s not healthy: %v", s.URL, err))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if s.Admin, err = readCreds(filepath.Join(data, "admin.json")); err != nil {
		return fail(err)
	}
	if s.Demo, err = readCreds(filepath.Join(data, "demo.json")); err != nil {
		return fail(err)
	}
	if s.Admin.Server != s.URL || s.Demo.Server != s.URL {
		return fail(fmt.Errorf("admin.json server %q, demo.json server %q, want %q", s.Admin.Server, s.Demo.Server, s.URL))
	}
	return s, nil
}

// Logs is what the server wrote so far (stdout, then stderr).
func (s *server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "--- stdout\n" + s.stdout.String() + "--- stderr\n" + s.stderr.String()
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop sends SIGTERM and returns the exit code, or an error if the process
// did not exit within timeout (it is then killed).
func (s *server) Stop(timeout time.Duration) (int, error) {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return -1, err
	}
	select {
	case <-s.done:
	case <-time.After(timeout):
		s.Kill()
		return -1, fmt.Errorf("gatehouse did not exit within %v of SIGTERM", timeout)
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode(), nil
	}
	if s.err != nil {
		return -1, s.err
	}
	return 0, nil
}

// Exited reports whether the process has ended.
func (s *server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// httpClient trusts the CA in caFile (and nothing else). This is how the
// SDKs are told about gatehouse's local CA: through their HTTP client.
func httpClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
