package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// rate is a fixed-rate load: requests are scheduled at a constant rate over
// c workers with one keep-alive HTTP/1.1 connection each (a late worker
// sends at once). Latency runs from sending to the end of the response
// (not from the schedule: Go's timers overshoot sub-millisecond sleeps by
// up to a millisecond, which is the client's, not the server's). Below
// saturation this shows what a hop adds without the queueing that a closed
// loop at full load (wrk -c10) measures. Prints one JSON line like chat.lua's.
func rate(args []string) error {
	fs := flag.NewFlagSet("rate", flag.ExitOnError)
	perSec := fs.Int("rate", 500, "requests per second")
	conns := fs.Int("c", 10, "connections (and workers)")
	dur := fs.Duration("d", 5*time.Second, "duration")
	cafile := fs.String("cacert", "", "CA certificate (PEM) for https")
	tokenFile := fs.String("token-file", "", "bearer token file")
	bodyFile := fs.String("body", "", "request body file (JSON)")
	_ = fs.Parse(args)
	if fs.NArg() != 1 {
		return fmt.Errorf("rate: one URL expected")
	}
	url := fs.Arg(0)
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	token := ""
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return err
		}
		token = strings.TrimSpace(string(b))
	}
	tlsCfg := &tls.Config{}
	if *cafile != "" {
		pem, err := os.ReadFile(*cafile)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tlsCfg.RootCAs = pool
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, MaxConnsPerHost: *conns,
		MaxIdleConnsPerHost: *conns, TLSNextProto: map[string]func(string, *tls.Conn) http.RoundTripper{},
		DisableCompression: true}}

	total := int(dur.Seconds() * float64(*perSec))
	interval := time.Second / time.Duration(*perSec)
	slots := make(chan time.Time, total)
	lat := make([]float64, 0, total)
	var mu sync.Mutex
	var bad, errs int
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for at := range slots {
				if d := time.Until(at); d > 0 {
					time.Sleep(d)
				}
				req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/json")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				sent := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				us := float64(time.Since(sent)) / 1e3
				mu.Lock()
				switch {
				case err != nil:
					errs++
				case resp.StatusCode != 200:
					bad++
				default:
					lat = append(lat, us)
				}
				mu.Unlock()
			}
		}()
	}
	start := time.Now().Add(20 * time.Millisecond)
	for i := range total {
		slots <- start.Add(time.Duration(i) * interval)
	}
	close(slots)
	wg.Wait()
	elapsed := time.Since(start)
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"requests": len(lat) + bad, "rps": float64(len(lat)+bad) / elapsed.Seconds(),
		"offered_rps": *perSec, "p50_us": pct(lat, 50), "p90_us": pct(lat, 90), "p99_us": pct(lat, 99), "max_us": pct(lat, 100),
		"errors_status": bad, "errors_other": errs})
}
