// Command benchtool is the Go half of bench/gateway/run.sh (its own
// module, so the product's build never sees it or its dependency):
//
//	benchtool ttfb -n 100 -cacert ca.pem name=URL[,TOKENFILE] ...
//	    streamed time to first byte: sends the same stream:true chat
//	    request to each target in turn (interleaved, sequential, keep-alive,
//	    HTTP/1.1) and prints one JSON line per target with the medians and
//	    p90s, in milliseconds, of the time to the response headers, to the
//	    first body byte, to the first content token and to the end.
//	benchtool rate -rate 500 -c 10 -d 4s -body chat.json [-token-file F] URL
//	    a fixed-rate (open-loop) load below saturation; one JSON line.
//	benchtool proxy -stack nethttp|fasthttp -upstream URL -cert C -key K -addr A
//	    a TLS reverse proxy with no logic: the floor of a Go proxy.
//	benchtool summarize -wrk wrk.jsonl -rate rate.jsonl -ttfb ttfb.jsonl
//	    medians over the repetitions, added latency and the targets, as
//	    Markdown.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool ttfb|summarize …")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "ttfb":
		err = ttfb(os.Args[2:])
	case "rate":
		err = rate(os.Args[2:])
	case "summarize":
		err = summarize(os.Args[2:])
	case "proxy":
		err = proxy(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

// ---- ttfb ----

type target struct {
	name, url, token           string
	hdr, first, content, total []float64 // ms
}

func ttfb(args []string) error {
	fs := flag.NewFlagSet("ttfb", flag.ExitOnError)
	n := fs.Int("n", 100, "measured requests per target")
	warm := fs.Int("warmup", 5, "unmeasured requests per target first")
	cafile := fs.String("cacert", "", "CA certificate (PEM) for https targets")
	model := fs.String("model", "gpt-4o-mini", `"model" in the body`)
	maxTokens := fs.Int("max-tokens", 8, "max_tokens of the streamed reply")
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		return fmt.Errorf("ttfb: name=URL[,TOKENFILE] targets expected")
	}
	tlsCfg := &tls.Config{}
	if *cafile != "" {
		pem, err := os.ReadFile(*cafile)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("ttfb: no certificate in %s", *cafile)
		}
		tlsCfg.RootCAs = pool
	}
	// HTTP/1.1 with keep-alive, like wrk: the handshake is not measured.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, MaxIdleConnsPerHost: 4,
		TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{}, DisableCompression: true}}
	var ts []*target
	for _, a := range fs.Args() {
		name, rest, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("ttfb: %q is not name=URL[,TOKENFILE]", a)
		}
		t := &target{name: name, url: rest}
		if u, f, ok := strings.Cut(rest, ","); ok {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			t.url, t.token = u, strings.TrimSpace(string(b))
		}
		ts = append(ts, t)
	}
	body := fmt.Sprintf(`{"model":%q,"stream":true,"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Write a haiku about reverse proxies."}],"max_tokens":%d}`, *model, *maxTokens)
	for i := 0; i < *warm+*n; i++ {
		for _, t := range ts { // interleaved: drift and noise hit every target alike
			h, f, c, tot, err := once(client, t, body)
			if err != nil {
				return fmt.Errorf("ttfb %s: %w", t.name, err)
			}
			if i >= *warm {
				t.hdr, t.first, t.content, t.total = append(t.hdr, h), append(t.first, f), append(t.content, c), append(t.total, tot)
			}
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, t := range ts {
		_ = enc.Encode(map[string]any{"target": t.name, "n": len(t.hdr),
			"headers_p50_ms": pct(t.hdr, 50), "headers_p90_ms": pct(t.hdr, 90),
			"first_byte_p50_ms": pct(t.first, 50), "first_byte_p90_ms": pct(t.first, 90),
			"first_token_p50_ms": pct(t.content, 50), "first_token_p90_ms": pct(t.content, 90),
			"total_p50_ms": pct(t.total, 50)})
	}
	return nil
}

// once sends one streamed request and times (ms from sending) the response
// headers, the first body byte, the first content token (a data: event
// whose delta has non-empty content) and the end of the stream.
func once(client *http.Client, t *target, body string) (hdr, first, content, total float64, err error) {
	req, err := http.NewRequest(http.MethodPost, t.url, strings.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if t.token != "" {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	hdr = ms(time.Since(start))
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		err = fmt.Errorf("status %d: %s", resp.StatusCode, b)
		return
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		err = fmt.Errorf("not an event stream: %s", resp.Header.Get("Content-Type"))
		return
	}
	br := bufio.NewReader(resp.Body)
	if _, err = br.Peek(1); err != nil {
		return
	}
	first = ms(time.Since(start))
	for {
		line, rerr := br.ReadBytes('\n')
		if content == 0 && bytes.HasPrefix(line, []byte("data:")) && bytes.Contains(line, []byte(`"content":"`)) &&
			!bytes.Contains(line, []byte(`"content":""`)) {
			content = ms(time.Since(start))
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			return
		}
	}
	total = ms(time.Since(start))
	if content == 0 {
		err = fmt.Errorf("no content token in the stream")
	}
	return
}

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(p/100*float64(len(s)-1) + 0.5)
	return round3(s[i])
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

func median(xs []float64) float64 { return pct(xs, 50) }
