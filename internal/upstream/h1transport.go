package upstream

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// h1Transport is an http.RoundTripper for HTTP/1.1 model servers that does
// all its I/O on the calling goroutine.
//
// net/http's Transport hands every request to a writer goroutine and every
// response back from a reader goroutine; on the gateway's hot path those
// wake-ups cost more CPU than the proxying itself (docs/benchmarks.md).
// Here one goroutine writes the request, parses the answer with net/http's
// own http.ReadResponse and reads the body, and the connection goes back
// to the idle pool when the body ends. A context that ends (the client left,
// the timeout passed) breaks the connection's I/O through its deadline.
type h1Transport struct {
	dialer      net.Dialer
	tlsConfig   *tls.Config // for https; nil: the system roots
	idleTimeout time.Duration
	maxIdle     int // per host

	mu   sync.Mutex
	idle map[string][]*h1Conn // by scheme://host:port, oldest first
}

func newH1Transport(tlsConfig *tls.Config) *h1Transport {
	return &h1Transport{
		dialer:      net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second},
		tlsConfig:   tlsConfig,
		idleTimeout: 90 * time.Second,
		maxIdle:     256,
		idle:        map[string][]*h1Conn{},
	}
}

// h1Conn is one connection to an upstream, with its buffers.
type h1Conn struct {
	net.Conn
	key    string
	br     *bufio.Reader
	bw     *bufio.Writer
	read   int64 // bytes read so far: a retry is safe only when none came back
	idleAt time.Time
}

func (c *h1Conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read += int64(n)
	return n, err
}

// tlsHandshakeTimeout bounds a TLS handshake, as net/http's default does.
const tlsHandshakeTimeout = 10 * time.Second

// aLongTimeAgo is a deadline that makes pending I/O fail at once.
var aLongTimeAgo = time.Unix(1, 0)

// RoundTrip sends req and returns the response; its body streams from the
// connection.
//
// A request on a reused connection that fails before any byte of an answer
// comes back is sent once more on a new connection. That is how a server
// closing an idle keep-alive connection shows here (net/http notices it
// with a reader goroutine per connection, which is what this transport
// avoids); a server that took the request and then closed without a byte
// of answer is the rarer case, and the cost of a second generation is
// accepted for it.
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.roundTrip(req, time.Time{})
}

// roundTrip is RoundTrip with a deadline for the whole call, body
// included, when not zero. It is the connection's deadline: cheaper than a
// context with a timer on every call.
func (t *h1Transport) roundTrip(req *http.Request, deadline time.Time) (*http.Response, error) {
	if err := checkRequest(req); err != nil {
		closeBody(req)
		return nil, err
	}
	ctx := req.Context()
	key := req.URL.Scheme + "://" + hostPort(req.URL.Scheme, req.URL.Host)
	body := req.Body
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			closeReader(body)
			return nil, err
		}
		c, reused, err := t.conn(ctx, key, req.URL, attempt > 0, deadline)
		if err != nil {
			closeReader(body)
			return nil, ctxErr(ctx, err)
		}
		resp, retry, err := t.exchange(c, req, body, reused, deadline)
		if err == nil {
			return resp, nil
		}
		c.Close()
		if !retry || ctx.Err() != nil {
			return nil, ctxErr(ctx, err)
		}
		if body, err = rewind(req); err != nil {
			return nil, err
		}
	}
}

// rewind returns a fresh copy of the request's body for a retry.
func rewind(req *http.Request) (io.ReadCloser, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req.Body, nil
	}
	return req.GetBody()
}

