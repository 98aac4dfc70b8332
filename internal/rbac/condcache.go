package rbac

import "fmt"

// condCache parses each distinct condition text once per Compile: many
// assignments share the same few conditions.
type condCache map[string]Condition

func (c *condCache) get(text, version string) (Condition, error) {
	if text == "" {
		return Condition{}, nil
	}
	// Role assignments accept only conditionVersion 2.0 [RA]; empty
	// defaults to it.
	if version != "" && version != "2.0" {
		return Condition{}, fmt.Errorf("unsupported conditionVersion %q (only \"2.0\")", version)
	}
	if cond, ok := (*c)[text]; ok {
		return cond, nil
	}
	cond, err := ParseCondition(text)
	if err != nil {
		return Condition{}, err
	}
	if *c == nil {
		*c = condCache{}
	}
	(*c)[text] = cond
	return cond, nil
}
