package upstream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests below run h1Transport against real servers on loopback:
// httptest servers where net/http's server is the peer we want, and raw
// TCP servers (rawServer) where the test must write or see the bytes.

// countingServer starts an httptest server that counts the connections it
// accepts. StateNew is reported before the server reads a request, so the
// count is exact once a response has been read.
func countingServer(t *testing.T, h http.Handler) (*httptest.Server, func() int) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			n.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, func() int { return int(n.Load()) }
}

// newTestTransport returns a transport whose idle connections are closed
// when the test ends.
func newTestTransport(t *testing.T, cfg *tls.Config) *h1Transport {
	tr := newH1Transport(cfg)
	t.Cleanup(tr.CloseIdle)
	return tr
}

// roundTrip sends req and reads the whole body; it fails the test on any
// error. A panic in RoundTrip is reported as a test failure, not a crash
// of the test binary.
func roundTrip(t *testing.T, tr *h1Transport, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := safeRoundTrip(tr, req)
	if err != nil {
		t.Fatalf("RoundTrip(%s %s): %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the body of %s %s: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

func safeRoundTrip(tr *h1Transport, req *http.Request) (resp *http.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, fmt.Errorf("RoundTrip panicked: %v", p)
		}
	}()
	return tr.RoundTrip(req)
}

// roundTripWithin runs RoundTrip and fails the test if it has not returned
// after d (a hang), instead of blocking the test binary.
func roundTripWithin(t *testing.T, d time.Duration, tr *h1Transport, req *http.Request) (*http.Response, error) {
	t.Helper()
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, err := safeRoundTrip(tr, req)
		ch <- result{resp, err}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-time.After(d):
		t.Fatalf("RoundTrip(%s %s) still running after %v", req.Method, req.URL, d)
		return nil, nil
	}
}

func get(t *testing.T, rawURL string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, bytes.NewReader(nil))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func idleCount(tr *h1Transport) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, cs := range tr.idle {
		n += len(cs)
	}
	return n
}

// rawServer is a TCP server on loopback whose connections are served by
// serve; it counts them and closes them all when the test ends.
type rawServer struct {
	ln    net.Listener
	conns atomic.Int32
	mu    sync.Mutex
	open  []net.Conn
	wg    sync.WaitGroup
}

func newRawServer(t *testing.T, serve func(c net.Conn)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.mu.Lock()
			s.open = append(s.open, c)
			s.mu.Unlock()
			s.wg.Go(func() {
				defer c.Close()
				serve(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() }

// serveRequests answers every request on c with answer's bytes, until the
// client closes c; with closeAfter, c is closed after the first answer.
func serveRequests(c net.Conn, answer func(req *http.Request, body []byte) string, closeAfter bool) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		if _, err := io.WriteString(c, answer(req, body)); err != nil || closeAfter {
			return
		}
	}
}

// 1. A POST reaches the server as sent, and the answer comes back whole.
func TestH1RequestAndResponse(t *testing.T) {
	type seen struct {
		method, uri, host, ctype, ua string
		clen                         string
		contentLength                int64
		custom                       []string
		auth                         string
		body                         string
		te                           []string
	}
	got := make(chan seen, 1)
	srv, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Host, r.Header.Get("Content-Type"), r.Header.Get("User-Agent"),
			r.Header.Get("Content-Length"), r.ContentLength, r.Header.Values("X-Custom"), r.Header.Get("Authorization"),
			string(b), r.TransferEncoding}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("X-Upstream", "a")
		w.Header().Add("X-Upstream", "b")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"chatcmpl-1"}`)
	}))
	srvHost := strings.TrimPrefix(srv.URL, "http://")
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"hi \u00e9"}]}`

	for _, tc := range []struct {
		name     string
		host     string // req.Host; "" keeps the URL's
		ua       string
		wantHost string
		wantUA   string
	}{
		{name: "URL host", wantHost: srvHost, wantUA: "gatehouse"},
		{name: "Host override and own User-Agent", host: "models.example.test", ua: "sdk/1.0",
			wantHost: "models.example.test", wantUA: "sdk/1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, nil)
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions?api-version=2024-10-21&q=a%20b", bytes.NewReader([]byte(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tc.host
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer sk-test")
			req.Header.Add("X-Custom", "one")
			req.Header.Add("X-Custom", "two")
			if tc.ua != "" {
				req.Header.Set("User-Agent", tc.ua)
			}
			resp, respBody := roundTrip(t, tr, req)
			s := <-got

			if s.method != http.MethodPost || s.uri != "/v1/chat/completions?api-version=2024-10-21&q=a%20b" {
				t.Errorf("request line: %s %s", s.method, s.uri)
			}
			if s.host != tc.wantHost {
				t.Errorf("Host = %q, want %q", s.host, tc.wantHost)
			}
			if s.ua != tc.wantUA {
				t.Errorf("User-Agent = %q, want %q", s.ua, tc.wantUA)
			}
			if s.ctype != "application/json" || s.auth != "Bearer sk-test" {
				t.Errorf("Content-Type %q, Authorization %q", s.ctype, s.auth)
			}
			if want := fmt.Sprint(len(body)); s.clen != want || s.contentLength != int64(len(body)) || s.te != nil {
				t.Errorf("Content-Length header %q (ContentLength %d, Transfer-Encoding %q), want %s", s.clen, s.contentLength, s.te, want)
			}
			if fmt.Sprint(s.custom) != "[one two]" {
				t.Errorf("X-Custom = %q, want [one two]", s.custom)
			}
			if s.body != body {
				t.Errorf("server read body %q, want %q", s.body, body)
			}
			if resp.StatusCode != http.StatusCreated || resp.Header.Get("Content-Type") != "application/json" ||
				fmt.Sprint(resp.Header.Values("X-Upstream")) != "[a b]" {
				t.Errorf("response %d, headers %v", resp.StatusCode, resp.Header)
			}
			if respBody != `{"id":"chatcmpl-1"}` {
				t.Errorf("response body %q", respBody)
			}
		})
	}
}

