package reports_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/synthetic"
	"iwtoolkit/internal/webtest"
)

// TestInvalidAnswerNotCounted plants answers outside their questions'
// values in the store (9 on a 1 to 5 scale, an option the survey does not
// have, a number above its max, as a damaged row would hold them): the
// report counts none of them, in the answers or in the strand's scores,
// the tallies count them apart, and a recount agrees with the tallies.
func TestInvalidAnswerNotCounted(t *testing.T) {
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		d := e.Survey("training-needs")
		serve(t, e)
		st := e.Store
		rng := rand.New(rand.NewPCG(9, 9))
		for n := range 30 {
			r := synthetic.Response(d, rng, n, d.Rounds[:1], e.Clock())
			if n == 0 {
				r.Answers["need-communication"] = "9"
				r.Answers["safeguarding-level-needed"] = "level-9"
				r.Answers["training-days"] = "500"
				r.Answers["ways-to-learn"] = "e-learning telepathy"
			}
			if _, err := st.Submit(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		plan := store.PlanFor(d)
		tallies, err := st.Tallies(context.Background(), plan, []string{"baseline"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		invalid := tallies["baseline"].Answers[store.InvalidKey]
		for _, k := range []string{"need-communication", "safeguarding-level-needed", "training-days", "ways-to-learn"} {
			if invalid[k] != 1 {
				t.Errorf("the tallies count %d invalid answers to %s, want 1", invalid[k], k)
			}
		}
		e.CloseRound(d, "baseline")
		agg := apiFigures(t, e.StaffBrowser(auth.Analyst, ""), d, "baseline", nil)
		for _, s := range agg.Strands {
			for _, stmt := range s.Statements {
				if r := stmt.Rounds[0]; r != nil && r.Counts["9"] != 0 {
					t.Errorf("%s counts a 9", stmt.ID)
				}
			}
		}
		for _, q := range agg.Questions {
			r := q.Rounds[0]
			if r == nil {
				continue
			}
			if _, ok := r.Counts["level-9"]; ok {
				t.Errorf("%s counts level-9", q.ID)
			}
			if _, ok := r.Counts["telepathy"]; ok {
				t.Errorf("%s counts telepathy", q.ID)
			}
			if q.ID == "training-days" && r.Base != 29 {
				t.Errorf("training-days counts %d answers, want the 29 valid ones", r.Base)
			}
			if q.ID == "ways-to-learn" && r.Base != 30 {
				t.Errorf("ways-to-learn asked %d, want 30", r.Base)
			}
		}
		rc, err := st.Recount(context.Background(), plan, "baseline")
		if err != nil {
			t.Fatal(err)
		}
		if rc.Differences != 0 {
			t.Errorf("a recount repaired %d counts: the tallies counted the invalid answers otherwise", rc.Differences)
		}
	})
}
