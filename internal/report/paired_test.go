package report_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"
	"time"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
)

// Six people answer both rounds of the mini survey through invitations:
// at baseline all rate the caf statements 1; at follow-up five rate them 3
// and one still 1. By hand: 6 pairs, mean change 10/6; the five rises all
// have size 2, so each has rank 3 and W+ = 15, W− = 0; the variance,
// 5·6·11/24 = 13.75, less (5³ − 5)/48 = 2.5 for the five tied sizes, is
// 11.25; z = (15 − 7.5 − 0.5)/√11.25 = 2.087, and the two-sided p = 0.037:
// more than chance.
func TestPaired(t *testing.T) {
	d := miniSurvey(t)
	var rs []survey.Response
	add := func(key, round, level string) {
		rs = append(rs, survey.Response{RespondentKey: key, Invitation: key, Round: round, Answers: map[string]string{"caf-1": level, "caf-2": level}})
	}
	for i := range 6 {
		add(fmt.Sprint("p", i), "baseline", "1")
		level := "3"
		if i == 5 {
			level = "1"
		}
		add(fmt.Sprint("p", i), "follow-up", level)
	}
	p := readPairs(t, d, rs).Tests(nil)["caf"]
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
	if f := readPairs(t, d, rs).Tests(map[string]string{"sector": "x"})["caf"]; !f.Hidden || !f.Filtered {
		t.Errorf("filtered: %+v, want hidden", f)
	}
	// Fewer pairs than the minimum group size: hidden, no figures.
	if f := readPairs(t, d, rs[4:]).Tests(nil)["caf"]; !f.Hidden || f.Rank.Computable || f.Mean.Computable || f.Pairs != 0 {
		t.Errorf("4 pairs: %+v, want hidden with no figures", f)
	}
}

// A second response with the same respondent key in a round replaces the
// first, which is then paired with nobody: six people rate the caf
// statements 1 at baseline, then send 1 and, later, 3 at follow-up; the
// pairs are the six, from 1 to 3, and the six earlier follow-up responses
// are people of that round not paired. Half the keys are the service's
// own (128 bits in hex), half any other text.
func TestPairsTakeEachKeysLatest(t *testing.T) {
	d := miniSurvey(t)
	var rs []survey.Response
	add := func(key, round, level string) {
		rs = append(rs, survey.Response{RespondentKey: key, Invitation: key, Round: round, Answers: map[string]string{"caf-1": level, "caf-2": level}})
	}
	keys := []string{"p0", "p1", "p2", fmt.Sprintf("%032x", 3), fmt.Sprintf("%032x", 4), "0123456789abcdef0123456789abcdef"}
	for _, k := range keys {
		add(k, "baseline", "1")
		add(k, "follow-up", "1")
	}
	for _, k := range keys {
		add(k, "follow-up", "3")
	}
	p := readPairs(t, d, rs)
	caf := p.Tests(nil)["caf"]
	if caf == nil || caf.Hidden || caf.Pairs != 6 || caf.Means != [2]float64{1, 3} {
		t.Fatalf("caf: %+v, want 6 pairs shown, from 1 to 3", caf)
	}
	if leaks := p.Audit(); len(leaks) != 0 {
		t.Errorf("the auditor finds %v", leaks)
	}
}

// The pairs are a group of each round: the round's figures less the pairs'
// are the people who were not paired. One person answering only the
// follow-up would be given away (their strand score is the round's total
// less the pairs' total), so the paired comparison is hidden; five are a
// group that could be shown, so it is shown.
func TestPairsProtectedWithTheirRounds(t *testing.T) {
	d := miniSurvey(t)
	var rs []survey.Response
	for i := range 6 {
		for _, round := range []string{"baseline", "follow-up"} {
			key := fmt.Sprint("p", i)
			rs = append(rs, survey.Response{RespondentKey: key, Invitation: key, Round: round, Answers: map[string]string{"caf-1": "2", "caf-2": "3"}})
		}
	}
	alone := func(n int) []survey.Response {
		out := slices.Clone(rs)
		for i := range n {
			out = append(out, survey.Response{Round: "follow-up", Reference: fmt.Sprint("only-", i), Answers: map[string]string{"caf-1": "5", "caf-2": "5"}})
		}
		return out
	}
	if p := readPairs(t, d, alone(1)); !p.Tests(nil)["caf"].Hidden {
		t.Errorf("one unpaired person: the pairs are shown, giving their answers away")
	} else if leaks := p.Audit(); len(leaks) != 0 {
		t.Errorf("hidden, yet the auditor finds %v", leaks)
	}
	if p := readPairs(t, d, alone(5)); p.Tests(nil)["caf"].Hidden {
		t.Errorf("five unpaired people: the pairs are hidden")
	} else if leaks := p.Audit(); len(leaks) != 0 {
		t.Errorf("the auditor finds %v", leaks)
	}
}

