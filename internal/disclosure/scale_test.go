package disclosure

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
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

// TestScale prints what Protect costs and hides at several sizes
// (IWT_DISCLOSURE_SCALE=1000,10000).
func TestScale(t *testing.T) {
	sizes := os.Getenv("IWT_DISCLOSURE_SCALE")
	if sizes == "" {
		t.Skip("set IWT_DISCLOSURE_SCALE to the numbers of responses to try")
	}
	for _, f := range splitInts(sizes) {
		pr := realistic(rand.New(rand.NewPCG(1, uint64(f))), f, 40, 6, 6)
		start := time.Now()
		if os.Getenv("NOMEASURES") != "" {
			for i := range pr.Pops {
				pr.Pops[i].Measures = 0
			}
		}
		pat := Protect(pr)
		took := time.Since(start)
		u := newUniverse(pr)
		hidden := map[int]int{}
		total := map[int]int{}
		for _, g := range u.groups {
			total[g.key.Way()]++
			if !pat.Shown(g.key) {
				hidden[g.key.Way()]++
			}
		}
		t.Logf("%d responses, %d cells, %d atoms: Protect %v; hidden by way %v of %v", f, len(pr.Cells), len(u.atoms), took, hidden, total)
	}
}

func splitInts(s string) []int {
	var out []int
	n := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, n)
			n = 0
			continue
		}
		d, _ := strconv.Atoi(s[i : i+1])
		n = n*10 + d
	}
	return out
}