// 2. Connections are reused only when the whole answer was read and
// neither side asked for the connection to be closed.
func TestH1KeepAlive(t *testing.T) {
	big := strings.Repeat("x", 256<<10) // more than the connection's buffers
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/close":
			w.Header().Set("Connection", "close")
		case "/big":
			io.WriteString(w, big)
			return
		case "/chunked":
			for i := range 3 {
				fmt.Fprintf(w, "chunk %d;", i)
				w.(http.Flusher).Flush()
			}
			return
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
			return
		case "/hold": // one chunk, then the stream stays open
			io.WriteString(w, "hold;")
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return
		}
		io.WriteString(w, "ok")
	}))

	for _, tc := range []struct {
		name      string
		path      string
		head      bool
		partial   int // read this many bytes, then Close
		reqClose  bool
		wantConns int // after the request, then a plain one
	}{
		{name: "sequential requests share a connection", path: "/", wantConns: 1},
		{name: "chunked body read to its end", path: "/chunked", wantConns: 1},
		{name: "204 without body", path: "/empty", wantConns: 1},
		{name: "HEAD", path: "/big", head: true, wantConns: 1},
		{name: "body closed before its end", path: "/big", partial: 1, wantConns: 2},
		// Nothing of the stream is left in the buffer: only the missing EOF says the stream goes on.
		{name: "stream closed between chunks", path: "/hold", partial: len("hold;"), wantConns: 2},
		{name: "Connection: close answer", path: "/close", wantConns: 2},
		{name: "request with Close", path: "/", reqClose: true, wantConns: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, nil)
			before := conns()
			// Five plain requests first: one connection.
			for range 5 {
				if _, b := roundTrip(t, tr, get(t, srv.URL+"/")); b != "ok" {
					t.Fatalf("body %q", b)
				}
			}
			if n := conns() - before; n != 1 {
				t.Fatalf("5 sequential requests used %d connections, want 1", n)
			}
			req := get(t, srv.URL+tc.path)
			if tc.head {
				req.Method = http.MethodHead
			}
			req.Close = tc.reqClose
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.partial > 0 {
				if _, err := io.ReadFull(resp.Body, make([]byte, tc.partial)); err != nil {
					t.Fatal(err)
				}
			} else if b, err := io.ReadAll(resp.Body); err != nil {
				t.Fatal(err)
			} else if tc.path == "/chunked" && string(b) != "chunk 0;chunk 1;chunk 2;" {
				t.Fatalf("chunked body %q", b)
			}
			resp.Body.Close()
			if tc.partial > 0 || tc.reqClose || resp.Close {
				if n := idleCount(tr); n != 0 {
					t.Fatalf("%d idle connections after an answer whose connection cannot be reused", n)
				}
			}
			roundTrip(t, tr, get(t, srv.URL+"/"))
			if n := conns() - before; n != tc.wantConns {
				t.Errorf("used %d connections, want %d", n, tc.wantConns)
			}
		})
	}

	t.Run("request with Close, server keeps the connection anyway", func(t *testing.T) {
		srv := newRawServer(t, func(c net.Conn) {
			serveRequests(c, func(*http.Request, []byte) string {
				return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" // no Connection: close
			}, false)
		})
		tr := newTestTransport(t, nil)
		req := get(t, srv.url())
		req.Close = true
		roundTrip(t, tr, req)
		if n := idleCount(tr); n != 0 {
			t.Fatalf("%d idle connections after a request with Close", n)
		}
		roundTrip(t, tr, get(t, srv.url()))
		if n := srv.conns.Load(); n != 2 {
			t.Errorf("%d connections, want 2", n)
		}
	})
}

