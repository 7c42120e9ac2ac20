package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// tallyPlan is a plan like a real survey's: sector, organisation and
// audience break it down; three rated items are counted.
var tallyPlan = store.TallyPlan{
	SurveyID:   "iw",
	Breakdowns: [6]string{"sector", "org", "role", "", "", ""},
	Keys:       []string{"caf-1", "caf-2", "tac-1"},
}

// randomResponse is response n with random breakdown answers and ratings,
// some left unanswered.
func randomResponse(rng *rand.Rand, n int, round string) survey.Response {
	r := Response(n, "iw", round, t0)
	r.Answers = map[string]string{"caf-comment": "free text is not counted"}
	pick := func(key string, values ...string) {
		if v := values[rng.IntN(len(values))]; v != "" {
			r.Answers[key] = v
		}
	}
	pick("sector", "health", "education", "youth")
	pick("org", "north", "south", "")
	pick("role", "frontline", "leader-manager")
	for _, k := range tallyPlan.Keys {
		pick(k, "1", "2", "3", "4", "5", survey.DontKnow, survey.NotApplicable, "")
	}
	return r
}

// recount counts from every stored response, as a report did before tallies.
func recount(t *testing.T, s store.Store, p store.TallyPlan, rounds []string, f store.Filter) map[string]*store.Counts {
	t.Helper()
	out := map[string]*store.Counts{}
	for _, r := range rounds {
		out[r] = store.NewCounts()
	}
	err := s.EachResponse(context.Background(), p.SurveyID, rounds, func(r survey.Response) error {
		if f.Match(p.CellOf(r)) {
			out[r.Round].AddResponse(p, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var tallyFilters = []store.Filter{
	nil,
	{"sector": "health"},
	{"sector": "youth", "organisation": "north"},
	{"audience": "frontline", "organisation": "south"},
	{"sector": "nowhere"},
}

// checkTallies compares the tallies of rounds with a recount, under each
// of filters (tallyFilters when none are given).
func checkTallies(t *testing.T, s store.Store, p store.TallyPlan, rounds []string, filters ...store.Filter) {
	t.Helper()
	if len(filters) == 0 {
		filters = tallyFilters
	}
	for _, f := range filters {
		got, err := s.Tallies(context.Background(), p, rounds, f)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(recount(t, s, p, rounds, f), got, equateEmpty); diff != "" {
			t.Errorf("tallies with filter %v differ from a recount (-recount +tallies):\n%s", f, diff)
		}
	}
}

// TalliesMatchResponses fails t unless the tallies of rounds under p equal
// a count of the stored responses, and Recount of each round counts the
// same responses and finds nothing to repair: the check after a crash or a
// fault that nothing was counted twice or lost.
func TalliesMatchResponses(t *testing.T, s store.Store, p store.TallyPlan, rounds ...string) {
	t.Helper()
	want := recount(t, s, p, rounds, nil)
	checkTallies(t, s, p, rounds, nil)
	for _, round := range rounds {
		res, err := s.Recount(context.Background(), p, round)
		if err != nil || res.Differences != 0 || res.Responses != want[round].Responses {
			t.Errorf("Recount of %s = %+v, %v; want %d responses and no differences", round, res, err, want[round].Responses)
		}
	}
}

// testTalliesExact submits random responses one at a time (submissions at
// once are testConcurrentTallies) and checks the tallies
// against a from-scratch count, for several filters, before and after
// reopening, and that Recount finds nothing to repair.
func testTalliesExact(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	s.PlanTallies(tallyPlan)
	rng := rand.New(rand.NewPCG(4, 5))
	rounds := []string{"baseline", "follow-up"}
	// Ten responses stored before any tally is read, then a read, then more.
	for i := range 120 {
		if i == 10 {
			checkTallies(t, s, tallyPlan, rounds)
		}
		if _, err := s.Submit(ctx, randomResponse(rng, i, rounds[i%2])); err != nil {
			t.Fatal(err)
		}
	}
	// A repeated submit stores and counts nothing.
	if _, err := s.Submit(ctx, randomResponse(rng, 3, "follow-up")); err != nil {
		t.Fatal(err)
	}
	checkTallies(t, s, tallyPlan, rounds)
	for _, round := range rounds {
		res, err := s.Recount(ctx, tallyPlan, round)
		if err != nil {
			t.Fatal(err)
		}
		if res.Responses != 60 || res.Differences != 0 {
			t.Errorf("Recount(%s) = %+v, want 60 responses and no differences", round, res)
		}
	}
	s.Close(ctx)
	s = open(t)
	checkTallies(t, s, tallyPlan, rounds)

	// Erasure of one response, and of a whole round, keeps them exact.
	s.PlanTallies(tallyPlan)
	var gone string
	if err := s.EachResponse(ctx, tallyPlan.SurveyID, []string{"baseline"}, func(r survey.Response) error {
		gone = r.Reference
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteResponse(ctx, gone); err != nil {
		t.Fatal(err)
	}
	checkTallies(t, s, tallyPlan, rounds)
	if _, err := s.DeleteResponses(ctx, tallyPlan.SurveyID, "follow-up"); err != nil {
		t.Fatal(err)
	}
	checkTallies(t, s, tallyPlan, rounds)
	if got, err := s.Tallies(ctx, tallyPlan, rounds, nil); err != nil || got["baseline"].Responses != 59 || (got["follow-up"] != nil && got["follow-up"].Responses != 0) {
		t.Errorf("after erasing one baseline response and the follow-up round: %v", err)
	}
}

// testTalliesWithoutPlan stores responses with no plan, as a store opened
// by a tool that never called PlanTallies would, then reads under a plan,
// then under a changed plan: the figures are exact each time.
func testTalliesWithoutPlan(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	rng := rand.New(rand.NewPCG(6, 7))
	for i := range 40 {
		if _, err := s.Submit(ctx, randomResponse(rng, i, "baseline")); err != nil {
			t.Fatal(err)
		}
	}
	checkTallies(t, s, tallyPlan, []string{"baseline"})
	changed := tallyPlan
	changed.Keys = []string{"caf-1", "tac-1"}
	changed.Breakdowns = [6]string{"sector", "", "role", "", "", ""}
	s.PlanTallies(changed)
	for i := 40; i < 60; i++ {
		if _, err := s.Submit(ctx, randomResponse(rng, i, "baseline")); err != nil {
			t.Fatal(err)
		}
	}
	checkTallies(t, s, changed, []string{"baseline"})
	checkTallies(t, s, tallyPlan, []string{"baseline"})
}

// testConcurrentTallies submits from several goroutines at once and checks
// the tallies are exact.
func testConcurrentTallies(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	s.PlanTallies(tallyPlan)
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range each {
				if _, err := s.Submit(ctx, randomResponse(rng, w*each+i, "baseline")); err != nil {
					errs <- fmt.Errorf("submit: %w", err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkTallies(t, s, tallyPlan, []string{"baseline"})
}
