package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/valyala/fasthttp"
)

// proxy is a reverse proxy with no logic at all, over TLS, forwarding every
// POST to one upstream URL: the floor of what a Go proxy costs on this
// machine, to read gatehouse's figures against.
//
//	-stack nethttp   net/http's server and Transport (what gatehouse is built on)
//	-stack fasthttp  github.com/valyala/fasthttp's server and HostClient
func proxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	up := fs.String("upstream", "", "upstream URL (http://host:port/path)")
	stack := fs.String("stack", "nethttp", "nethttp or fasthttp")
	cert := fs.String("cert", "", "TLS certificate (PEM)")
	key := fs.String("key", "", "TLS key (PEM)")
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

func netHTTPProxy(up string) http.Handler {
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
