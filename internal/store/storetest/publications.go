package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

var publicationTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"Publications", testPublications},
	{"CellTallies", testCellTallies},
}

// testPublications: a round's publication is replaced only in place of the
// version the caller read, so of two instances publishing at once one
// wins; Data is read only when asked for; publications outlive a reopen.
func testPublications(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.Publication(ctx, "iw", "baseline", true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Publication before any: %v, want ErrNotFound", err)
	}
	p := store.Publication{SurveyID: "iw", Round: "baseline", Basis: "b1", Responses: 12, At: t0.Add(1500 * time.Microsecond), Data: []byte("first\x00\xff")}
	first, err := s.Publish(ctx, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if first.Version != 1 || !first.At.Equal(t0.Add(time.Millisecond)) {
		t.Errorf("first publication: version %d at %v, want 1 at %v", first.Version, first.At, t0.Add(time.Millisecond))
	}
	if _, err := s.Publish(ctx, p, 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second first publication: %v, want ErrConflict", err)
	}
	p.Responses, p.Data = 17, []byte("second")
	second, err := s.Publish(ctx, p, 1)
	if err != nil || second.Version != 2 {
		t.Fatalf("Publish in place of 1: %+v, %v", second, err)
	}
	if _, err := s.Publish(ctx, p, 1); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Publish in place of a replaced version: %v, want ErrConflict", err)
	}
	if _, err := s.Publish(ctx, p, 5); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Publish in place of a version never stored: %v, want ErrConflict", err)
	}
	other := store.Publication{SurveyID: "iw", Round: "follow-up", Basis: "b1", At: t0, Data: []byte("other")}
	if _, err := s.Publish(ctx, other, 0); err != nil {
		t.Fatalf("another round's first publication: %v", err)
	}
	s.Close(ctx)
	s = open(t)
	got, err := s.Publication(ctx, "iw", "baseline", true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(second, got); diff != "" {
		t.Errorf("publication read back (-published +read):\n%s", diff)
	}
	head, err := s.Publication(ctx, "iw", "baseline", false)
	if err != nil || head.Version != 2 || head.Responses != 17 || len(head.Data) != 0 {
		t.Errorf("Publication without data: %+v, %v", head, err)
	}
}

// testCellTallies: a round's counts per cell add up to its tallies under
// every filter, and count responses submitted before any read; CellSizes
// gives each cell's number of responses.
func testCellTallies(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	p := tallyPlan
	p.Populations = []survey.Population{{ID: "role=leader-manager", When: []*survey.Condition{{Question: "role", AnswerIs: []string{"leader-manager"}}}, Keys: []string{"tac-1"}}}
	s.PlanTallies(p)
	rng := rand.New(rand.NewPCG(8, 9))
	for i := range 60 {
		r := randomResponse(rng, i, []string{"baseline", "follow-up"}[i%2])
		if i%7 == 0 {
			r.Invitation = fmt.Sprint("inv-", i)
		}
		if _, err := s.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, round := range []string{"baseline", "follow-up", "none"} {
		cells, err := s.CellTallies(ctx, p, round)
		if err != nil {
			t.Fatal(err)
		}
		want := recount(t, s, p, []string{round}, nil)[round]
		for _, f := range tallyFilters {
			sum := store.NewCounts()
			for cell, c := range cells {
				if f.Match(cell) {
					sum.Responses += c.Responses
					for k, m := range c.Answers {
						for v, n := range m {
							sum.Add(k, v, n)
						}
					}
				}
			}
			if f == nil {
				if diff := cmp.Diff(want, sum, equateEmpty); diff != "" {
					t.Errorf("%s: cells summed differ from a recount (-recount +cells):\n%s", round, diff)
				}
			}
			got, err := s.Tallies(ctx, p, []string{round}, f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got[round], sum, equateEmpty); diff != "" {
				t.Errorf("%s, filter %v: cells summed differ from Tallies (-tallies +cells):\n%s", round, f, diff)
			}
		}
		if round == "none" && len(cells) != 0 {
			t.Errorf("cells of a round with no responses: %v", cells)
		}
		sizes, err := s.CellSizes(ctx, p, []string{round})
		if err != nil {
			t.Fatal(err)
		}
		bySize := map[store.Cell]int{}
		for cell, c := range cells {
			bySize[cell] = c.Responses
		}
		if diff := cmp.Diff(bySize, sizes[round], equateEmpty); diff != "" {
			t.Errorf("%s: CellSizes differ from CellTallies (-tallies +sizes):\n%s", round, diff)
		}
	}
}
