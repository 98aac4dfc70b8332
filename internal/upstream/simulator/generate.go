package simulator

import "math/rand/v2"

// hasher is FNV-1a (64 bit) over the inputs that determine a reply. It is
// allocation-free, which matters on the benchmarked path.
type hasher uint64

func newHasher() hasher { return 14695981039346656037 }

func (h *hasher) str(s string) {
	x := uint64(*h)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	x ^= 0xff // field separator: ("ab","c") and ("a","bc") differ
	x *= 1099511628211
	*h = hasher(x)
}

func (h *hasher) u64(v uint64) {
	for range 8 {
		*h = hasher((uint64(*h) ^ (v & 0xff)) * 1099511628211)
		v >>= 8
	}
}

// mix is SplitMix64's finaliser: spreads FNV's weak low bits over all 64.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// generator yields a reply one token at a time. The sequence is fixed by
// (seed, choice, natural length); a reply cut by max_tokens is a prefix of
// the uncut one.
type generator struct {
	rng       rand.PCG
	v         *vocab
	natural   int // natural length: the last token is "." when it is >= 3
	i         int // index of the next token
	left      int // words left in the current sentence
	sinceStop bool
	sinceComm int // words since the last comma
}

func newGenerator(v *vocab, seed uint64, choice, natural int) generator {
	g := generator{v: v, natural: natural}
	g.rng.Seed(mix(seed), mix(seed^uint64(choice+1)))
	return g
}

func (g *generator) intn(n int) int { return int(g.rng.Uint64() % uint64(n)) }

// next returns the next token's text.
func (g *generator) next() string {
	i := g.i
	g.i++
	v := g.v
	switch {
	case i == 0:
		g.startSentence()
		return v.first[g.intn(len(v.first))]
	case g.natural >= 3 && i == g.natural-1:
		return pieceStop
	case g.sinceStop:
		g.sinceStop = false
		g.startSentence()
		return v.cap[g.intn(len(v.cap))]
	}
	// Punctuation only where a word follows before the final ".", so the
	// text never shows ".." or ",.".
	punctOK := i < g.natural-2
	if g.left <= 0 && punctOK {
		g.sinceStop = true
		return pieceStop
	}
	if punctOK && g.left > 2 && g.sinceComm >= 3 && g.intn(6) == 0 {
		g.sinceComm = 0
		return pieceComma
	}
	g.left--
	g.sinceComm++
	return v.lower[g.intn(len(v.lower))]
}

func (g *generator) startSentence() {
	g.left = 3 + g.intn(10) // this word plus 3..12 more
	g.sinceComm = 0
}
