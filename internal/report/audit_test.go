package report_test

import (
	"math/rand/v2"
	"os"
	"testing"
	"time"

	published "iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// cellsOf counts responses into cells as a store's tallies do.
func cellsOf(d *survey.Definition, rs []survey.Response) []report.CellCounts {
	return published.CellsOf(d, rs)
}

// smallRound is a round of 12 to 60 synthetic responses to d, a few of
// its breakdown answers given by only 1 to 4 people, and a few with an
// invitation.
func smallRound(d *survey.Definition, rng *rand.Rand) []survey.Response {
	var rs []survey.Response
	n := 12 + rng.IntN(48)
	// Some answers of each breakdown are rare: a respondent gives one of
	// the first two only now and then.
	for i := range n {
		r := synthetic.Response(d, rng, i, d.Rounds[:1], time.Now())
		for _, name := range survey.Breakdowns {
			q, ok := d.BreakdownQuestion(name)
			if !ok || len(q.Options) < 3 {
				continue
			}
			if v := r.Answers[q.ID]; (v == q.Options[0].Value || v == q.Options[1].Value) && rng.IntN(4) != 0 {
				r.Answers[q.ID] = q.Options[2+rng.IntN(len(q.Options)-2)].Value
			}
		}
		r = d.Response(survey.Draft{SurveyID: d.ID, Round: r.Round, Answers: r.Answers})
		if rng.IntN(3) == 0 {
			r.Invitation = "inv"
		}
		rs = append(rs, r)
	}
	return rs
}

// TestBundledSurveysDoNotLeak is the auditor's property test on every
// bundled survey: on random small rounds with rare answers, no figure any
// output shows is about fewer than the minimum, and none can be worked out
// by adding and subtracting (counts fixed only through shown zeros are
// counted and logged: see disclosure.Protect).
func TestBundledSurveysDoNotLeak(t *testing.T) {
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	rounds := 6
	if testing.Short() {
		rounds = 3
	}
	for _, d := range c.All() {
		t.Run(d.ID, func(t *testing.T) {
			t.Parallel()
			zeros := 0
			for seed := range uint64(rounds) {
				rng := rand.New(rand.NewPCG(seed, 11))
				cells := cellsOf(d, smallRound(d, rng))
				pub := report.Publish(d, d.Rounds[0].ID, cells, time.Now())
				for _, l := range report.Leaks(d, cells, pub) {
					if l.ThroughZeros {
						zeros++
						continue
					}
					t.Errorf("seed %d: %v", seed, l)
				}
			}
			t.Logf("%d rounds; counts fixed only through shown zeros: %d", rounds, zeros)
		})
	}
}

// TestPublishedFiguresAreRight: every shown group's figures in a
// publication equal a count of its responses.
func TestPublishedFiguresAreRight(t *testing.T) {
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	rng := rand.New(rand.NewPCG(3, 4))
	var rs []survey.Response
	for i := range 400 {
		rs = append(rs, synthetic.Response(d, rng, i, d.Rounds[:1], time.Now()))
	}
	pub := report.Publish(d, d.Rounds[0].ID, cellsOf(d, rs), time.Now())
	plan := store.PlanFor(d)
	checked := 0
	for _, f := range report.Filters(d, pub) {
		want := store.NewCounts()
		for _, r := range rs {
			if matches(f, plan.CellOf(r)) {
				want.AddResponse(plan, r)
			}
		}
		got, shown := pub.Tally(f)
		if got == nil {
			continue
		}
		pops := d.Populations()
		checked++
		if got.Responses != want.Responses {
			t.Errorf("%v: %d responses, want %d", f, got.Responses, want.Responses)
		}
		for _, k := range plan.Keys {
			id := ""
			if p := survey.PopulationOf(pops, k); p >= 0 {
				id = pops[p].ID
			}
			if !shown[id] {
				if got.Count(k, "1") != 0 {
					t.Errorf("%v: %s counted, though its population's group is hidden", f, k)
				}
				continue
			}
			for v, n := range want.Answers[k] {
				if got.Count(k, v) != n {
					t.Errorf("%v: %s=%s counted %d, want %d", f, k, v, got.Count(k, v), n)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d groups shown of 400 responses", checked)
	}
}

// matches is store.Filter.Match, with report.NotAnswered for no answer.
func matches(f map[string]string, c store.Cell) bool {
	for i, name := range survey.Breakdowns {
		if v, ok := f[name]; ok && v != "" {
			if v == report.NotAnswered {
				v = ""
			}
			if c[i] != v {
				return false
			}
		}
	}
	return true
}
