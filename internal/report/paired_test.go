package report

import (
	"context"
	"fmt"
	"math"
	"testing"

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
	all := func(survey.Response) bool { return true }
	got, err := Paired(context.Background(), d, "baseline", "follow-up", each, all)
	if err != nil {
		t.Fatal(err)
	}
	p := got["caf"]
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
	few, err := Paired(context.Background(), d, "baseline", "follow-up", each, func(r survey.Response) bool { return r.RespondentKey < "p4" })
	if err != nil {
		t.Fatal(err)
	}
	if f := few["caf"]; !f.Hidden || f.Rank.Computable || f.Mean.Computable {
		t.Errorf("4 pairs: %+v, want hidden with no figures", f)
	}
}

// A breakdown hides the small group and the next smallest, and totals.
func TestBreakdownSuppresses(t *testing.T) {
	d := mini(t)
	q := &survey.Question{Options: []survey.Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}, {Value: "c", Label: "C"}}}
	group := func(n int, level string) *Tally {
		var as []map[string]string
		for range n {
			as = append(as, map[string]string{"caf-1": level})
		}
		return tally(as...)
	}
	b := NewBreakdown(d, "sector", q, survey.Round{ID: "baseline"}, map[string]*Tally{"a": group(6, "1"), "b": group(2, "2"), "c": group(9, "3")})
	hidden := [3]bool{b.Groups[0].Hidden, b.Groups[1].Hidden, b.Groups[2].Hidden}
	if hidden != [3]bool{true, true, false} {
		t.Errorf("hidden %v, want a and b hidden", hidden)
	}
	if b.Groups[0].Means[0].Scored != 0 || b.Groups[1].Means[0].Scored != 0 {
		t.Error("a hidden group has figures")
	}
	if b.Total.Responses != 17 || b.Total.Hidden || b.Groups[2].Means[0].Mean != 3 {
		t.Errorf("total %+v, c %+v", b.Total, b.Groups[2])
	}
}
