package config_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/directory"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// Applying a configuration is linear in what it declares: n users and n
// subscription-scope role assignments, each looked up by key, never by a
// scan of what is already there. Sizes: GATEHOUSE_CONFIG_SIZES (default
// 2000; docs/benchmarks.md runs 2000,20000,200000).
//
//	GATEHOUSE_CONFIG_SIZES=2000,20000,200000 go test -run x -bench ApplyAssignments -benchtime 1x ./internal/config/
func BenchmarkApplyAssignments(b *testing.B) {
	sizes := os.Getenv("GATEHOUSE_CONFIG_SIZES")
	if sizes == "" {
		sizes = "2000"
	}
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("assignments=%d", n), func(b *testing.B) {
			file := bigConfig(n)
			for b.Loop() {
				b.StopTimer()
				st, err := sqlite.Open(filepath.Join(b.TempDir(), "c.db"))
				if err != nil {
					b.Fatal(err)
				}
				dir := directory.New(st, []byte("0123456789abcdef0123456789abcdef"))
				b.StartTimer()
				if _, err := config.Apply(context.Background(), dir, file); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/assignment")
		})
	}
}

func bigConfig(n int) *config.File {
	sub := "aaaaaaaa-5555-4000-8000-000000000000"
	t := config.Tenant{Domain: "big.onmicrosoft.com", Subscriptions: []config.Subscription{{ID: sub, DisplayName: "big"}}}
	for i := range n {
		upn := fmt.Sprintf("u%d@big.onmicrosoft.com", i)
		t.Users = append(t.Users, config.User{UserPrincipalName: upn, DisplayName: fmt.Sprint("U", i)})
		t.RoleAssignments = append(t.RoleAssignments, config.RoleAssignment{Principal: upn, Role: "Reader", Scope: "/subscriptions/" + sub})
	}
	return &config.File{Tenants: []config.Tenant{t}}
}