// 3. A streamed answer reaches the client chunk by chunk, while the
// handler is still writing.
func TestH1Streaming(t *testing.T) {
	gate := make(chan struct{})
	var handlerDone atomic.Bool
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer handlerDone.Store(true)
		w.Header().Set("Content-Type", "text/event-stream")
		f := w.(http.Flusher)
		for i := range 4 {
			if i == 1 {
				select { // the client must have the first event before the handler goes on
				case <-gate:
				case <-time.After(2 * time.Second):
					return
				}
			} else if i > 1 {
				time.Sleep(50 * time.Millisecond)
			}
			fmt.Fprintf(w, "data: {\"n\":%d}\n\n", i)
			f.Flush()
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	tr := newTestTransport(t, nil)
	start := time.Now()
	resp, err := tr.RoundTrip(get(t, srv.URL+"/v1/chat/completions"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength != -1 || fmt.Sprint(resp.TransferEncoding) != "[chunked]" {
		t.Errorf("ContentLength %d, Transfer-Encoding %v: not a chunked answer", resp.ContentLength, resp.TransferEncoding)
	}
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "data: {\"n\":0}\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	if handlerDone.Load() {
		t.Fatal("the first event was read only after the handler had finished")
	}
	close(gate)
	var events []string
	var stamps []time.Duration
	for {
		line, err := br.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "data: ") {
			events = append(events, strings.TrimSpace(line))
			stamps = append(stamps, time.Since(start))
		}
	}
	want := `[data: {"n":1} data: {"n":2} data: {"n":3} data: [DONE]]`
	if fmt.Sprint(events) != want {
		t.Errorf("events %v, want %s", events, want)
	}
	// Events 2 and 3 were written 50 ms apart; each must have come when written,
	// not all at the end.
	if len(stamps) == 4 && stamps[2]-stamps[1] < 10*time.Millisecond {
		t.Errorf("events 2 and 3 arrived %v apart, written 50 ms apart: the stream was buffered", stamps[2]-stamps[1])
	}
	resp.Body.Close()
	roundTrip(t, tr, get(t, srv.URL+"/v1/chat/completions?again"))
	if conns() != 1 {
		t.Errorf("a stream read to its end left its connection unused: %d connections", conns())
	}
}

// 4. A context that ends breaks the I/O, reports the context's error, and
// the connection is not used again.
func TestH1ContextCancel(t *testing.T) {
	serverSawCancel := make(chan struct{}, 1)
	release := make(chan struct{})
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select { // answers late: after the client's deadline
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		if r.URL.Path != "/stream" {
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			serverSawCancel <- struct{}{}
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the handlers

	t.Run("cancel mid-stream", func(t *testing.T) {
		tr := newTestTransport(t, nil)
		before := conns()
		roundTrip(t, tr, get(t, srv.URL+"/")) // the stream will reuse this connection
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req := get(t, srv.URL+"/stream").WithContext(ctx)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		buf := make([]byte, 64)
		n, err := resp.Body.Read(buf)
		if err != nil || !strings.HasPrefix(string(buf[:n]), "data: first") {
			t.Fatalf("first read %q, %v", buf[:n], err)
		}
		readErr := make(chan error, 1)
		go func() {
			_, err := resp.Body.Read(buf) // blocks: the server sends nothing more
			readErr <- err
		}()
		time.Sleep(20 * time.Millisecond) // let the Read block
		cancel()
		select {
		case err := <-readErr:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("pending Read returned %v, want context.Canceled", err)
			}
		case <-time.After(time.Second):
			t.Fatal("pending Read not broken by the cancellation")
		}
		select {
		case <-serverSawCancel:
		case <-time.After(time.Second):
			t.Fatal("the handler's context was not canceled: the server did not see the client go")
		}
		if _, err := resp.Body.Read(buf); err == nil {
			t.Error("Read after the cancellation succeeded")
		}
		resp.Body.Close()
		roundTrip(t, tr, get(t, srv.URL+"/"))
		if n := conns() - before; n != 2 {
			t.Errorf("%d connections; want 2: the canceled one must not be reused", n)
		}
	})

	t.Run("deadline before the answer", func(t *testing.T) {
		tr := newTestTransport(t, nil)
		before := conns()
		roundTrip(t, tr, get(t, srv.URL+"/")) // the slow request will reuse this connection
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		resp, err := roundTripWithin(t, 2*time.Second, tr, get(t, srv.URL+"/slow").WithContext(ctx))
		if err == nil {
			resp.Body.Close()
			t.Fatal("RoundTrip succeeded past its deadline")
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("RoundTrip returned %v after a 50 ms deadline", d)
		}
		if n := idleCount(tr); n != 0 {
			t.Errorf("%d idle connections after the deadline", n)
		}
		roundTrip(t, tr, get(t, srv.URL+"/"))
		if n := conns() - before; n != 2 {
			t.Errorf("%d connections; want 2: the timed-out one must not be reused", n)
		}
	})

	t.Run("context done before the request, no pooled connection", func(t *testing.T) {
		tr := newTestTransport(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := roundTripWithin(t, 2*time.Second, tr, get(t, srv.URL+"/").WithContext(ctx))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}

// A request whose context has already ended must not reach the server, on
// a new connection or a pooled one.
func TestH1ContextDoneBeforeRoundTrip(t *testing.T) {
	var served atomic.Int32
	srv, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/canceled" {
			served.Add(1)
		}
		io.WriteString(w, "ok")
	}))
	tr := newTestTransport(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	answered := 0
	for range 20 {
		roundTrip(t, tr, get(t, srv.URL+"/")) // a pooled connection for the next request
		resp, err := roundTripWithin(t, 2*time.Second, tr, get(t, srv.URL+"/canceled").WithContext(ctx))
		if err == nil {
			answered++
			resp.Body.Close()
		} else if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	}
	roundTrip(t, tr, get(t, srv.URL+"/")) // the server has read whatever was sent before this
	if n := served.Load(); n != 0 || answered != 0 {
		t.Errorf("of 20 requests whose context was already canceled, %d reached the server and %d got an answer; want 0 and 0",
			n, answered)
	}
}

// 5. A pooled connection the server has closed is replaced, once, by a new
// one, and the request body is sent again whole.
func TestH1StaleConnectionRetry(t *testing.T) {
	newRequest := map[string]func(t *testing.T, u string) *http.Request{
		"POST bytes.Reader": func(t *testing.T, u string) *http.Request {
			req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader([]byte(`{"model":"m"}`)))
			if err != nil {
				t.Fatal(err)
			}
			return req
		},
		"POST strings.Reader": func(t *testing.T, u string) *http.Request {
			req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(`{"model":"m"}`))
			if err != nil {
				t.Fatal(err)
			}
			return req
		},
		"GET without body": func(t *testing.T, u string) *http.Request {
			req, err := http.NewRequest(http.MethodGet, u, nil) // Body and GetBody nil
			if err != nil {
				t.Fatal(err)
			}
			return req
		},
	}
	for _, name := range []string{"POST bytes.Reader", "POST strings.Reader", "GET without body"} {
		t.Run("server closes after each answer/"+name, func(t *testing.T) {
			var mu sync.Mutex
			var bodies []string
			srv := newRawServer(t, func(c net.Conn) {
				serveRequests(c, func(req *http.Request, body []byte) string {
					mu.Lock()
					bodies = append(bodies, req.Method+" "+string(body))
					mu.Unlock()
					// keep-alive as far as the client can tell; the server closes anyway
					return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
				}, true)
			})
			tr := newTestTransport(t, nil)
			for i := range 3 {
				resp, err := roundTripWithin(t, 2*time.Second, tr, newRequest[name](t, srv.url()+"/v1/x"))
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || string(b) != "ok" {
					t.Fatalf("request %d: body %q, %v", i, b, err)
				}
			}
			if n := srv.conns.Load(); n != 3 {
				t.Errorf("%d connections, want 3 (one per request)", n)
			}
			mu.Lock()
			defer mu.Unlock()
			want := newRequest[name](t, "http://x/").Method + " "
			if strings.HasPrefix(name, "POST") {
				want += `{"model":"m"}`
			}
			if len(bodies) != 3 || bodies[0] != want || bodies[1] != want || bodies[2] != want {
				t.Errorf("server received %q, want 3 × %q", bodies, want)
			}
		})
	}

	t.Run("CloseClientConnections between requests", func(t *testing.T) {
		var served atomic.Int32
		srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			served.Add(1)
			w.Write(b)
		}))
		tr := newTestTransport(t, nil)
		for i := range 3 {
			req := newRequest["POST bytes.Reader"](t, srv.URL)
			if _, b := roundTrip(t, tr, req); b != `{"model":"m"}` {
				t.Fatalf("request %d: echo %q", i, b)
			}
			srv.CloseClientConnections()
		}
		if conns() != 3 || served.Load() != 3 {
			t.Errorf("%d connections, %d requests served; want 3 and 3", conns(), served.Load())
		}
	})

	t.Run("fresh connection failing is not retried", func(t *testing.T) {
		srv := newRawServer(t, func(c net.Conn) {
			http.ReadRequest(bufio.NewReader(c)) // then close without answering
		})
		tr := newTestTransport(t, nil)
		_, err := roundTripWithin(t, 2*time.Second, tr, newRequest["POST bytes.Reader"](t, srv.url()))
		if err == nil {
			t.Fatal("RoundTrip succeeded without an answer")
		}
		if n := srv.conns.Load(); n != 1 {
			t.Errorf("%d connections, want 1: a fresh connection that fails is not retried", n)
		}
	})

	t.Run("reused connection that answered part is not retried", func(t *testing.T) {
		var reqs atomic.Int32
		srv := newRawServer(t, func(c net.Conn) {
			serveRequests(c, func(*http.Request, []byte) string {
				if reqs.Add(1) == 1 {
					return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
				}
				c.Write([]byte("HTTP/1.1 200 O")) // then close mid-head
				c.Close()
				return ""
			}, false)
		})
		tr := newTestTransport(t, nil)
		roundTrip(t, tr, newRequest["POST bytes.Reader"](t, srv.url()))
		_, err := roundTripWithin(t, 2*time.Second, tr, newRequest["POST bytes.Reader"](t, srv.url()))
		if err == nil {
			t.Fatal("RoundTrip succeeded on a truncated answer")
		}
		if n := reqs.Load(); n != 2 {
			t.Errorf("server saw %d requests, want 2: the request was sent again after part of an answer", n)
		}
	})
}

