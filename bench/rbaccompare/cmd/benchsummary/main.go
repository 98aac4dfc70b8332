// Command benchsummary reads `go test -bench` output (several -count runs)
// from stdin and prints, as markdown, the median of every metric per
// benchmark and the gatehouse-to-Casbin and gatehouse-to-OPA ratios.
package main

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

type samples map[string][]float64 // unit → values, one per run

func main() {
	byName := map[string]samples{}
	var names []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i] // GOMAXPROCS suffix
		}
		s := byName[name]
		if s == nil {
			s = samples{}
			byName[name] = s
			names = append(names, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			s[f[i+1]] = append(s[f[i+1]], v)
		}
	}
	med := func(name, unit string) float64 {
		v := slices.Clone(byName[name][unit])
		if len(v) == 0 {
			return -1 // missing
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	units := []string{"ns/op", "cpu-ns/op", "decisions/s", "p50-ns", "p99-ns", "mean-ns", "B/op", "allocs/op", "allowed/op"}
	fmt.Println("| benchmark | runs | " + strings.Join(units, " | ") + " |")
	fmt.Println("|---|---:|" + strings.Repeat("---:|", len(units)))
	for _, n := range names {
		row := []string{n, strconv.Itoa(len(byName[n]["ns/op"]))}
		for _, u := range units {
			row = append(row, num(med(n, u)))
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
	fmt.Println()
	fmt.Println("| ratio (medians) | by ns/op | by cpu-ns/op | by mean-ns (one full pass) | target |")
	fmt.Println("|---|---:|---:|---:|---|")
	ratio := func(label, other, mine, target string, want float64) {
		if med(other, "ns/op") <= 0 || med(mine, "ns/op") <= 0 {
			return
		}
		r := func(u string) string {
			if med(mine, u) <= 0 || med(other, u) <= 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f×", med(other, u)/med(mine, u))
		}
		verdict := ""
		if want > 0 {
			verdict = fmt.Sprintf("%s: ≥%.0f× — ", target, want)
			if med(other, "ns/op")/med(mine, "ns/op") >= want {
				verdict += "met"
			} else {
				verdict += "NOT met"
			}
		}
		fmt.Printf("| %s | %s | %s | %s | %s |\n", label, r("ns/op"), r("cpu-ns/op"), r("mean-ns"), verdict)
	}
	ratio("gatehouse vs Casbin (base)", "Casbin/base", "Gatehouse/base", "throughput", 10)
	ratio("gatehouse vs OPA (base)", "OPA/base", "Gatehouse/base", "throughput", 100)
	ratio("gatehouse vs OPA (10x)", "OPA/10x", "Gatehouse/10x", "throughput", 100)
	if b, x := med("Gatehouse/base", "ns/op"), med("Gatehouse/10x", "ns/op"); b > 0 && x > 0 {
		fmt.Printf("\ngatehouse 10x/base: ns/op %.2f, cpu-ns/op %.2f, p50 %.2f, p99 %.2f\n", x/b,
			med("Gatehouse/10x", "cpu-ns/op")/med("Gatehouse/base", "cpu-ns/op"),
			med("Gatehouse/10x", "p50-ns")/med("Gatehouse/base", "p50-ns"),
			med("Gatehouse/10x", "p99-ns")/med("Gatehouse/base", "p99-ns"))
	}
	for _, n := range []string{"Gatehouse/base", "Gatehouse/10x"} {
		if p50, p99 := med(n, "p50-ns"), med(n, "p99-ns"); p50 > 0 {
			fmt.Printf("%s: p50 %s ns (target < 2000: %s), p99 %s ns (target < 20000: %s)\n", n,
				num(p50), yes(p50 < 2000), num(p99), yes(p99 < 20000))
		}
	}
}

func yes(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func num(v float64) string {
	switch {
	case v < 0:
		return "–"
	case v == 0:
		return "0"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 4, 64)
	default:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
}
