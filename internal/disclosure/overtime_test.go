package disclosure

import (
	"context"
	"math/rand/v2"
	"testing"
)

// sectors is a problem of one breakdown: n[i] people answered value i.
func sectors(n ...int) *Problem {
	pr := &Problem{Dims: 1, Pops: []Population{{Name: "everyone", MaxWay: 2}}, Min: 5}
	for i, x := range n {
		if x > 0 {
			pr.Cells = append(pr.Cells, Cell{Values: []string{string(rune('a' + i))}, Sizes: map[Pops]int{1: x}})
		}
	}
	return pr
}

// shownOf is every group of pr that Protect shows, by size, read as of an
// epoch.
func shownOf(pr *Problem, epoch int) Reading {
	pat := Protect(pr)
	r := Reading{Epoch: epoch}
	for _, g := range pat.Groups() {
		if pat.Shown(g.Key) {
			r.Figures = append(r.Figures, Figure{Key: g.Key, Measure: -1, Value: g.Size})
		}
	}
	return r
}

// Two readings of a round, each protected on its own, with one more person
// in sector a between them: every group of the second reading is large,
// but sector a's two readings differ by one person.
func TestReadingsGiveAwayOnePerson(t *testing.T) {
	before, arrivals := sectors(6, 6, 6), sectors(1, 4, 0)
	after := sectors(7, 10, 6)
	pr := EpochDim([]*Problem{before, arrivals})
	leaks, err := CheckReadings(context.Background(), pr, []Reading{shownOf(before, 1), shownOf(after, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(leaks) == 0 {
		t.Fatal("no leak found: sector a read before and after one more person")
	}
	t.Logf("found: %v", leaks[0])
	// One reading alone, or readings that moved by whole groups, give
	// nothing away.
	if leaks, _ := CheckReadings(context.Background(), pr, []Reading{shownOf(after, 2)}); len(leaks) != 0 {
		t.Errorf("one reading: %v", leaks)
	}
	steps := EpochDim([]*Problem{before, sectors(5, 5, 0)})
	if leaks, _ := CheckReadings(context.Background(), steps, []Reading{shownOf(before, 1), shownOf(sectors(11, 11, 6), 2)}); len(leaks) != 0 {
		t.Errorf("readings moved by 5 in each group: %v", leaks)
	}
}

// Random rounds read twice, each reading protected on its own as the
// service did before figures were published only at close: the auditor
// over time finds a leak in most, which the single-reading auditor
// (Check) cannot see.
func TestReadingsAuditorFindsWhatCheckCannot(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 22))
	found := 0
	for range 40 {
		n := []int{5 + rng.IntN(10), 5 + rng.IntN(10), 5 + rng.IntN(10), 5 + rng.IntN(10)}
		add := []int{rng.IntN(5), rng.IntN(5), rng.IntN(5), 0}
		add[3] = max(0, 5-add[0]-add[1]-add[2])
		after := make([]int, len(n))
		for i := range n {
			after[i] = n[i] + add[i]
		}
		pr := EpochDim([]*Problem{sectors(n...), sectors(add...)})
		for _, r := range []Reading{shownOf(sectors(after...), 2)} {
			if l := Check(sectors(after...), Published{Figures: r.Figures}); len(l) != 0 {
				t.Fatalf("one reading leaks on its own: %v", l)
			}
		}
		leaks, err := CheckReadings(context.Background(), pr, []Reading{shownOf(sectors(n...), 1), shownOf(sectors(after...), 2)})
		if err != nil {
			t.Fatal(err)
		}
		if len(leaks) > 0 {
			found++
		}
	}
	if found < 20 {
		t.Errorf("found leaks over time in %d of 40 rounds, want most", found)
	}
}
