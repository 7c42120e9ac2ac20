package disclosure

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// realistic is a round shaped like the bundled self-assessment's benchmark:
// 8 sectors × 12 organisations × 2 roles × 2 workforces, leaders asked
// one strand more, some invited; items statements with levels answers.
func realistic(rng *rand.Rand, n, items, leaderItems, levels int) *Problem {
	pops := []Population{{Name: "everyone", MaxWay: 2}, {Name: "leaders", MaxWay: 2}, {Name: "invited", MaxWay: 1, Dims: []int{1}}}
	var people []person
	for range n {
		v := []string{fmt.Sprint(rng.IntN(8)), fmt.Sprint(rng.IntN(12)), fmt.Sprint(rng.IntN(2)), fmt.Sprint(rng.IntN(2))}
		p := person{values: v}
		if v[2] == "1" {
			p.pops |= 2
		}
		if rng.IntN(3) == 0 {
			p.pops |= 4
		}
		for range items + leaderItems {
			p.levels = append(p.levels, rng.IntN(levels))
		}
		people = append(people, p)
	}
	all := make([]int, items)
	for i := range all {
		all[i] = i
	}
	lead := make([]int, leaderItems)
	for i := range lead {
		lead[i] = items + i
	}
	return problemOf(4, pops, [][]int{all, lead, {}}, levels, 5, people)
}

// BenchmarkProtect measures what Protect costs on realistic rounds of
// 1,000 and 10,000 responses, and reports what it hides: the cells of each
// way (1-way, 2-way, …) hidden, as a share of that way's cells
// (go test ./internal/disclosure -run '^$' -bench Protect -benchtime 1x).
func BenchmarkProtect(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("responses=%d", n), func(b *testing.B) {
			pr := realistic(rand.New(rand.NewPCG(1, uint64(n))), n, 40, 6, 6)
			var pat *Pattern
			for b.Loop() {
				pat = Protect(pr)
			}
			u := newUniverse(pr)
			hidden := map[int]int{}
			total := map[int]int{}
			for _, g := range u.groups {
				total[g.key.Way()]++
				if !pat.Shown(g.key) {
					hidden[g.key.Way()]++
				}
			}
			for way, t := range total {
				b.ReportMetric(float64(hidden[way])/float64(t), fmt.Sprintf("hidden-%d-way", way))
			}
			b.ReportMetric(float64(len(pr.Cells)), "cells")
			b.ReportMetric(float64(len(u.atoms)), "atoms")
		})
	}
}

// BenchmarkCheck measures the auditor on a realistic round of 10,000
// responses as its publication shows it, and on a round as the "what
// changed most" view checks it, with those paired or not on 7 strands
// (go test ./internal/disclosure -run '^$' -bench Check -benchmem).
func BenchmarkCheck(b *testing.B) {
	b.Run("round", func(b *testing.B) {
		pr := realistic(rand.New(rand.NewPCG(1, 10000)), 10000, 40, 6, 6)
		pub := publishAll(pr, Protect(pr))
		for b.Loop() {
			Check(pr, pub)
		}
	})
	b.Run("pairs", func(b *testing.B) {
		pr, pub := pairsLike(rand.New(rand.NewPCG(1, 20000)), 20000, 7)
		for b.Loop() {
			Check(pr, pub)
		}
	})
}
