package rbac_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/rbac"
	"github.com/gatehouse/gatehouse/internal/rbac/rbaccorpus"
)

// The conformance corpus, testdata/corpus/*.yaml (read by rbaccorpus), run
// against the engine.
func TestCorpus(t *testing.T) {
	files, err := rbaccorpus.Load("testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	total, checks := 0, 0
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	})
	for _, file := range names {
		f := files[file]
		for i, sc := range f.Scenarios {
			total++
			checks += len(sc.Checks)
			t.Run(fmt.Sprintf("%s/%02d_%s", strings.TrimSuffix(file, ".yaml"), i, sc.Name), func(t *testing.T) {
				runScenario(t, file, f.Common, sc)
			})
		}
	}
	t.Logf("corpus: %d files, %d scenarios, %d checks", len(files), total, checks)
	if total < 150 {
		t.Errorf("corpus has %d scenarios, want at least 150", total)
	}
}

func runScenario(t *testing.T, file string, common rbaccorpus.State, sc rbaccorpus.Scenario) {
	where := fmt.Sprintf("%s: scenario %q", file, sc.Name)
	if len(sc.Checks) == 0 {
		t.Fatalf("%s: no checks", where)
	}
	in, err := rbaccorpus.Input(sc.Merged(common))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	snap, err := rbac.Compile(in)
	if err != nil {
		t.Fatalf("%s: Compile: %v", where, err)
	}
	for j, c := range sc.Checks {
		if msg := rbaccorpus.Verify(snap, c); msg != "" {
			t.Errorf("%s check %d (%s %s at %s): %s", where, j, c.Principal, c.Action, c.Scope, msg)
		}
	}
}