// 6. https, with and without trust in the server's certificate.
func TestH1TLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s tls=%v proto=%s", r.Method, r.URL.Path, r.TLS != nil, r.Proto)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)

	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())

	t.Run("trusted", func(t *testing.T) {
		tr := newTestTransport(t, &tls.Config{RootCAs: roots})
		for range 2 {
			resp, b := roundTrip(t, tr, get(t, srv.URL+"/v1/models"))
			if resp.StatusCode != 200 || b != "GET /v1/models tls=true proto=HTTP/1.1" {
				t.Fatalf("answer %d %q", resp.StatusCode, b)
			}
		}
		if n := idleCount(tr); n != 1 {
			t.Errorf("%d idle TLS connections, want 1", n)
		}
	})
	t.Run("ServerName from the URL", func(t *testing.T) {
		// httptest's certificate is for 127.0.0.1 and example.com, not localhost.
		tr := newTestTransport(t, &tls.Config{RootCAs: roots})
		u, _ := url.Parse(srv.URL)
		_, err := roundTripWithin(t, 2*time.Second, tr, get(t, "https://localhost:"+u.Port()+"/"))
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) {
			t.Errorf("err = %v, want a certificate verification error for the name localhost", err)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		tr := newTestTransport(t, nil) // the system roots do not know httptest's CA
		_, err := roundTripWithin(t, 2*time.Second, tr, get(t, srv.URL+"/"))
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) {
			t.Errorf("err = %v, want a certificate verification error", err)
		}
	})
}

