package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// run is one load measurement as run.sh records it: chat.lua's BENCH_JSON
// line (wrk) or rate's line, plus the target, the connections, the
// repetition and the CPU time the target's server process(es) used.
type run struct {
	Target       string  `json:"target"`
	Conns        int     `json:"conns"`
	Rep          int     `json:"rep"`
	Requests     float64 `json:"requests"`
	RPS          float64 `json:"rps"`
	P50          float64 `json:"p50_us"`
	P99          float64 `json:"p99_us"`
	ServerCPUms  float64 `json:"server_cpu_ms"`
	ErrorsStatus float64 `json:"errors_status"`
	ErrorsOther  float64 `json:"errors_other"`
}

// agg is the medians over the repetitions (latencies in ms, CPU in µs).
type agg struct {
	rps, p50, p99, cpu float64
	n                  int
	errs               float64
}

type runs struct {
	by      map[string][]run
	targets []string
}

func loadRuns(path string) (*runs, error) {
	rs := &runs{by: map[string][]run{}}
	if path == "" {
		return rs, nil
	}
	lines, err := readLines[run](path)
	if err != nil {
		return nil, err
	}
	for _, r := range lines {
		if !contains(rs.targets, r.Target) {
			rs.targets = append(rs.targets, r.Target)
		}
		k := fmt.Sprintf("%s/%d", r.Target, r.Conns)
		rs.by[k] = append(rs.by[k], r)
	}
	return rs, nil
}

func (rs *runs) get(t string, c int) *agg {
	list := rs.by[fmt.Sprintf("%s/%d", t, c)]
	if len(list) == 0 {
		return nil
	}
	a := &agg{n: len(list)}
	var rps, p50, p99, cpu []float64
	for _, r := range list {
		rps, p50, p99 = append(rps, r.RPS), append(p50, r.P50/1000), append(p99, r.P99/1000)
		if r.Requests > 0 {
			cpu = append(cpu, r.ServerCPUms*1000/r.Requests)
		}
		a.errs += r.ErrorsStatus + r.ErrorsOther
	}
	a.rps, a.p50, a.p99, a.cpu = median(rps), median(p50), median(p99), median(cpu)
	return a
}

// table writes one row per target and connection count, with the latency
// added over direct.
func (rs *runs) table(w io.Writer, conns []int, rpsTitle string) {
	fmt.Fprintf(w, "| target | conns | %s | p50 ms | p99 ms | added p50 ms | added p99 ms | server CPU µs/req | runs | errors |\n", rpsTitle)
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range conns {
		d := rs.get("direct", c)
		for _, t := range rs.targets {
			a := rs.get(t, c)
			if a == nil {
				continue
			}
			added50, added99 := "–", "–"
			if d != nil && t != "direct" {
				added50, added99 = fmt.Sprintf("%+.3f", a.p50-d.p50), fmt.Sprintf("%+.3f", a.p99-d.p99)
			}
			fmt.Fprintf(w, "| %s | %d | %.0f | %.3f | %.3f | %s | %s | %.0f | %d | %.0f |\n",
				t, c, a.rps, a.p50, a.p99, added50, added99, a.cpu, a.n, a.errs)
		}
	}
	fmt.Fprintln(w)
}

// ttfbResult is one line of benchtool ttfb.
type ttfbResult struct {
	Target  string  `json:"target"`
	Hdr50   float64 `json:"headers_p50_ms"`
	First50 float64 `json:"first_byte_p50_ms"`
	First90 float64 `json:"first_byte_p90_ms"`
	Token50 float64 `json:"first_token_p50_ms"`
	Token90 float64 `json:"first_token_p90_ms"`
	Total50 float64 `json:"total_p50_ms"`
}

