package sts

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Bounds of the replay cache. A client's entries can only come from
// assertions signed with its own key, so the per-client bound keeps one
// client from taking the room of others.
const (
	replayMaxEntries   = 1_000_000
	replayMaxPerClient = 100_000
)

// replayCache remembers the client assertions accepted, by client and jti,
// until they expire, so that a second use is refused (RFC 7523 §3: the
// jti "can be used to prevent reuse"). A full cache refuses new assertions
// rather than forget unexpired ones: a replay is never accepted.
//
// It is in memory, per process, and deliberately not in the store: every
// store write invalidates the directory read caches. With several replicas
// (the PostgreSQL backend of a later issue) it must be shared, or a replay
// sent to another replica is accepted.
type replayCache struct {
	mu           sync.Mutex
	seen         map[string]map[string]time.Time // client → jti → forget after
	total        int
	max, maxEach int
}

func newReplayCache(maxEntries, maxPerClient int) *replayCache {
	return &replayCache{seen: map[string]map[string]time.Time{}, max: maxEntries, maxEach: maxPerClient}
}

// replayVerdict is what use found.
type replayVerdict int

const (
	replayFresh replayVerdict = iota // recorded: accept
	replaySeen                       // used before and not yet expired: refuse
	replayFull                       // no room without forgetting a live entry: refuse
)

// use records (client, jti) until until, unless it is already there.
func (c *replayCache) use(client, jti string, until, now time.Time) replayVerdict {
	client = strings.ToLower(client)
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.seen[client]
	if t, ok := m[jti]; ok && now.Before(t) {
		return replaySeen
	}
	if len(m) >= c.maxEach {
		c.sweepClient(client, now)
		m = c.seen[client]
	}
	if c.total >= c.max {
		for k := range c.seen {
			c.sweepClient(k, now)
		}
		m = c.seen[client]
	}
	if len(m) >= c.maxEach || c.total >= c.max {
		return replayFull
	}
	if m == nil {
		m = map[string]time.Time{}
		c.seen[client] = m
	}
	if _, ok := m[jti]; !ok { // an expired entry of the same jti is reused
		c.total++
	}
	m[jti] = until
	return replayFresh
}

// sweepClient forgets client's expired entries.
func (c *replayCache) sweepClient(client string, now time.Time) {
	m := c.seen[client]
	for jti, t := range m {
		if !now.Before(t) {
			delete(m, jti)
			c.total--
		}
	}
	if len(m) == 0 {
		delete(c.seen, client)
	}
}

// size is the number of entries held.
func (c *replayCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// assertionID is what identifies an assertion for the cache: its jti, or
// without one, a digest of the assertion itself (the same bytes are still
// the same assertion).
func assertionID(jti, raw string) string {
	if jti != "" {
		return "jti:" + jti
	}
	sum := sha256.Sum256([]byte(raw))
	return "sha256:" + hex.EncodeToString(sum[:])
}