// canRewind tells whether the body can be sent again.
func canRewind(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// maxInterim bounds the 1xx answers skipped before the real one, as
// net/http does.
const maxInterim = 5

// exchange writes req (with body) on c and reads the response head. retry
// reports whether the request may be sent again: c was reused and the
// server answered nothing.
func (t *h1Transport) exchange(c *h1Conn, req *http.Request, body io.ReadCloser, reused bool, deadline time.Time) (resp *http.Response, retry bool, err error) {
	ctx := req.Context()
	if !deadline.IsZero() {
		_ = c.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(aLongTimeAgo) })
	before := c.read
	canRetry := func() bool { return reused && c.read == before && canRewind(req) }
	if err := writeRequest(c.bw, req, body); err != nil {
		stop()
		return nil, canRetry(), err
	}
	for interim := 0; ; interim++ {
		resp, err = http.ReadResponse(c.br, req)
		if err != nil {
			stop()
			return nil, canRetry(), err
		}
		// 1xx answers (100 Continue, 103 Early Hints) precede the real one.
		if resp.StatusCode < 100 || resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		if interim == maxInterim {
			stop()
			return nil, false, errors.New("upstream: too many 1xx answers")
		}
	}
	resp.Body = &h1Body{rc: resp.Body, c: c, t: t, ctx: ctx, stop: stop, reuse: !resp.Close && !req.Close}
	return resp, false, nil
}

// checkRequest refuses, before any connection is used, what the transport
// cannot send as is: other schemes, bodies of unknown length, and anything
// that would split the request (control characters in the request line or
// headers).
func checkRequest(req *http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("upstream: unsupported scheme %q", req.URL.Scheme)
	}
	if req.Body != nil && req.Body != http.NoBody && req.ContentLength <= 0 {
		return errors.New("upstream: a request body needs its length")
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if req.Method == "" || !validToken(req.Method) || !validHeaderValue(host) || host == "" || !validTarget(req.URL.RequestURI()) {
		return errors.New("upstream: invalid request line")
	}
	for k, vs := range req.Header {
		if !validToken(k) {
			return fmt.Errorf("upstream: invalid header name %q", k)
		}
		for _, v := range vs {
			if !validHeaderValue(v) {
				return fmt.Errorf("upstream: invalid value for header %s", k)
			}
		}
	}
	return nil
}

// framingHeaders are the transport's own to write (or not to send at all).
var framingHeaders = map[string]bool{"Host": true, "Content-Length": true, "Connection": true,
	"Transfer-Encoding": true, "Trailer": true, "Te": true, "Upgrade": true, "Keep-Alive": true, "Proxy-Connection": true}

