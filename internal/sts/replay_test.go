package sts

import (
	"testing"
	"time"
)

func TestReplayCache(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	exp := t0.Add(10 * time.Minute)
	c := newReplayCache(4, 2)
	steps := []struct {
		name, client, jti string
		at                time.Time
		want              replayVerdict
	}{
		{"first use", "app-a", "j1", t0, replayFresh},
		{"the same jti again", "app-a", "j1", t0.Add(time.Minute), replaySeen},
		{"the same jti, client id in other case", "APP-A", "j1", t0.Add(time.Minute), replaySeen},
		{"another jti", "app-a", "j2", t0, replayFresh},
		{"another client's same jti", "app-b", "j1", t0, replayFresh},
		{"app-a is full: a third live jti is refused", "app-a", "j3", t0.Add(time.Minute), replayFull},
		{"app-b still has room", "app-b", "j2", t0, replayFresh},
		{"after expiry the entry is forgotten", "app-a", "j1", exp, replayFresh},
		{"and app-a has room again", "app-a", "j3", exp, replayFresh},
	}
	for _, s := range steps {
		until := s.at.Add(10 * time.Minute)
		if got := c.use(s.client, s.jti, until, s.at); got != s.want {
			t.Fatalf("%s: %v, want %v", s.name, got, s.want)
		}
		if s.want == replayFresh && c.use(s.client, s.jti, until, s.at) != replaySeen {
			t.Fatalf("%s: not remembered", s.name)
		}
	}

	// Globally full: a new live entry is refused, not let in by
	// forgetting a live one; once they have expired there is room.
	g := newReplayCache(2, 2)
	g.use("a", "1", exp, t0)
	g.use("b", "1", exp, t0)
	if got := g.use("c", "1", exp, t0); got != replayFull {
		t.Errorf("a full cache accepted a new entry (%v)", got)
	}
	if got := g.use("a", "1", exp, t0); got != replaySeen {
		t.Errorf("a full cache forgot a live entry (%v)", got)
	}
	if got := g.use("c", "1", exp.Add(time.Hour), exp); got != replayFresh || g.size() != 1 {
		t.Errorf("after expiry: %v, size %d, want fresh and 1", got, g.size())
	}
}

func TestAssertionID(t *testing.T) {
	if assertionID("x", "a.b.c") != "jti:x" || assertionID("", "a.b.c") == assertionID("", "a.b.d") {
		t.Error("assertion ids")
	}
}
