package report

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// PairedTest is the change in a strand for the respondents who answered
// both rounds through invitations with the same respondent key: each
// person is compared with themselves (Wilcoxon signed-rank test on their
// change in strand score), which the independent test cannot do.
type PairedTest struct {
	Pairs  int  // respondents with a strand score in both rounds, rounded as the survey asks
	Hidden bool // the group of pairs is hidden: too few, or to protect a smaller one
	// Filtered is set when Hidden because the report is filtered: the
	// paired comparison is for everyone who answered both rounds.
	Filtered bool
	Means    [2]float64 // the pairs' mean strand score in each round
	Mean     stats.MeanDifference
	Rank     stats.SignedRankTest
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
// in both. The paired comparison is shown for everyone who answered both
// rounds, never for a filtered group, and a strand's only where its pairs
// are at least the minimum group and showing them, beside everything each
// round's publication shows, gives no group of fewer away (the people of
// a round who were not paired are what a reader would subtract; see
// protect).
type Pairs struct {
	d       *survey.Definition
	strands []survey.Section
	items   [][]string
	pairs   []pair
	shown   []bool // by strand
	// sides are each round's people as the joint check sees them, with
	// what its publication shows: kept for the auditor.
	sides [2]side
}

type pair struct {
	scores [2][]int // per round, per strand: score, or -1
}

// ReadPairs reads the responses of two rounds, each up to its own cutoff
// (when its figures were made: the paired comparison is shown once both
// rounds' figures are), pairs them, and chooses which strands may be
// shown against the two rounds' publications. It reads every response of
// the two rounds, so its cost grows with them (see docs/performance.md).
func ReadPairs(ctx context.Context, d *survey.Definition, from, to string, pubs [2]*Publication, each EachResponse) (*Pairs, error) {
	p := &Pairs{d: d}
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
	type read struct {
		cell   []string
		pops   disclosure.Pops
		key    string
		scores []int
		paired []bool // by strand: has a score on it in both rounds
	}
	pops := d.Populations()
	dims := dimsOf(d)
	var people [2][]*read
	byKey := [2]map[string]*read{{}, {}}
	err := each(ctx, d.ID, []string{from, to}, func(r survey.Response) error {
		side := 0
		if r.Round == to {
			side = 1
		}
		if pubs[side] == nil || r.Submitted.After(pubs[side].At) {
			return nil
		}
		x := &read{cell: make([]string, len(dims)), pops: 1, key: r.RespondentKey}
		for j, dim := range dims {
			if q, ok := d.BreakdownQuestion(survey.Breakdowns[dim]); ok {
				x.cell[j] = r.Answers[q.ID]
			}
		}
		for i, pop := range pops {
			if pop.Holds(r.Answers) {
				x.pops |= 1 << (i + 1)
			}
		}
		if r.Invitation != "" {
			x.pops |= 1 << (len(pops) + 1)
		}
		x.scores, x.paired = make([]int, len(p.strands)), make([]bool, len(p.strands))
		for i, items := range p.items {
			x.scores[i] = -1
			if score, ok := survey.StrandScore(r.Answers, items); ok {
				x.scores[i] = score
			}
		}
		people[side] = append(people[side], x)
		if r.RespondentKey != "" {
			if old := byKey[side][r.RespondentKey]; old != nil {
				old.key = "" // a second response in a round replaces the first
			}
			byKey[side][r.RespondentKey] = x
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	min := d.GroupSize()
	counts := make([]int, len(p.strands))
	for _, k := range slices.Sorted(maps.Keys(byKey[1])) {
		a, b := byKey[0][k], byKey[1][k]
		if a == nil || b == nil || a.key == "" || b.key == "" {
			continue
		}
		p.pairs = append(p.pairs, pair{scores: [2][]int{a.scores, b.scores}})
		for i := range p.strands {
			if a.scores[i] >= 0 && b.scores[i] >= 0 {
				counts[i]++
				a.paired[i], b.paired[i] = true, true
			}
		}
	}
	p.shown = make([]bool, len(p.strands))
	for i, n := range counts {
		p.shown[i] = n >= min
	}
	for side := range 2 {
		sd := side2(d, pubs[side], len(p.strands))
		for _, x := range people[side] {
			sig := x.pops
			for i := range p.strands {
				switch {
				case x.paired[i]:
					sig |= 1 << sd.paired(i)
				case x.scores[i] >= 0:
					sig |= 1 << sd.unpaired(i)
				}
			}
			sd.add(x.cell, x.pops, sig)
		}
		p.sides[side] = sd
	}
	// A response erased since a round's figures were made leaves the
	// pairs read now one person short of those read before: two readings
	// would differ by that person. So after an erasure there are no pairs.
	for side := range 2 {
		if pubs[side] != nil && len(people[side]) < pubs[side].Responses {
			clear(p.shown)
			return p, nil
		}
	}
	p.protect()
	return p, nil
}

// side is one round's people for the joint check: its publication's
// populations, then for each strand those paired on it and those with a
// score on it who are not.
type side struct {
	pub   *Publication
	pr    *disclosure.Problem
	cells map[string]int
	base  int // the index of the first strand's paired population
}

func side2(d *survey.Definition, pub *Publication, strands int) side {
	sd := side{pub: pub, cells: map[string]int{}}
	if pub == nil {
		return sd
	}
	made, _ := Problem(d, pub.Round, pub.Cells)
	sd.pr = &disclosure.Problem{Dims: len(pub.Dims), Min: pub.Min}
	for _, pop := range made.Pops {
		pop.Measures = 0 // sizes are what is checked
		sd.pr.Pops = append(sd.pr.Pops, pop)
	}
	sd.base = len(sd.pr.Pops)
	for i := range strands {
		sd.pr.Pops = append(sd.pr.Pops, disclosure.Population{Name: fmt.Sprint("paired ", i)},
			disclosure.Population{Name: fmt.Sprint("not paired ", i)})
	}
	for _, c := range made.Cells {
		sd.cells[strings.Join(c.Values, "\x1f")] = len(sd.pr.Cells)
		sd.pr.Cells = append(sd.pr.Cells, disclosure.Cell{Values: c.Values, Sizes: maps.Clone(c.Sizes)})
	}
	return sd
}

func (sd *side) paired(i int) int   { return sd.base + 2*i }
func (sd *side) unpaired(i int) int { return sd.base + 2*i + 1 }

// add marks one person of the round's figures, of the given populations
// (base), as paired or not on each strand (sig). A person the figures do
// not hold (sent as they were made) is left out; people the figures hold
// who are not read any more (erased since) stay, paired on nothing.
func (sd *side) add(values []string, base, sig disclosure.Pops) {
	if sd.pr == nil {
		return
	}
	ci, ok := sd.cells[strings.Join(values, "\x1f")]
	if !ok || sd.pr.Cells[ci].Sizes[base] == 0 {
		return
	}
	sizes := sd.pr.Cells[ci].Sizes
	if sizes[base]--; sizes[base] == 0 {
		delete(sizes, base)
	}
	sizes[sig]++
}

// published is what a reader has of one side: every group its
// publication shows, and the number of pairs of each strand shown.
func (sd *side) published(shown []bool) disclosure.Published {
	var out disclosure.Published
	for k, g := range sd.pub.Groups {
		if k.Pop >= sd.base {
			continue // the choosers of an option (ChoiceProblem), checked on their own
		}
		out.Figures = append(out.Figures, disclosure.Figure{Key: k, Measure: -1, Value: g.Size})
	}
	for i, ok := range shown {
		if ok {
			size := 0
			for _, c := range sd.pr.Cells {
				for sig, n := range c.Sizes {
					if sig.Has(sd.paired(i)) {
						size += n
					}
				}
			}
			out.Figures = append(out.Figures, disclosure.Figure{Key: disclosure.Total(sd.paired(i)), Measure: -1, Value: size})
		}
	}
	return out
}

// protect hides each strand whose pairs, beside what both rounds'
// publications show, give a group of fewer than the minimum away: a
// strand's pairs are a group of each round, and a round's group less its
// pairs is the people in it who were not paired (disclosure.Check, on
// every combination of answers, in every population, paired or not).
func (p *Pairs) protect() {
	leaks := func(shown []bool) bool {
		for _, sd := range p.sides {
			if sd.pr == nil {
				continue
			}
			for _, l := range sd.check(shown) {
				if !l.ThroughZeros {
					return true
				}
			}
		}
		return false
	}
	if !slices.Contains(p.shown, true) || !leaks(p.shown) {
		return
	}
	// One strand at a time, so that one strand's pairs do not hide
	// another's.
	for i, ok := range p.shown {
		if !ok {
			continue
		}
		only := make([]bool, len(p.shown))
		only[i] = true
		if leaks(only) {
			p.shown[i] = false
		}
	}
	if leaks(p.shown) {
		clear(p.shown) // strands safe alone may not be together
	}
}

// Audit runs the auditor on the pairs: the numbers of pairs shown, beside
// everything both rounds' publications show, against each round's people.
func (p *Pairs) Audit() []disclosure.Leak {
	var out []disclosure.Leak
	for _, sd := range p.sides {
		if sd.pr != nil {
			out = append(out, sd.check(p.shown)...)
		}
	}
	return out
}

// check is the auditor on one side.
func (sd *side) check(shown []bool) []disclosure.Leak {
	return disclosure.Check(sd.pr, sd.published(shown))
}

// Tests are the paired test of each strand for everyone who answered
// both rounds; a strand whose pairs are hidden has Hidden set and no
// figures, and under a filter every strand is hidden (Filtered).
func (p *Pairs) Tests(filter map[string]string) map[string]*PairedTest {
	out := map[string]*PairedTest{}
	filtered := slices.ContainsFunc(slices.Collect(maps.Values(filter)), func(v string) bool { return v != "" })
	for i, s := range p.strands {
		if filtered || !p.shown[i] {
			out[s.ID] = &PairedTest{Hidden: true, Filtered: filtered}
			continue
		}
		diffs := stats.Histogram{}
		pairs, sum0, sum1 := 0, 0, 0
		for _, x := range p.pairs {
			if x.scores[0][i] < 0 || x.scores[1][i] < 0 {
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