// 7. Values that would split the request are refused before a byte is sent.
func TestH1RefusesRequestSplitting(t *testing.T) {
	// Each connection reports the bytes it received when the client closes
	// it, or, if the client waits for an answer, after 200 ms; then the
	// server closes it, unanswered.
	received := make(chan string, 16)
	srv := newRawServer(t, func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		b, _ := io.ReadAll(c)
		received <- string(b)
	})
	for _, tc := range []struct {
		name   string
		mutate func(req *http.Request)
	}{
		{"CRLF in a header value", func(r *http.Request) { r.Header.Set("X-Custom", "a\r\nX-Injected: 1") }},
		{"LF in a header value", func(r *http.Request) { r.Header.Set("X-Custom", "a\nX-Injected: 1") }},
		{"CR in a header value", func(r *http.Request) { r.Header.Set("X-Custom", "a\rX-Injected: 1") }},
		{"NUL in a header value", func(r *http.Request) { r.Header.Set("X-Custom", "a\x00b") }},
		{"CRLF in the second value", func(r *http.Request) {
			r.Header.Add("X-Custom", "fine")
			r.Header.Add("X-Custom", "x\r\n\r\nGET /smuggled HTTP/1.1")
		}},
		{"CRLF in Host", func(r *http.Request) { r.Host = "h\r\nX-Injected: 1" }},
		{"CRLF in the method", func(r *http.Request) { r.Method = "GET\r\nX-Injected:" }},
		{"space in the method", func(r *http.Request) { r.Method = "GET /smuggled" }},
		{"CRLF in the raw query", func(r *http.Request) { r.URL.RawQuery = "a=1 HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /smuggled" }},
		{"CRLF in an opaque URL", func(r *http.Request) { r.URL.Opaque = "/x HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET /smuggled" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, nil)
			req := get(t, srv.url()+"/v1/x")
			req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
			tc.mutate(req)
			before := srv.conns.Load()
			resp, err := roundTripWithin(t, 2*time.Second, tr, req)
			if err == nil {
				resp.Body.Close()
				t.Error("RoundTrip succeeded")
			}
			tr.CloseIdle()
			if srv.conns.Load() == before {
				// Refused before dialling: nothing can have been sent, unless
				// a connection is still being accepted.
				select {
				case b := <-received:
					if b != "" {
						t.Errorf("the server received %q", b)
					}
				case <-time.After(50 * time.Millisecond):
				}
				return
			}
			select {
			case b := <-received:
				if b != "" {
					t.Errorf("the server received %q", b)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("the connection was not closed")
			}
		})
	}
}

