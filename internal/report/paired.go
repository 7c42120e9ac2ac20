package report

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// PairedTest is the change in a strand for the respondents who answered
// both rounds through invitations with the same respondent key: each
// person is compared with themselves (Wilcoxon signed-rank test on their
// change in strand score), which the independent test cannot do.
type PairedTest struct {
	Pairs  int        // respondents with a strand score in both rounds, rounded as the survey asks
	Hidden bool       // the group of pairs is hidden: too few, or to protect a smaller one
	Means  [2]float64 // the pairs' mean strand score in each round
	Mean   stats.MeanDifference
	Rank   stats.SignedRankTest
	// MoreThanChance is set when the signed-rank test says so.
	MoreThanChance bool
	Sentence       string
}

// PValue is the signed-rank p value as the page shows it.
func (p *PairedTest) PValue() string {
	if p.Rank.P < 0.001 {
		return "< 0.001"
	}
	return strconv.FormatFloat(p.Rank.P, 'f', 3, 64)
}

// ShownChange is the pairs' mean change as the page shows it: the
// difference of their rounded means, as the sentence beside it says, and
// known even when every pair changed alike and no interval can be given.
func (p *PairedTest) ShownChange() float64 { return stats.Change(p.Means[0], p.Means[1]) }

// Pairs are the people who answered both of two rounds through
// invitations with the same respondent key, each with their strand scores
// in both and the breakdown cell of their later response (a filter keeps a
// pair by the later answers), with the groups of pairs that may be shown
// chosen as a publication's are (disclosure.Protect): the pairs with a
// score on each strand, by every filter of up to two breakdowns, protected
// together so that no small group of pairs can be worked out from others.
type Pairs struct {
	d       *survey.Definition
	strands []survey.Section
	items   [][]string
	dims    []int
	pairs   []pair
	problem *disclosure.Problem
	pattern *disclosure.Pattern
}

type pair struct {
	cell   []string // the later response's answers to the breakdowns, by dims
	scores [2][]int // per round, per strand: score, or -1
}

// ReadPairs reads the responses of two rounds submitted up to cutoff (the
// earlier of the two publications' times, so that pairs move with the
// published figures) and pairs them. It reads every response of the two
// rounds, so its cost grows with them (see docs/performance.md).
func ReadPairs(ctx context.Context, d *survey.Definition, from, to string, cutoff time.Time, each EachResponse) (*Pairs, error) {
	p := &Pairs{d: d, dims: dimsOf(d)}
	for _, s := range d.Sections {
		items, scale := s.Rated()
		if d.Scales[scale] == nil {
			continue
		}
		p.strands = append(p.strands, *s)
		var keys []string
		for _, it := range items {
			keys = append(keys, it.ID)
		}
		p.items = append(p.items, keys)
	}
	byKey := map[string]*pair{}
	err := each(ctx, d.ID, []string{from, to}, func(r survey.Response) error {
		if r.RespondentKey == "" || r.Submitted.After(cutoff) {
			return nil
		}
		side := 0
		if r.Round == to {
			side = 1
		}
		pr := byKey[r.RespondentKey]
		if pr == nil {
			pr = &pair{}
			byKey[r.RespondentKey] = pr
		}
		row := make([]int, len(p.strands))
		for i, items := range p.items {
			row[i] = -1
			if score, ok := survey.StrandScore(r.Answers, items); ok {
				row[i] = score
			}
		}
		pr.scores[side] = row // a second response in a round replaces the first
		if side == 1 {
			pr.cell = make([]string, len(p.dims))
			for j, dim := range p.dims {
				if q, ok := d.BreakdownQuestion(survey.Breakdowns[dim]); ok {
					pr.cell[j] = r.Answers[q.ID]
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(byKey))
	// Population 0: every pair; 1+i: the pairs with a score on strand i in
	// both rounds.
	pr := &disclosure.Problem{Dims: len(p.dims), Min: d.GroupSize()}
	pr.Pops = append(pr.Pops, disclosure.Population{Name: "pairs", MaxWay: 2})
	for _, s := range p.strands {
		pr.Pops = append(pr.Pops, disclosure.Population{Name: s.ID, MaxWay: 2})
	}
	cells := map[string]int{}
	for _, k := range keys {
		x := byKey[k]
		if x.scores[0] == nil || x.scores[1] == nil {
			continue
		}
		p.pairs = append(p.pairs, *x)
		var pops disclosure.Pops = 1
		for i := range p.strands {
			if x.scores[0][i] >= 0 && x.scores[1][i] >= 0 {
				pops |= 1 << (i + 1)
			}
		}
		ck := strings.Join(x.cell, "\x1f")
		ci, ok := cells[ck]
		if !ok {
			ci = len(pr.Cells)
			cells[ck] = ci
			pr.Cells = append(pr.Cells, disclosure.Cell{Values: x.cell, Sizes: map[disclosure.Pops]int{}})
		}
		pr.Cells[ci].Sizes[pops]++
	}
	p.problem, p.pattern = pr, disclosure.Protect(pr)
	return p, nil
}

// Audit runs the auditor on the pairs: every number of pairs the paired
// comparison shows, for every filter, against the pairs themselves.
func (p *Pairs) Audit() []disclosure.Leak {
	layout := &Publication{Dims: p.dims, Groups: map[disclosure.Key]*Group{}}
	for _, g := range p.pattern.Groups() {
		layout.Groups[g.Key] = &Group{Size: g.Size}
	}
	var pub disclosure.Published
	for _, f := range Filters(p.d, layout) {
		tests := p.Tests(f)
		for i, s := range p.strands {
			t := tests[s.ID]
			if k, ok := layout.Key(f, i+1); ok && !t.Hidden {
				pub.Figures = append(pub.Figures, disclosure.Figure{Key: k, Measure: -1, Value: t.Pairs})
			}
		}
	}
	pub.Rounding = p.d.RoundCountsTo
	return disclosure.Check(p.problem, pub)
}

// Tests are the paired test of each strand for the pairs a filter keeps;
// a strand whose group of pairs is hidden has Hidden set and no figures.
func (p *Pairs) Tests(filter map[string]string) map[string]*PairedTest {
	out := map[string]*PairedTest{}
	layout := &Publication{Dims: p.dims}
	for i, s := range p.strands {
		k, ok := layout.Key(filter, i+1)
		if !ok || !p.pattern.Shown(k) {
			out[s.ID] = &PairedTest{Hidden: true}
			continue
		}
		diffs := stats.Histogram{}
		pairs, sum0, sum1 := 0, 0, 0
		for _, x := range p.pairs {
			if !k.Matches(x.cell) || x.scores[0][i] < 0 || x.scores[1][i] < 0 {
				continue
			}
			diffs[x.scores[1][i]-x.scores[0][i]]++
			pairs++
			sum0, sum1 = sum0+x.scores[0][i], sum1+x.scores[1][i]
		}
		pt := &PairedTest{Pairs: roundCount(pairs, p.d.RoundCountsTo)}
		pt.Mean = stats.PairedT(diffs)
		for _, x := range []*float64{&pt.Mean.Difference, &pt.Mean.Low, &pt.Mean.High, &pt.Mean.SE} {
			*x /= survey.StrandScale
		}
		pt.Rank = stats.SignedRank(diffs)
		pt.MoreThanChance = pt.Rank.MoreThanChance()
		pt.Means = [2]float64{float64(sum0) / float64(pairs) / survey.StrandScale, float64(sum1) / float64(pairs) / survey.StrandScale}
		pt.Sentence = pt.Rank.Sentence(pt.Means[0], pt.Means[1])
		out[s.ID] = pt
	}
	return out
}
