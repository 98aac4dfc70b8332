package gateway_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/upstream/simulator"
)

// BenchmarkChatThroughGateway is one chat completion through the whole
// gateway over TLS with a bearer token (RBAC, quota, usage, audit,
// metrics), to a simulator on its own loopback listener.
func BenchmarkChatThroughGateway(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	sim := &http.Server{Handler: simulator.New(simulator.Options{})}
	go sim.Serve(ln)
	defer sim.Close()
	e := newEnvB(b)
	e.deployment(b, "bench", 100000, "openai=http://"+ln.Addr().String()+"/v1")
	tok := e.AppToken(b, e.Demo, aiScope)
	url := e.URL + "/accounts/demo/openai/deployments/bench/chat/completions?api-version=2024-10-21"
	do := func() {
		req, _ := http.NewRequest("POST", url, strings.NewReader(chatBody))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.Client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	do()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			do()
		}
	})
}