// A request refused before it is sent, on a pooled connection, fails with
// an error, whatever its body: it is not sent again, and does not panic.
func TestH1RefusedRequestOnPooledConnection(t *testing.T) {
	var served atomic.Int32
	srv, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.WriteString(w, "ok")
	}))
	for _, tc := range []struct {
		name string
		body io.Reader
	}{
		{"GET, body bytes.Reader", bytes.NewReader(nil)},
		{"GET, body nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, nil)
			roundTrip(t, tr, get(t, srv.URL+"/")) // pools a connection
			before := served.Load()
			req, err := http.NewRequest(http.MethodGet, srv.URL+"/x", tc.body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Custom", "a\r\nX-Injected: 1")
			_, err = roundTripWithin(t, 2*time.Second, tr, req)
			if err == nil || !strings.Contains(err.Error(), "invalid value for header") {
				t.Errorf("err = %v, want the invalid header error", err)
			}
			if n := served.Load() - before; n != 0 {
				t.Errorf("%d requests served", n)
			}
		})
	}
}

// Framing headers in req.Header are the transport's to write: a caller's
// Transfer-Encoding must not reach the server beside the Content-Length
// the transport writes (net/http leaves it out too).
func TestH1CallerFramingHeadersNotSent(t *testing.T) {
	type seen struct {
		te   []string
		body string
		err  error
	}
	got := make(chan seen, 1)
	srv := newRawServer(t, func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)) // a body read as chunked would wait forever
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			got <- seen{err: err}
			return
		}
		b, err := io.ReadAll(req.Body)
		got <- seen{te: req.TransferEncoding, body: string(b), err: err}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})
	tr := newTestTransport(t, nil)
	req, err := http.NewRequest(http.MethodPost, srv.url(), strings.NewReader(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Transfer-Encoding", "chunked")
	resp, rtErr := roundTripWithin(t, 2*time.Second, tr, req)
	if rtErr == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	select {
	case s := <-got:
		switch {
		case rtErr != nil && errors.Is(s.err, io.EOF):
			// refused before sending: fine too
		case s.err != nil || s.te != nil || s.body != `{"a":1}`:
			t.Errorf("server read Transfer-Encoding %q, body %q, err %v; want no Transfer-Encoding and the body as sent (RoundTrip: %v)",
				s.te, s.body, s.err, rtErr)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the server received no request")
	}
}

// 8. Interim 1xx answers before the final one are skipped.
func TestH1InterimResponses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		interim string
	}{
		{"100 Continue", "HTTP/1.1 100 Continue\r\n\r\n"},
		{"103 Early Hints", "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"},
		{"100 then two 103", "HTTP/1.1 100 Continue\r\n\r\n" +
			"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" +
			"HTTP/1.1 103 Early Hints\r\nLink: </b.js>; rel=preload\r\n\r\n"},
		{"102 Processing", "HTTP/1.1 102 Processing\r\n\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRawServer(t, func(c net.Conn) {
				serveRequests(c, func(_ *http.Request, body []byte) string {
					return tc.interim + "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
						fmt.Sprint(len(body)) + "\r\n\r\n" + string(body)
				}, false)
			})
			tr := newTestTransport(t, nil)
			for i := range 2 { // the second on the same connection: nothing of the first is left
				req, err := http.NewRequest(http.MethodPost, srv.url(), strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := roundTripWithin(t, 2*time.Second, tr, req)
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || string(b) != fmt.Sprintf(`{"n":%d}`, i) {
					t.Fatalf("answer %d %q, %v", resp.StatusCode, b, err)
				}
				if resp.Header.Get("Link") != "" || resp.Header.Get("Content-Type") != "application/json" {
					t.Errorf("final headers %v", resp.Header)
				}
			}
			if n := srv.conns.Load(); n != 1 {
				t.Errorf("%d connections, want 1", n)
			}
		})
	}
}

