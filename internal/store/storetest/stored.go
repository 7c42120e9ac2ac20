package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// testSubmitConfirmedOnceStored ends the request's context at the moment
// the response is stored (store.OnStored), before the draft is deleted and
// the response counted: the respondent must be told it was sent, the draft
// must still go, and the response be stored and counted once. Under load
// on MongoDB this was a 503 "not sent" for responses that were stored
// (issue 28).
func testSubmitConfirmedOnceStored(t *testing.T, open func(t *testing.T) store.Store) {
	bg := context.Background()
	s := open(t)
	s.PlanTallies(tallyPlan)
	r := Response(1, "iw", "baseline", t0)
	r.Answers["org"] = "north"
	d := survey.Draft{Key: r.SubmissionKey, SurveyID: "iw", Round: "baseline", Answers: r.Answers, Updated: t0, Expires: t0.Add(time.Hour)}
	if err := s.SaveDraft(bg, d); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	got, err := s.Submit(store.OnStored(ctx, cancel), r)
	if ctx.Err() == nil {
		t.Fatal("Submit never called store.Stored")
	}
	if err != nil {
		t.Fatalf("Submit with its context ended once the response was stored: %v; want the response", err)
	}
	if got.Reference != r.Reference {
		t.Errorf("Submit returned reference %q, want %q", got.Reference, r.Reference)
	}
	if _, err := s.Draft(bg, d.Key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Draft after Submit: error = %v, want ErrNotFound", err)
	}
	again := r
	again.Reference = "OTHER-00001"
	if got, err := s.Submit(bg, again); err != nil || got.Reference != r.Reference {
		t.Errorf("Submit again = %q, %v; want the stored %q", got.Reference, err, r.Reference)
	}
	if n := count(t, s, "iw", nil); n != 1 {
		t.Errorf("stored %d responses, want 1", n)
	}
	TalliesMatchResponses(t, s, tallyPlan, "baseline")
	tallies, err := s.Tallies(bg, tallyPlan, []string{"baseline"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := tallies["baseline"].Responses; n != 1 {
		t.Errorf("tallies count %d responses, want 1", n)
	}
}

// testSubmitCancelled sends with a context that has already ended: the
// store may refuse or store, but an error must mean nothing was stored and
// a response returned must be stored.
func testSubmitCancelled(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 5 {
		r := Response(i, "iw", "baseline", t0)
		_, err := s.Submit(ctx, r)
		_, found := s.SubmittedResponse(context.Background(), r.SubmissionKey)
		switch {
		case err != nil && found == nil:
			t.Errorf("Submit %d failed (%v) but its response was stored", i, err)
		case err == nil && found != nil:
			t.Errorf("Submit %d returned the response but it is not stored: %v", i, found)
		}
	}
}
