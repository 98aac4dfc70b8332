package config_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExample: the README's configuration example works as pasted.
func TestREADMEExample(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "## Declarative start-up")
	if !ok {
		t.Fatal("README has no section on the configuration file")
	}
	_, block, ok := strings.Cut(after, "```yaml\n")
	if !ok {
		t.Fatal("README's configuration section has no YAML example")
	}
	block, _, _ = strings.Cut(block, "```")
	d := openDir(t)
	gen := apply(t, d, block)
	if len(gen) != 1 || gen[0].DisplayName != "generated" {
		t.Errorf("generated secrets: %+v", gen)
	}
	if again := apply(t, d, block); len(again) != 0 {
		t.Errorf("applying the example twice generated %d more secrets", len(again))
	}
}