// errReader fails after its data.
type errReader struct{ data []byte }

func (r *errReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, errors.New("disk on fire")
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// 9. A body that does not match its length is an error, at once.
func TestH1RequestBodyLength(t *testing.T) {
	var served atomic.Int32
	srv, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A body shorter than its Content-Length would keep both sides waiting.
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		io.ReadAll(r.Body)
		served.Add(1)
		io.WriteString(w, "ok")
	}))
	for _, tc := range []struct {
		name    string
		body    io.Reader
		length  int64
		pooled  bool   // a connection is pooled first
		wantErr string // "": any error
	}{
		{name: "shorter than ContentLength", body: strings.NewReader("12345"), length: 10, wantErr: "does not match ContentLength=10"},
		{name: "shorter than ContentLength, pooled connection", body: strings.NewReader("12345"), length: 10, pooled: true, wantErr: "does not match ContentLength=10"},
		{name: "unknown length", body: io.MultiReader(strings.NewReader("12345")), length: -1, wantErr: "needs its length"},
		{name: "unknown length, pooled connection", body: io.MultiReader(strings.NewReader("12345")), length: -1, pooled: true, wantErr: "needs its length"},
		{name: "zero length with a body", body: io.MultiReader(strings.NewReader("12345")), length: 0, wantErr: "needs its length"},
		{name: "body read fails", body: &errReader{data: []byte("12345")}, length: 10, wantErr: "disk on fire"},
		{name: "longer than ContentLength", body: strings.NewReader("1234567890"), length: 5}, // any error
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTestTransport(t, nil)
			if tc.pooled {
				roundTrip(t, tr, get(t, srv.URL+"/"))
			}
			before := served.Load()
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/x", tc.body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tc.length
			resp, err := roundTripWithin(t, 2*time.Second, tr, req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("RoundTrip succeeded; want an error (containing %q)", tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			roundTrip(t, tr, get(t, srv.URL+"/")) // the server has seen whatever was sent before
			if n := served.Load() - before; n != 1 {
				t.Errorf("server handled %d requests; want 1, the check after the refused one", n)
			}
		})
	}
}