// writeRequest writes the request line, headers and body (of
// req.ContentLength bytes, checked), and flushes them in one write.
func writeRequest(bw *bufio.Writer, req *http.Request, body io.ReadCloser) error {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	bw.WriteString(req.URL.RequestURI())
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(host)
	bw.WriteString("\r\n")
	if req.Header.Get("User-Agent") == "" {
		bw.WriteString("User-Agent: gatehouse\r\n")
	}
	for k, vs := range req.Header {
		if framingHeaders[k] {
			continue
		}
		for _, v := range vs {
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
	if req.Close {
		bw.WriteString("Connection: close\r\n")
	}
	if req.ContentLength > 0 {
		bw.WriteString("Content-Length: ")
		bw.WriteString(strconv.FormatInt(req.ContentLength, 10))
		bw.WriteString("\r\n")
	}
	bw.WriteString("\r\n")
	if err := writeBody(bw, req.ContentLength, body); err != nil {
		return err
	}
	return bw.Flush()
}

// writeBody copies exactly n bytes of body; a body of another length is
// an error, as in net/http.
func writeBody(bw *bufio.Writer, n int64, body io.ReadCloser) error {
	if body == nil || body == http.NoBody {
		return nil
	}
	defer body.Close()
	got, err := io.Copy(bw, io.LimitReader(body, n))
	if err != nil {
		return err
	}
	var extra [1]byte
	if m, _ := body.Read(extra[:]); got != n || m > 0 {
		return fmt.Errorf("upstream: request body length does not match ContentLength=%d", n)
	}
	return nil
}

// validHeaderValue refuses what would split the request: CR, LF, NUL.
func validHeaderValue(v string) bool { return !strings.ContainsAny(v, "\r\n\x00") }

// validToken is a method or header name: visible ASCII, no separators
// that matter here.
func validToken(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// validTarget is a request target with no space or control character.
func validTarget(u string) bool {
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return u != ""
}

// h1Body is a response body; at its end the connection goes back to the
// pool, if it can carry another request. Close may be called while a Read
// waits (from another goroutine): it closes the connection, which ends the
// Read.
type h1Body struct {
	rc    io.ReadCloser
	c     *h1Conn
	t     *h1Transport
	ctx   context.Context
	stop  func() bool
	reuse bool
	done  atomic.Bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.done.Load() {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.finish(true)
	case err != nil:
		b.finish(false)
		err = ctxErr(b.ctx, err)
	}
	return n, err
}

// Close before the end of the body closes the connection: what remains
// could be a long stream.
func (b *h1Body) Close() error {
	b.finish(false)
	return nil
}

// finish runs once, from whichever of Read (at the end) or Close comes first.
func (b *h1Body) finish(eof bool) {
	if !b.done.CompareAndSwap(false, true) {
		return
	}
	// stop is false when the context's deadline hook ran or is running.
	if b.stop() && eof && b.reuse && b.c.br.Buffered() == 0 {
		b.t.putIdle(b.c)
		return
	}
	b.c.Close()
}

// conn returns an idle connection to key, or dials one (always, if fresh),
// by the deadline if there is one.
func (t *h1Transport) conn(ctx context.Context, key string, u *url.URL, fresh bool, deadline time.Time) (*h1Conn, bool, error) {
	if !fresh {
		if c := t.getIdle(key); c != nil {
			return c, true, nil
		}
	}
	scheme, addr, _ := strings.Cut(key, "://")
	d := t.dialer
	if !deadline.IsZero() {
		d.Deadline = deadline
	}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	if scheme == "https" {
		cfg := &tls.Config{}
		if t.tlsConfig != nil {
			cfg = t.tlsConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, cfg)
		// A server that accepts and then says nothing: 10 s, as net/http.
		hs := time.Now().Add(tlsHandshakeTimeout)
		if !deadline.IsZero() && deadline.Before(hs) {
			hs = deadline
		}
		_ = nc.SetDeadline(hs)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, false, err
		}
		_ = nc.SetDeadline(time.Time{}) // exchange sets the call's own
		nc = tc
	}
	c := &h1Conn{Conn: nc, key: key}
	c.br = bufio.NewReaderSize(c, 16<<10)
	c.bw = bufio.NewWriterSize(nc, 16<<10)
	return c, false, nil
}

func (t *h1Transport) getIdle(key string) *h1Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	cs := t.idle[key]
	for len(cs) > 0 {
		c := cs[len(cs)-1] // the most recently used: the least likely to be closed by the server
		cs = cs[:len(cs)-1]
		if time.Since(c.idleAt) < t.idleTimeout {
			t.idle[key] = cs
			return c
		}
		c.Close()
	}
	t.idle[key] = cs
	return nil
}

func (t *h1Transport) putIdle(c *h1Conn) {
	if t.maxIdle <= 0 {
		c.Close()
		return
	}
	_ = c.SetDeadline(time.Time{})
	now := time.Now()
	c.idleAt = now
	t.mu.Lock()
	defer t.mu.Unlock()
	cs := t.idle[c.key]
	// Connections idle too long, or over the limit, are closed oldest first.
	drop := 0
	for drop < len(cs) && (now.Sub(cs[drop].idleAt) >= t.idleTimeout || len(cs)-drop >= t.maxIdle) {
		cs[drop].Close()
		drop++
	}
	t.idle[c.key] = append(cs[drop:], c)
}

// CloseIdle closes every idle connection.
func (t *h1Transport) CloseIdle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, cs := range t.idle {
		for _, c := range cs {
			c.Close()
		}
		delete(t.idle, k)
	}
}

func hostPort(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if scheme == "https" {
		return net.JoinHostPort(host, "443")
	}
	return net.JoinHostPort(host, "80")
}

// ctxErr reports the context's error in place of the I/O error its
// deadline hook caused, as net/http does, and a passed call deadline as
// context.DeadlineExceeded.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("upstream: %w: %w", context.DeadlineExceeded, err)
	}
	return err
}

func closeBody(req *http.Request) { closeReader(req.Body) }

func closeReader(r io.ReadCloser) {
	if r != nil {
		r.Close()
	}
}
