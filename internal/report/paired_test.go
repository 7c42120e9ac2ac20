package report

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
)

// Six people answer both rounds of the mini survey through invitations:
// at baseline all rate the caf statements 1; at follow-up five rate them 3
// and one still 1. Someone answering only the follow-up, and a response
// with no respondent key, are not paired. By hand: 6 pairs, mean change
// 10/6; the five rises all have size 2, so each has rank 3 and W+ = 15,
// W− = 0; the variance, 5·6·11/24 = 13.75, less (5³ − 5)/48 = 2.5 for
// the five tied sizes, is 11.25; z = (15 − 7.5 − 0.5)/√11.25 = 2.087, and
// the two-sided p = 0.037: more than chance.
func TestPaired(t *testing.T) {
	d := mini(t)
	var rs []survey.Response
	add := func(key, round, level string) {
		rs = append(rs, survey.Response{RespondentKey: key, Round: round, Answers: map[string]string{"caf-1": level, "caf-2": level}})
	}
	for i := range 6 {
		add(fmt.Sprint("p", i), "baseline", "1")
		level := "3"
		if i == 5 {
			level = "1"
		}
		add(fmt.Sprint("p", i), "follow-up", level)
	}
	add("only-follow-up", "follow-up", "2")
	add("", "baseline", "2")
	each := func(_ context.Context, _ string, _ []string, fn func(survey.Response) error) error {
		for _, r := range rs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	pairs, err := ReadPairs(context.Background(), d, "baseline", "follow-up", time.Now(), each)
	if err != nil {
		t.Fatal(err)
	}
	p := pairs.Tests(nil)["caf"]
	if p == nil || p.Hidden || p.Pairs != 6 {
		t.Fatalf("caf: %+v, want 6 pairs shown", p)
	}
	if math.Abs(p.Mean.Difference-10.0/6) > 1e-9 || p.Rank.N != 5 || p.Rank.WPlus != 15 || p.Rank.WMinus != 0 {
		t.Errorf("caf: mean change %v, N %d, W+ %v, W− %v; want 1.667, 5, 15, 0", p.Mean.Difference, p.Rank.N, p.Rank.WPlus, p.Rank.WMinus)
	}
	if math.Abs(p.Rank.P-0.0369) > 0.0005 || !p.MoreThanChance {
		t.Errorf("caf: p = %v, more than chance %v; want 0.037, true", p.Rank.P, p.MoreThanChance)
	}
	if p.Means != [2]float64{1, 1 + 10.0/6} {
		t.Errorf("caf: means %v", p.Means)
	}
	// Fewer pairs than the minimum group size: hidden, no figures.
	rs = rs[4:]
	few, err := ReadPairs(context.Background(), d, "baseline", "follow-up", time.Now(), each)
	if err != nil {
		t.Fatal(err)
	}
	if f := few.Tests(nil)["caf"]; !f.Hidden || f.Rank.Computable || f.Mean.Computable || f.Pairs != 0 {
		t.Errorf("4 pairs: %+v, want hidden with no figures", f)
	}
}

// A breakdown hides the small group and the next smallest, and totals.
func TestBreakdownSuppresses(t *testing.T) {
	d := mini(t)
	q, _ := d.BreakdownQuestion("sector")
	a, b, c := q.Options[0].Value, q.Options[1].Value, q.Options[2].Value
	cell := func(sector string, n int, level string) CellCounts {
		cc := CellCounts{Responses: n, Answers: map[string]map[string]int{"caf-1": {level: n}}}
		cc.Cell[0] = sector
		return cc
	}
	pub := Publish(d, "baseline", []CellCounts{cell(a, 6, "1"), cell(b, 2, "2"), cell(c, 9, "3")}, time.Time{})
	br := NewBreakdown(d, "sector", q, survey.Round{ID: "baseline"}, pub, nil)
	hidden := [3]bool{br.Groups[0].Hidden, br.Groups[1].Hidden, br.Groups[2].Hidden}
	if hidden != [3]bool{true, true, false} {
		t.Errorf("hidden %v, want the first two hidden", hidden)
	}
	if br.Groups[0].Means[0].Scored != 0 || br.Groups[1].Means[0].Scored != 0 {
		t.Error("a hidden group has figures")
	}
	if br.Total.Responses != 17 || br.Total.Hidden || br.Groups[2].Means[0].Mean != 3 {
		t.Errorf("total %+v, third %+v", br.Total, br.Groups[2])
	}
}
