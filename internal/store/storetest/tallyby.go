package storetest

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
)

// talliesByReader is the method a report's breakdowns need: tallies split
// by one breakdown in one read. Both stores have it.
type talliesByReader interface {
	TalliesBy(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter, by string, answers bool) (map[string]map[string]*store.Counts, error)
	CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error)
}

var talliesByTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"TalliesBy", testTalliesBy},
	{"CellSizes", testCellSizes},
}

// testCellSizes checks that the responses per cell, summed by each
// breakdown, equal TalliesBy's.
func testCellSizes(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	tb, ok := s.(talliesByReader)
	if !ok {
		t.Fatal("the store has no CellSizes")
	}
	s.PlanTallies(tallyPlan)
	rng := rand.New(rand.NewPCG(10, 11))
	rounds := []string{"baseline", "follow-up"}
	for i := range 60 {
		if _, err := s.Submit(ctx, randomResponse(rng, i, rounds[i%2])); err != nil {
			t.Fatal(err)
		}
	}
	sizes, err := tb.CellSizes(ctx, tallyPlan, rounds)
	if err != nil {
		t.Fatal(err)
	}
	for col, by := range []string{"sector", "organisation", "audience"} {
		bare, err := tb.TalliesBy(ctx, tallyPlan, rounds, nil, by, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rounds {
			summed := map[string]int{}
			for cell, n := range sizes[r] {
				summed[cell[col]] += n
			}
			want := map[string]int{}
			for v, c := range bare[r] {
				want[v] = c.Responses
			}
			if diff := cmp.Diff(want, summed); diff != "" {
				t.Errorf("CellSizes by %s in %s (-TalliesBy +CellSizes):\n%s", by, r, diff)
			}
		}
	}
}

// testTalliesBy checks TalliesBy against Tallies filtered to each answer
// in turn, with and without answers, under several filters.
func testTalliesBy(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	tb, ok := s.(talliesByReader)
	if !ok {
		t.Fatal("the store has no TalliesBy")
	}
	s.PlanTallies(tallyPlan)
	rng := rand.New(rand.NewPCG(8, 9))
	rounds := []string{"baseline", "follow-up"}
	for i := range 60 {
		if _, err := s.Submit(ctx, randomResponse(rng, i, rounds[i%2])); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range tallyFilters {
		for _, by := range []string{"sector", "organisation", "audience"} {
			got, err := tb.TalliesBy(ctx, tallyPlan, rounds, f, by, true)
			if err != nil {
				t.Fatal(err)
			}
			bare, err := tb.TalliesBy(ctx, tallyPlan, rounds, f, by, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []string{"health", "education", "youth", "north", "south", "frontline", "leader-manager"} {
				if f[by] != "" && f[by] != v {
					continue
				}
				g := store.Filter{by: v}
				for k, x := range f {
					if k != by {
						g[k] = x
					}
				}
				want := recount(t, s, tallyPlan, rounds, g)
				for _, r := range rounds {
					w := want[r]
					if w.Responses == 0 {
						if got[r][v] != nil && got[r][v].Responses != 0 {
							t.Errorf("TalliesBy(%v, %s)[%s][%s] has responses, want none", f, by, r, v)
						}
						continue
					}
					if diff := cmp.Diff(w, got[r][v], equateEmpty); diff != "" {
						t.Errorf("TalliesBy(%v, %s)[%s][%s] differs from a recount:\n%s", f, by, r, v, diff)
					}
					if bare[r][v] == nil || bare[r][v].Responses != w.Responses {
						t.Errorf("TalliesBy(%v, %s, no answers)[%s][%s] is not %d responses", f, by, r, v, w.Responses)
					}
				}
			}
		}
	}
}
