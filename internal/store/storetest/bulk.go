package storetest

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// bulkTests are the contract of SubmitMany.
var bulkTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"SubmitManyTalliesExact", testSubmitManyTalliesExact},
	{"SubmitManyRepeatAndConflict", testSubmitManyRepeatAndConflict},
}

// testSubmitManyTalliesExact stores random responses in batches, some
// mixed with single Submits and one batch under a changed plan, and checks
// the tallies equal a recount under every filter, and after reopening.
func testSubmitManyTalliesExact(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	s.PlanTallies(tallyPlan)
	rng := rand.New(rand.NewPCG(17, 17))
	n := 0
	batch := func(size int) []survey.Response {
		rs := make([]survey.Response, size)
		for i := range rs {
			rs[i] = randomResponse(rng, n, []string{"baseline", "follow-up"}[n%2])
			n++
		}
		return rs
	}
	for _, size := range []int{1, 50, 200} {
		rs := batch(size)
		got, err := s.SubmitMany(ctx, rs)
		if err != nil || got != size {
			t.Fatalf("SubmitMany of %d = %d, %v", size, got, err)
		}
		if _, err := s.Submit(ctx, batch(1)[0]); err != nil {
			t.Fatal(err)
		}
	}
	rounds := []string{"baseline", "follow-up"}
	checkTallies(t, s, tallyPlan, rounds)
	// A changed plan: the next bulk store rebuilds, counting these too.
	changed := tallyPlan
	changed.Keys = append([]string{}, tallyPlan.Keys[:2]...)
	s.PlanTallies(changed)
	if _, err := s.SubmitMany(ctx, batch(30)); err != nil {
		t.Fatal(err)
	}
	checkTallies(t, s, changed, rounds)
	if got := count(t, s, "iw", nil); got != n {
		t.Errorf("%d responses stored, want %d", got, n)
	}
	s.Close(ctx)
	s = open(t)
	s.PlanTallies(changed)
	checkTallies(t, s, changed, rounds)
	TalliesMatchResponses(t, s, changed, rounds...)
}

// testSubmitManyRepeatAndConflict: a batch repeated stores and counts
// nothing more; a batch with a reference taken is ErrConflict; a response
// through an invitation is refused.
func testSubmitManyRepeatAndConflict(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	s.PlanTallies(tallyPlan)
	rng := rand.New(rand.NewPCG(1, 2))
	var rs []survey.Response
	for i := range 20 {
		rs = append(rs, randomResponse(rng, i, "baseline"))
	}
	if got, err := s.SubmitMany(ctx, rs); err != nil || got != 20 {
		t.Fatalf("SubmitMany = %d, %v; want 20", got, err)
	}
	if got, err := s.SubmitMany(ctx, append(rs[5:10:10], rs[5])); err != nil || got != 0 {
		t.Errorf("SubmitMany repeated = %d, %v; want 0 stored", got, err)
	}
	clash := randomResponse(rng, 100, "baseline")
	clash.Reference = rs[0].Reference
	if _, err := s.SubmitMany(ctx, []survey.Response{clash}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SubmitMany with a taken reference: %v, want ErrConflict", err)
	}
	invited := randomResponse(rng, 101, "baseline")
	invited.Invitation = "inv-1"
	if _, err := s.SubmitMany(ctx, []survey.Response{invited}); !errors.Is(err, store.ErrBulkInvitation) {
		t.Errorf("SubmitMany through an invitation: %v, want ErrBulkInvitation", err)
	}
	if got := count(t, s, "iw", nil); got != 20 {
		t.Errorf("%d responses stored, want 20", got)
	}
	checkTallies(t, s, tallyPlan, []string{"baseline"})
}