// Close from another goroutine ends a Read blocked on a silent stream, as
// net/http's response bodies allow.
func TestH1CloseUnblocksRead(t *testing.T) {
	release := make(chan struct{})
	srv, _ := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
			io.WriteString(w, "data: late\n\n")
		}
	}))
	t.Cleanup(func() { close(release) }) // unblocks a Close that hangs
	tr := newTestTransport(t, nil)
	resp, err := tr.RoundTrip(get(t, srv.URL+"/"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := resp.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	readErr := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(buf)
		readErr <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the Read block
	closed := make(chan struct{})
	go func() {
		resp.Body.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(300 * time.Millisecond):
		t.Fatal("Body.Close blocked while a Read was pending")
	}
	select {
	case err := <-readErr:
		if err == nil {
			t.Error("the pending Read succeeded after Close")
		}
	case <-time.After(time.Second):
		t.Fatal("the pending Read did not end after Close")
	}
}

// 10. Many goroutines share the transport; the pool keeps at most maxIdle
// connections.
func TestH1Concurrency(t *testing.T) {
	const goroutines, requests, maxIdle = 20, 50, 4
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("stream") != "" {
			for i := range 3 {
				fmt.Fprintf(w, "%s-%d;", b, i)
				w.(http.Flusher).Flush()
			}
			return
		}
		w.Write(b)
	}))
	tr := newTestTransport(t, nil)
	tr.maxIdle = maxIdle
	key := "http://" + strings.TrimPrefix(srv.URL, "http://")

	var maxSeen atomic.Int32
	checkPool := func() {
		tr.mu.Lock()
		n := int32(len(tr.idle[key]))
		tr.mu.Unlock()
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				return
			}
		}
	}
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range requests {
				payload := fmt.Sprintf("g%d-r%d", g, i)
				u := srv.URL + "/echo"
				want := payload
				if i%5 == 0 {
					u += "?stream=1"
					want = payload + "-0;" + payload + "-1;" + payload + "-2;"
				}
				req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(payload))
				if err != nil {
					errs <- err
					return
				}
				resp, err := tr.RoundTrip(req)
				if err != nil {
					errs <- fmt.Errorf("%s: %w", payload, err)
					return
				}
				var b []byte
				if i%7 == 3 { // some bodies are left before their end
					b = make([]byte, 1)
					_, err = io.ReadFull(resp.Body, b)
					want = want[:1]
				} else {
					b, err = io.ReadAll(resp.Body)
				}
				resp.Body.Close()
				if err != nil || string(b) != want {
					errs <- fmt.Errorf("%s: body %q, %v; want %q", payload, b, err, want)
					return
				}
				checkPool()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkPool()
	if m := maxSeen.Load(); m > maxIdle || m == 0 {
		t.Errorf("the pool held up to %d idle connections; want 1..%d", m, maxIdle)
	}
	if n := idleCount(tr); n > maxIdle {
		t.Errorf("%d idle connections at the end, maxIdle %d", n, maxIdle)
	}
	t.Logf("%d requests over %d connections", goroutines*requests, conns())
}

// Idle connections past idleTimeout are not used; CloseIdle empties the pool.
func TestH1IdleTimeoutAndCloseIdle(t *testing.T) {
	srv, conns := countingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	tr := newTestTransport(t, nil)
	roundTrip(t, tr, get(t, srv.URL+"/"))
	tr.mu.Lock()
	for _, cs := range tr.idle {
		for _, c := range cs {
			c.idleAt = time.Now().Add(-tr.idleTimeout)
		}
	}
	tr.mu.Unlock()
	roundTrip(t, tr, get(t, srv.URL+"/"))
	if conns() != 2 {
		t.Errorf("%d connections: a connection idle past idleTimeout was used", conns())
	}
	if n := idleCount(tr); n != 1 {
		t.Errorf("%d idle connections, want 1", n)
	}
	tr.CloseIdle()
	if n := idleCount(tr); n != 0 {
		t.Errorf("%d idle connections after CloseIdle", n)
	}
	roundTrip(t, tr, get(t, srv.URL+"/"))
	if conns() != 3 {
		t.Errorf("%d connections after CloseIdle, want 3", conns())
	}
}

func TestH1UnsupportedScheme(t *testing.T) {
	tr := newTestTransport(t, nil)
	closed := false
	req := get(t, "ftp://127.0.0.1/x")
	req.Body = closeNotifier{func() { closed = true }}
	if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), "unsupported scheme") {
		t.Errorf("err = %v", err)
	}
	if !closed {
		t.Error("the request body was not closed")
	}
}

type closeNotifier struct{ onClose func() }

func (closeNotifier) Read([]byte) (int, error) { return 0, io.EOF }
func (c closeNotifier) Close() error           { c.onClose(); return nil }
