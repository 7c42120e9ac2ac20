package report_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
)

// choiceRound is a round of the training-needs survey made for attacks on
// a multiple choice: 12 people in education and 12 in health, who chose
// ways of learning so that
//   - e-learning: 10 in education, 2 in health (a few, found by
//     differencing the whole round's count and education's);
//   - shadowing: chosen by all of education but 2 (a few who did not);
//   - coaching-mentoring: by 3 in all (a few, in the whole round).
func choiceRound(t *testing.T) (*survey.Definition, []survey.Response) {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("training-needs")
	var rs []survey.Response
	for i := range 24 {
		sector, nth := "education", i
		if i >= 12 {
			sector, nth = "health", i-12
		}
		var ways []string
		if sector == "education" && nth < 10 || sector == "health" && nth < 2 {
			ways = append(ways, "e-learning")
		}
		if sector == "education" && nth < 10 || sector == "health" && nth < 6 {
			ways = append(ways, "shadowing")
		}
		if i < 3 {
			ways = append(ways, "coaching-mentoring")
		}
		if len(ways) == 0 {
			ways = []string{"practice-groups"}
		}
		answers := map[string]string{"sector": sector, "role": "frontline", "workforce": "core",
			"safeguarding-level": "level-2", "safeguarding-when": "under-1-year", "safeguarding-level-needed": "level-2",
			"ways-to-learn": strings.Join(ways, " "), "integrated-working-topics": "caf", "training-barriers": "cost"}
		rs = append(rs, d.Response(survey.Draft{SurveyID: d.ID, Round: "baseline", Answers: answers}))
	}
	return d, rs
}

// naiveChoiceFigures are what a report that counted a multiple choice as
// it counts a choice would show: each option's count in every shown
// group, however few chose it.
func naiveChoiceFigures(d *survey.Definition, cells []report.CellCounts, pub *report.Publication) []disclosure.Figure {
	var out []disclosure.Figure
	for i, c := range d.Choosable() {
		at := pub.PopIndex(report.ChoicePopulation(c))
		for k := range pub.Groups {
			if k.Pop != 0 {
				continue
			}
			n := 0
			for _, cell := range cells {
				if k.Matches(cellValues(pub, cell)) {
					for sig, m := range cell.Answers[report.AskedKey] {
						if j := len(d.Populations()) + 1 + i; j < len(sig) && sig[j] == '1' {
							n += m
						}
					}
				}
			}
			if n > 0 {
				ck := k
				ck.Pop = at
				out = append(out, disclosure.Figure{Key: ck, Measure: -1, Value: n})
			}
		}
	}
	return out
}

func cellValues(pub *report.Publication, c report.CellCounts) []string {
	v := make([]string, len(pub.Dims))
	for j, d := range pub.Dims {
		v[j] = c.Cell[d]
	}
	return v
}

// TestMultipleChoiceAttacks: an option chosen by few people in a group,
// or by all but a few, or a few found by differencing an option's counts
// across groups, is caught by the auditor on a report that shows every
// option's counts as a choice's (the naive way), and is hidden by the
// protection, which the auditor then finds no leak in.
func TestMultipleChoiceAttacks(t *testing.T) {
	d, rs := choiceRound(t)
	cells := cellsOf(d, rs)
	pub := report.Publish(d, "baseline", cells, time.Now())

	naive := report.Gather(d, pub)
	var kept []disclosure.Figure
	for _, f := range naive.Figures {
		if f.Key.Pop < pub.PopIndex(report.InvitedPopulation)+1 {
			kept = append(kept, f)
		}
	}
	naive.Figures = append(kept, naiveChoiceFigures(d, cells, pub)...)
	leaks, err := report.Audit(t.Context(), d, cells, pub, naive, false)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, l := range leaks {
		for _, option := range []string{"e-learning", "shadowing", "coaching-mentoring"} {
			if strings.Contains(l.Group, "= "+option+":") {
				found[option] = true
			}
		}
	}
	for _, option := range []string{"e-learning", "shadowing", "coaching-mentoring"} {
		if !found[option] {
			t.Errorf("the auditor missed the attack on %s in the naive figures; it found %v", option, leaks)
		}
	}

	if leaks := report.Leaks(d, cells, pub); len(leaks) > 0 {
		t.Errorf("the protected figures leak: %v", leaks)
	}
	agg := report.Compare(d, d.Rounds[:1], []*report.Publication{pub}, map[string]string{"sector": "health"}).Aggregates(d.ID, pub.Min, nil)
	for _, q := range agg.Questions {
		if q.ID != "ways-to-learn" {
			continue
		}
		r := q.Rounds[0]
		if r == nil {
			t.Fatal("health's ways of learning are hidden as a whole")
		}
		if r.Counts["e-learning"] != nil {
			t.Errorf("health's e-learning (2 people) is shown: %d", *r.Counts["e-learning"])
		}
		if r.Base != 12 {
			t.Errorf("health's base is %d, want 12", r.Base)
		}
	}
	all := report.Compare(d, d.Rounds[:1], []*report.Publication{pub}, nil).Aggregates(d.ID, pub.Min, nil)
	for _, q := range all.Questions {
		if q.ID != "ways-to-learn" {
			continue
		}
		counts := q.Rounds[0].Counts
		if counts["coaching-mentoring"] != nil {
			t.Errorf("coaching-mentoring (3 people) is shown")
		}
		if counts["shadowing"] == nil || *counts["shadowing"] != 16 || counts["e-learning"] == nil || *counts["e-learning"] != 12 {
			t.Errorf("the round's shadowing (16 of 24) and e-learning (12) are %v and %v", counts["shadowing"], counts["e-learning"])
		}
	}
}