func summarize(args []string) error {
	fs := flag.NewFlagSet("summarize", flag.ExitOnError)
	wrkFile := fs.String("wrk", "", "wrk results (JSON lines)")
	rateFile := fs.String("rate", "", "fixed-rate results (JSON lines)")
	ttfbFile := fs.String("ttfb", "", "ttfb results (JSON lines)")
	_ = fs.Parse(args)
	wrk, err := loadRuns(*wrkFile)
	if err != nil {
		return err
	}
	fixed, err := loadRuns(*rateFile)
	if err != nil {
		return err
	}
	var ttfbs []ttfbResult
	if *ttfbFile != "" {
		if ttfbs, err = readLines[ttfbResult](*ttfbFile); err != nil {
			return err
		}
	}
	w := os.Stdout

	fmt.Fprintln(w, "Closed loop (wrk; c1 = 1 connection/1 thread, c10 = 10 connections/2 threads); RPS at c10 is the maximum on this machine:")
	fmt.Fprintln(w)
	wrk.table(w, []int{1, 10}, "RPS")
	if len(fixed.targets) > 0 {
		fmt.Fprintln(w, "Fixed rate below saturation (benchtool rate, 10 connections):")
		fmt.Fprintln(w)
		fixed.table(w, []int{10}, "req/s")
	}

	tby := map[string][]ttfbResult{}
	var tnames []string
	for _, x := range ttfbs {
		if _, ok := tby[x.Target]; !ok {
			tnames = append(tnames, x.Target)
		}
		tby[x.Target] = append(tby[x.Target], x)
	}
	tmed := func(name string, f func(ttfbResult) float64) float64 {
		var v []float64
		for _, x := range tby[name] {
			v = append(v, f(x))
		}
		return median(v)
	}
	hdr := func(x ttfbResult) float64 { return x.Hdr50 }
	first := func(x ttfbResult) float64 { return x.First50 }
	token := func(x ttfbResult) float64 { return x.Token50 }
	if len(tnames) > 0 {
		fmt.Fprintln(w, "Streamed (stream:true), sequential, keep-alive; ms from sending the request:")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "| target | response headers p50 | first body byte p50 | p90 | first token p50 | p90 | whole stream p50 | Δ headers | Δ first body byte | Δ first token |\n")
		fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, n := range tnames {
			dh, dfb, dtk := "–", "–", "–"
			if n != "direct" && len(tby["direct"]) > 0 {
				dh = fmt.Sprintf("%+.3f", tmed(n, hdr)-tmed("direct", hdr))
				dfb = fmt.Sprintf("%+.3f", tmed(n, first)-tmed("direct", first))
				dtk = fmt.Sprintf("%+.3f", tmed(n, token)-tmed("direct", token))
			}
			fmt.Fprintf(w, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %s | %s | %s |\n", n,
				tmed(n, hdr), tmed(n, first), tmed(n, func(x ttfbResult) float64 { return x.First90 }),
				tmed(n, token), tmed(n, func(x ttfbResult) float64 { return x.Token90 }),
				tmed(n, func(x ttfbResult) float64 { return x.Total50 }), dh, dfb, dtk)
		}
		fmt.Fprintln(w)
	}

	// The targets.
	d10, g10, n10 := wrk.get("direct", 10), wrk.get("gatehouse", 10), wrk.get("nginx", 10)
	if d10 == nil || g10 == nil {
		return nil
	}
	verdict := func(ok bool) string {
		if ok {
			return "**met**"
		}
		return "**missed**"
	}
	fmt.Fprintln(w, "Targets:")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| target | gatehouse | nginx (for reference) | verdict |\n|---|---|---|---|\n")
	ref := func(f func(*agg) string) string {
		if n10 == nil {
			return "–"
		}
		return f(n10)
	}
	fmt.Fprintf(w, "| added latency p50 ≤ 0.3 ms at c10 (wrk) | %+.3f ms | %s | %s |\n", g10.p50-d10.p50,
		ref(func(n *agg) string { return fmt.Sprintf("%+.3f ms", n.p50-d10.p50) }), verdict(g10.p50-d10.p50 <= 0.3))
	fmt.Fprintf(w, "| added latency p99 ≤ 1.5 ms at c10 (wrk) | %+.3f ms | %s | %s |\n", g10.p99-d10.p99,
		ref(func(n *agg) string { return fmt.Sprintf("%+.3f ms", n.p99-d10.p99) }), verdict(g10.p99-d10.p99 <= 1.5))
	if fd, fg := fixed.get("direct", 10), fixed.get("gatehouse", 10); fd != nil && fg != nil {
		fn := fixed.get("nginx", 10)
		r50, r99 := "–", "–"
		if fn != nil {
			r50, r99 = fmt.Sprintf("%+.3f ms", fn.p50-fd.p50), fmt.Sprintf("%+.3f ms", fn.p99-fd.p99)
		}
		fmt.Fprintf(w, "| added latency p50 ≤ 0.3 ms, 10 connections below saturation | %+.3f ms | %s | %s |\n", fg.p50-fd.p50, r50, verdict(fg.p50-fd.p50 <= 0.3))
		fmt.Fprintf(w, "| added latency p99 ≤ 1.5 ms, 10 connections below saturation | %+.3f ms | %s | %s |\n", fg.p99-fd.p99, r99, verdict(fg.p99-fd.p99 <= 1.5))
	}
	if n10 != nil {
		fmt.Fprintf(w, "| throughput ≥ ½ of nginx's (c10) | %.0f RPS = %.0f%% of nginx | %.0f RPS | %s |\n", g10.rps, 100*g10.rps/n10.rps, n10.rps, verdict(g10.rps >= n10.rps/2))
	}
	if len(tby["gatehouse"]) > 0 && len(tby["direct"]) > 0 {
		refT := func(f func(ttfbResult) float64) string {
			if len(tby["nginx"]) == 0 {
				return "–"
			}
			return fmt.Sprintf("%+.3f ms", tmed("nginx", f)-tmed("direct", f))
		}
		for _, c := range []struct {
			what string
			f    func(ttfbResult) float64
		}{{"first byte of the response (headers)", hdr}, {"first body byte", first}, {"first token", token}} {
			d := tmed("gatehouse", c.f) - tmed("direct", c.f)
			fmt.Fprintf(w, "| streamed TTFB within 1 ms of direct: %s | %+.3f ms | %s | %s |\n", c.what, d, refT(c.f), verdict(d <= 1))
		}
	}
	fmt.Fprintln(w)
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func readLines[T any](path string) ([]T, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, v)
	}
	return out, sc.Err()
}
