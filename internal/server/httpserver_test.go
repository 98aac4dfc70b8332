package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

var testTimeouts = timeouts{header: 300 * time.Millisecond, request: 300 * time.Millisecond, idle: 300 * time.Millisecond}

// serveTest runs h behind newHTTPServer on a loopback listener.
func serveTest(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newHTTPServer(h, slog.New(slog.DiscardHandler), testTimeouts)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// closedWithin reports whether the server closes conn within d.
func closedWithin(conn net.Conn, d time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(d))
	_, err := io.ReadAll(conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func TestSlowClientsAreCutOff(t *testing.T) {
	bodyErr := make(chan error, 1)
	addr := serveTest(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); r.Method == http.MethodPost {
			bodyErr <- err
		}
	}))
	for _, c := range []struct {
		name, send string
	}{
		{"headers never finish", "POST / HTTP/1.1\r\nHost: x\r\n"},
		{"body never finishes", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"},
		{"idle keep-alive", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, c.send); err != nil {
				t.Fatal(err)
			}
			if !closedWithin(conn, 3*time.Second) {
				t.Error("the server kept the connection")
			}
		})
	}
	select {
	case err := <-bodyErr:
		if err == nil {
			t.Error("reading a stalled body succeeded")
		}
	case <-time.After(3 * time.Second):
		t.Error("the handler still waits for the stalled body")
	}
}

// TestStreamingOutlivesBodyDeadline: a response may stream for longer
// than the body deadline once the body has been read.
func TestStreamingOutlivesBodyDeadline(t *testing.T) {
	const chunks = 6 // × 100 ms, twice the body deadline
	addr := serveTest(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for i := range chunks {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			fmt.Fprintf(w, "data: %d\n\n", i)
			http.NewResponseController(w).Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	resp, err := http.Post("http://"+addr+"/", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() != "" {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) != chunks+1 || lines[len(lines)-1] != "data: [DONE]" {
		t.Errorf("stream cut short: %q (%v)", lines, sc.Err())
	}
}
