package report

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// TestPopsOfIsHolds: the populations the paired comparison gives each
// person, kept by their answers to the conditions' questions, are those
// Holds gives on their answers, for every bundled survey, whatever
// answers came before.
func TestPopsOfIsHolds(t *testing.T) {
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, d := range c.All() {
		pops := d.Populations()
		conds := map[string]int{}
		var keys []string
		for _, pop := range pops {
			for _, c := range pop.When {
				if _, ok := conds[c.Question]; c != nil && !ok {
					conds[c.Question] = len(keys)
					keys = append(keys, c.Question)
				}
			}
		}
		if len(conds) == 0 {
			continue
		}
		tried++
		po := newPopsOf(pops, conds)
		rng := rand.New(rand.NewPCG(28, 2))
		values := make([]string, len(keys))
		seen := map[disclosure.Pops]bool{}
		for n := range 3000 {
			r := synthetic.Response(d, rng, n, d.Rounds, time.Now())
			for i, k := range keys {
				values[i] = r.Answers[k]
				if rng.IntN(5) == 0 {
					values[i] = "" // not answered
				}
			}
			answers := map[string]string{}
			for i, k := range keys {
				if values[i] != "" {
					answers[k] = values[i]
				}
			}
			var want disclosure.Pops
			for i, pop := range pops {
				if pop.Holds(answers) {
					want |= 1 << (i + 1)
				}
			}
			seen[want] = true
			if got := po.of(values); got != want {
				t.Fatalf("%s: answers %q: populations %b, Holds gives %b", d.ID, answers, got, want)
			}
		}
		if len(seen) < 2 {
			t.Errorf("%s: every person in the same populations: nothing tried", d.ID)
		}
	}
	if tried == 0 {
		t.Fatal("no bundled survey has a conditional population")
	}
}