// A person sent as a round's figures were made is read (sent before
// they were made) but is not in them; they are the latest read of their
// cell and populations, and it is they who are left out of the joint
// check, not someone the figures hold. Six people answer both rounds; a
// seventh, invited, with a score and no key, is read last at follow-up but is not
// in its figures: the follow-up's people in the check are the six, all
// paired.
func TestPairsLeaveOutWhomTheFiguresDoNotHold(t *testing.T) {
	d := miniSurvey(t)
	at := time.Now()
	var rs []survey.Response
	for i := range 6 {
		for _, round := range []string{"baseline", "follow-up"} {
			key := fmt.Sprint("p", i)
			rs = append(rs, survey.Response{RespondentKey: key, Invitation: key, Round: round, Submitted: at.Add(-time.Minute),
				Answers: map[string]string{"caf-1": "2", "caf-2": "3"}})
		}
	}
	late := survey.Response{Invitation: "late", Round: "follow-up", Submitted: at, Answers: map[string]string{"caf-1": "4", "caf-2": "4"}}
	p := pairsOf(t, d, rs, append(slices.Clone(rs), late), at)
	if n := report.UnpairedOf(p, 1); n != 0 {
		t.Errorf("%d of the follow-up's people in the check are not paired, want 0: the one left out is the late one", n)
	}
	if caf := p.Tests(nil)["caf"]; caf.Hidden || caf.Pairs != 6 {
		t.Errorf("caf: %+v, want 6 pairs shown", caf)
	}
}

// readPairs publishes both rounds of rs as closed rounds are, then pairs
// them.
func readPairs(t *testing.T, d *survey.Definition, rs []survey.Response) *report.Pairs {
	t.Helper()
	at := time.Now()
	for i := range rs {
		rs[i].Submitted = at.Add(-time.Minute)
	}
	return pairsOf(t, d, rs, rs, at)
}

// pairsOf publishes both rounds of published, with figures made at at,
// then pairs them reading read.
func pairsOf(t *testing.T, d *survey.Definition, published, read []survey.Response, at time.Time) *report.Pairs {
	t.Helper()
	var pubs [2]*report.Publication
	for i, round := range []string{"baseline", "follow-up"} {
		var in []survey.Response
		for _, r := range published {
			if r.Round == round {
				in = append(in, r)
			}
		}
		pubs[i] = report.Publish(d, round, cellsOf(d, in), at)
	}
	each := func(_ context.Context, _ string, rounds []string, fn func(survey.Response) error) error {
		for _, r := range read {
			if !slices.Contains(rounds, r.Round) {
				continue
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	pairs, err := report.ReadPairs(context.Background(), d, "baseline", "follow-up", pubs, each)
	if err != nil {
		t.Fatal(err)
	}
	return pairs
}

// A breakdown hides the small group and the next smallest, and totals.
func TestBreakdownSuppresses(t *testing.T) {
	d := miniSurvey(t)
	q, _ := d.BreakdownQuestion("sector")
	a, b, c := q.Options[0].Value, q.Options[1].Value, q.Options[2].Value
	cell := func(sector string, n int, level string) report.CellCounts {
		cc := report.CellCounts{Responses: n, Answers: map[string]map[string]int{"caf-1": {level: n}}}
		cc.Cell[0] = sector
		return cc
	}
	pub := report.Publish(d, "baseline", []report.CellCounts{cell(a, 6, "1"), cell(b, 2, "2"), cell(c, 9, "3")}, time.Time{})
	br := report.NewBreakdown(d, "sector", q, survey.Round{ID: "baseline"}, pub, nil)
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

// miniSurvey is the test survey "mini" (package report's mini, for the
// tests outside it).
func miniSurvey(t *testing.T) *survey.Definition {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS("../survey/testdata/valid"), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("mini")
	return d
}

// A failure of either round's read is the pairs' error, and stops the
// other read.
func TestPairsReadFails(t *testing.T) {
	d := miniSurvey(t)
	broken := errors.New("the follow-up cannot be read")
	pubs := [2]*report.Publication{report.Publish(d, "baseline", nil, time.Now()), report.Publish(d, "follow-up", nil, time.Now())}
	each := func(ctx context.Context, _ string, rounds []string, fn func(survey.Response) error) error {
		if rounds[0] == "follow-up" {
			return broken
		}
		<-ctx.Done() // the baseline's read goes on until stopped
		return ctx.Err()
	}
	if _, err := report.ReadPairs(context.Background(), d, "baseline", "follow-up", pubs, each); !errors.Is(err, broken) {
		t.Errorf("the pairs' error is %v, want %v", err, broken)
	}
}
