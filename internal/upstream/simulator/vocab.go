package simulator

import (
	_ "embed"
	"fmt"
	"strings"
)

// words.txt is a few hundred common English words; replies are made of them.
//
//go:embed words.txt
var wordList string

// vocab holds, for one encoding, the words whose every spelling a reply uses
// is exactly one token, so a reply built from n pieces is n tokens long.
type vocab struct {
	first []string // "Word": the reply's first token
	cap   []string // " Word": first word after a full stop
	lower []string // " word": every other word
}

// Punctuation pieces; each is one token in both encodings and the
// pre-tokenizers split it from the words on either side.
const (
	pieceStop  = "."
	pieceComma = ","
)

// minVocab guards against an encoding whose filter keeps too few words for
// varied text (it would be a bug, not a runtime condition).
const minVocab = 64

func buildVocab(e *encoder) (*vocab, error) {
	v := &vocab{}
	for _, p := range []string{pieceStop, pieceComma} {
		if n := len(e.tk.EncodeOrdinary(p)); n != 1 {
			return nil, fmt.Errorf("vocab %s: %q is %d tokens", e.name, p, n)
		}
	}
	for _, w := range strings.Fields(wordList) {
		if strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			// Replies are appended to JSON unescaped: letters only.
			return nil, fmt.Errorf("vocab: word %q is not lowercase ASCII", w)
		}
		title := strings.ToUpper(w[:1]) + w[1:]
		first, capd, lower := title, " "+title, " "+w
		if len(e.tk.EncodeOrdinary(first)) != 1 || len(e.tk.EncodeOrdinary(capd)) != 1 ||
			len(e.tk.EncodeOrdinary(lower)) != 1 {
			continue
		}
		v.first = append(v.first, first)
		v.cap = append(v.cap, capd)
		v.lower = append(v.lower, lower)
	}
	if len(v.lower) < minVocab {
		return nil, fmt.Errorf("vocab %s: only %d single-token words", e.name, len(v.lower))
	}
	return v, nil
}
