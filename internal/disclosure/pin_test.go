package disclosure

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
)

// pinDigest is the digest of what Protect and Check give on the rounds of
// TestProtectAndCheckUnchanged, as the code gave it before it was made
// faster (issue 28, 7 December 2026).
const pinDigest = "4f6a90d2684169f50fdd75821a9aa3c9ed0c75744bfeca00197663e57169b555"

// TestProtectAndCheckUnchanged pins Protect and Check to what they gave
// before they were made faster: the groups hidden, and every leak (its
// group's name, measure, size, value and how), in order, on random rounds
// with small groups and some counts shown that should not be. A change
// meant to change what they give must change pinDigest, saying why.
func TestProtectAndCheckUnchanged(t *testing.T) {
	h := sha256.New()
	for seed := range uint64(60) {
		rng := rand.New(rand.NewPCG(seed, 99))
		pr := randomProblem(rng)
		pat := Protect(pr)
		fmt.Fprintln(h, "round", seed, pat.Hidden())
		pub := publishAll(pr, pat)
		if seed%2 == 0 {
			for _, g := range newUniverse(pr).groups {
				if rng.IntN(3) == 0 {
					pub.Figures = append(pub.Figures, Figure{Key: g.key, Measure: -1, Value: g.size})
					if ms := pr.Pops[g.key.Pop].Measures; ms > 0 {
						pub.Figures = append(pub.Figures, Figure{Key: g.key, Measure: rng.IntN(ms), Value: rng.IntN(3)})
					}
				}
			}
		}
		for _, l := range Check(pr, pub) {
			fmt.Fprintf(h, "%+v %v\n", l, l.ThroughZeros)
		}
	}
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != pinDigest {
		t.Errorf("Protect and Check give other results than before: digest %s, want %s", got, pinDigest)
	}
}
