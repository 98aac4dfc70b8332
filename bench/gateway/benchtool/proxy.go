package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// proxy is a reverse proxy with no logic at all, over TLS, forwarding every
// POST to one upstream URL: the floor of what a Go proxy costs on this
// machine, to read gatehouse's figures against.
//
//	-stack nethttp   net/http's server and Transport (what gatehouse is built on)
//	-stack fasthttp  github.com/valyala/fasthttp's server and HostClient
//	-work 20us       CPU work added to every request (a busy loop): what a
//	                 proxy with that much logic would cost on that stack
func proxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	up := fs.String("upstream", "", "upstream URL (http://host:port/path)")
	stack := fs.String("stack", "nethttp", "nethttp or fasthttp")
	cert := fs.String("cert", "", "TLS certificate (PEM)")
	key := fs.String("key", "", "TLS key (PEM)")
	fs.DurationVar(&work, "work", 0, "CPU work added to every request")
	_ = fs.Parse(args)
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{pair}, NextProtos: []string{"http/1.1"}})
	switch *stack {
	case "nethttp":
		return http.Serve(tlsLn, netHTTPProxy(*up))
	case "fasthttp":
		return fastHTTPProxy(*up).Serve(tlsLn)
	}
	return fmt.Errorf("unknown stack %q", *stack)
}

// work is the busy time added to each request (-work).
var work time.Duration

// burn spins for work, hashing so that the loop is not optimized away.
func burn() {
	if work <= 0 {
		return
	}
	var h uint64 = 14695981039346656037
	for start := time.Now(); time.Since(start) < work; {
		for i := 0; i < 64; i++ {
			h = (h ^ uint64(i)) * 1099511628211
		}
	}
	sink.Store(h)
}

var sink atomic.Uint64

func netHTTPProxy(up string) http.Handler {
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		burn()
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, up, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}

func fastHTTPProxy(up string) *fasthttp.Server {
	var u fasthttp.URI
	_ = u.Parse(nil, []byte(up))
	hc := &fasthttp.HostClient{Addr: string(u.Host()), MaxConns: 512}
	return &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		burn()
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI(up)
		req.Header.SetMethod(fasthttp.MethodPost)
		req.Header.SetContentType("application/json")
		req.SetBody(ctx.PostBody())
		if err := hc.Do(req, resp); err != nil {
			ctx.Error(err.Error(), fasthttp.StatusBadGateway)
			return
		}
		ctx.SetStatusCode(resp.StatusCode())
		ctx.Response.Header.SetContentTypeBytes(resp.Header.ContentType())
		ctx.SetBody(resp.Body())
	}}
}
