package report

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
)

func mini(t *testing.T) *survey.Definition {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS("../survey/testdata/valid"), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("mini")
	return d
}

// compareTallies compares rounds of one tally each, published as a
// round of one cell.
func compareTallies(d *survey.Definition, rounds []survey.Round, tallies []*Tally) *Comparison {
	pubs := make([]*Publication, len(tallies))
	for i, t := range tallies {
		pubs[i] = Publish(d, rounds[i].ID, []CellCounts{{Responses: t.Responses, Answers: t.counts}}, time.Time{})
	}
	return Compare(d, rounds, pubs, nil)
}

func tally(answers ...map[string]string) *Tally {
	t := NewTally()
	for _, a := range answers {
		t.Add(survey.Response{Answers: a})
	}
	return t
}

// The mini survey's scale runs 1 to 3, with Don't know and Not applicable.
func TestFigures(t *testing.T) {
	d := mini(t)
	caf, _ := d.Section("caf")
	statements, name := caf.Rated()
	scale := d.Scales[name]
	for _, tc := range []struct {
		name    string
		answers []string // to caf-1
		want    Figures
	}{
		{"none", nil, Figures{}},
		{"only don't know and n/a", []string{"dont-know", "not-applicable"}, Figures{}},
		{"odd count", []string{"1", "3", "3"}, Figures{Scored: 3, Mean: 7.0 / 3, Median: 3}},
		{"even count takes the middle two", []string{"1", "2", "3", "3"}, Figures{Scored: 4, Mean: 2.25, Median: 2.5}},
		{"don't know left out", []string{"1", "1", "dont-know", "3"}, Figures{Scored: 3, Mean: 5.0 / 3, Median: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := NewTally()
			for _, a := range tc.answers {
				tl.Add(survey.Response{Answers: map[string]string{"caf-1": a}})
			}
			got := tl.figures(scale, statements[:1])
			if got.Scored != tc.want.Scored || !near(got.Mean, tc.want.Mean) || got.Median != tc.want.Median {
				t.Errorf("figures %+v, want %+v", got, tc.want)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestCompareSuppressesSmallRounds(t *testing.T) {
	d := mini(t)
	big, small := NewTally(), NewTally()
	for i := 0; i < 5; i++ {
		big.Add(survey.Response{Answers: map[string]string{"caf-1": "1", "caf-2": "3", "sharing-1": "2"}})
	}
	for i := 0; i < 4; i++ {
		small.Add(survey.Response{Answers: map[string]string{"caf-1": "3", "caf-2": "3", "sharing-1": "3"}})
	}
	c := compareTallies(d, d.Rounds, []*Tally{big, small})
	if c.Rounds[0].Suppressed || !c.Rounds[1].Suppressed {
		t.Fatalf("suppression %v %v, want the 4-response round only", c.Rounds[0].Suppressed, c.Rounds[1].Suppressed)
	}
	caf := c.Strands[0]
	if caf.Figures[0].Scored != 10 || caf.Figures[0].Mean != 2 {
		t.Errorf("shown round: %+v, want 10 ratings with mean 2", caf.Figures[0])
	}
	if !caf.Figures[1].Hidden || caf.Figures[1].Scored != 0 || caf.Figures[1].Mean != 0 || caf.HasChange {
		t.Errorf("suppressed round leaks figures: %+v, change %v", caf.Figures[1], caf.HasChange)
	}
	if c.Sections[0].Rows[0].Rounds[1].Counts != nil {
		t.Error("suppressed round leaks statement counts")
	}
	// Counts run in the scale's order: 1, 2, 3, Don't know, Not applicable.
	if got := c.Sections[0].Rows[0].Rounds[0].Counts; len(got) != 5 || got[0] != 5 {
		t.Errorf("caf-1 counts %v", got)
	}
	bar, err := c.BarChart()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(bar), `"Follow-up"`) {
		t.Error("bar chart has a series for the suppressed round")
	}
}

func TestChangeBetweenRounds(t *testing.T) {
	d := mini(t)
	a := tally(repeat(5, map[string]string{"caf-1": "1", "caf-2": "2", "sharing-1": "dont-know"})...)
	b := tally(repeat(6, map[string]string{"caf-1": "3", "caf-2": "3", "sharing-1": "3"})...)
	c := compareTallies(d, d.Rounds, []*Tally{a, b})
	if s := c.Strands[0]; !s.HasChange || !near(s.Change, 1.5) {
		t.Errorf("CAF change %v (%v), want +1.5", s.Change, s.HasChange)
	}
	if s := c.Strands[1]; s.HasChange {
		t.Error("a strand with no ratings in one round has a change")
	}
}

func repeat(n int, m map[string]string) []map[string]string {
	out := make([]map[string]string, n)
	for i := range out {
		out[i] = m
	}
	return out
}

// Labels from survey files reach the page only as JSON values: a label
// that looks like markup stays a string.
func TestChartJSONKeepsLabelsAsData(t *testing.T) {
	d := mini(t)
	d.Sections[0].Title = `</script><script>alert(1)</script>`
	all := repeat(5, map[string]string{"caf-1": "1", "caf-2": "2", "sharing-1": "3"})
	c := compareTallies(d, d.Rounds[:1], []*Tally{tally(all...)})
	for _, build := range []func() ([]byte, error){c.BarChart, c.RadarChart} {
		b, err := build()
		if err != nil {
			t.Fatal(err)
		}
		var options map[string]any
		if err := json.Unmarshal(b, &options); err != nil {
			t.Fatalf("chart options are not JSON: %v", err)
		}
		if strings.Contains(string(b), "</script>") {
			t.Errorf("chart JSON carries raw markup: %s", b)
		}
	}
}

// Where a survey rounds counts, every figure is made from the rounded
// counts a reader sees: a mean from exact counts gave the exact counts
// back (with min_group_size 10 and rounding to 5, half the statements of a
// round), so the means, read beside the rounded counts, must tell nothing
// more than them.
func TestRoundedCountsGiveNoExactCountBack(t *testing.T) {
	base := mini(t)
	d := *base
	d.RoundCountsTo, d.MinGroupSize = 5, 10
	caf, _ := d.Section("caf")
	items, scale := caf.Rated()
	cell := CellCounts{Responses: 23, Answers: map[string]map[string]int{}}
	for i, it := range items {
		cell.Answers[it.ID] = map[string]int{"1": 7 + i, "2": 3, "3": 13 - i}
	}
	pub := Publish(&d, "baseline", []CellCounts{cell}, time.Time{})
	cmp := Compare(&d, []survey.Round{{ID: "baseline"}}, []*Publication{pub}, nil)
	for _, det := range cmp.Sections {
		for _, row := range det.Rows {
			r := row.Rounds[0]
			if r.Counts == nil || r.Scored == 0 {
				continue // a strand nobody rated
			}
			sum, n := 0, 0
			for k, c := range r.Counts {
				if c%5 != 0 {
					t.Fatalf("%s: count %d not rounded to 5", row.Statement.ID, c)
				}
				if l, err := strconv.Atoi(det.Values[k]); err == nil && isLevel(d.Scales[scale], l) {
					sum, n = sum+c*l, n+c
				}
			}
			if n == 0 || !near(r.Mean, float64(sum)/float64(n)) {
				t.Errorf("%s: mean %v, want %v from the rounded counts %v", row.Statement.ID, r.Mean, float64(sum)/float64(n), r.Counts)
			}
		}
	}
}

func isLevel(s *survey.Scale, v int) bool { _, ok := s.Level(strconv.Itoa(v)); return ok }
