// Package harness runs the real gatehouse binary for the interop suites
// (interop/go, interop/openai-go): build it, start `gatehouse serve` on a
// free port, wait until it is healthy, stop or kill it, read the
// credential files it writes.
package harness

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

// BuildBinary builds ./cmd/gatehouse of the product module (two levels up
// from the suite's directory) into dir.
func BuildBinary(dir string) (string, error) {
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

// Creds is the JSON of admin.json and demo.json in a data directory.
type Creds struct {
	Server       string `json:"server"`
	Tenant       string `json:"tenant"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	CAFile       string `json:"caFile"`
}

// ReadCreds reads and checks one of those files.
func ReadCreds(path string) (*Creds, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Creds
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if c.Server == "" || c.Tenant == "" || c.ClientID == "" || c.ClientSecret == "" {
		return nil, fmt.Errorf("%s: incomplete: %s", path, b)
	}
	return &c, nil
}

// Server is one running `gatehouse serve`.
type Server struct {
	cmd    *exec.Cmd
	URL    string // https://127.0.0.1:PORT (no trailing slash)
	Data   string
	CAFile string       // absolute
	HTTP   *http.Client // trusts CAFile only
	done   chan struct{}
	err    error // Wait's result, once done is closed

	mu     sync.Mutex
	stderr strings.Builder
	stdout strings.Builder
}

// Start runs `bin serve --addr 127.0.0.1:0 --data data [args…]` in dir (""
// for the current directory, against which a relative data directory is
// resolved), reads the URL from the "gatehouse listening" log line and
// waits for /healthz. Port 0 lets the kernel pick a free port, so parallel
// runs cannot collide.
func Start(bin, dir, data string, args ...string) (*Server, error) {
	s := &Server{Data: data, done: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, args...)...)
	s.cmd.Dir = dir
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
	fail := func(err error) (*Server, error) {
		s.Kill()
		return nil, fmt.Errorf("%w\n%s", err, s.Logs())
	}
	if s.CAFile, err = filepath.Abs(filepath.Join(dir, data, "tls", "ca.pem")); err != nil {
		return fail(err)
	}
	if s.HTTP, err = HTTPClient(s.CAFile); err != nil {
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
	return s, nil
}

// Logs is what the server wrote so far (stdout, then stderr).
func (s *Server) Logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "--- stdout\n" + s.stdout.String() + "--- stderr\n" + s.stderr.String()
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop sends SIGTERM and returns the exit code, or an error if the process
// did not exit within timeout (it is then killed).
func (s *Server) Stop(timeout time.Duration) (int, error) {
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

// Err is the process's exit error, once Exited.
func (s *Server) Err() error {
	if !s.Exited() {
		return nil
	}
	return s.err
}

// Exited reports whether the process has ended.
func (s *Server) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// HTTPClient trusts the CA in caFile (and nothing else). This is how the
// SDKs are told about gatehouse's local CA: through their HTTP client.
func HTTPClient(caFile string) (*http.Client, error) {
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
