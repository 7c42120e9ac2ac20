package report

import (
	"context"
	"encoding/binary"
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
	// By strand, over its pairs: how many pairs changed by how much
	// (second round's score less the first's), and the sum of their
	// scores in each round.
	diffs []stats.Histogram
	sums  [][2]int
	shown []bool // by strand
	// sides are each round's people as the joint check sees them, with
	// what its publication shows: kept for the auditor.
	sides [2]side
}

// EachAnswers streams a survey's responses in some rounds, oldest first,
// with only the answers to keys: values[i] is the answer to keys[i], ""
// where there is none, and the response's Answers are not set. values is
// the caller's only until fn returns. A store may have a faster way than
// EachResponse to give these (no map of every answer per response);
// AnswersOf makes one from EachResponse.
type EachAnswers func(ctx context.Context, surveyID string, rounds []string, keys []string, fn func(r survey.Response, values []string) error) error

// AnswersOf reads the answers to keys through EachResponse.
func AnswersOf(each EachResponse) EachAnswers {
	return func(ctx context.Context, surveyID string, rounds []string, keys []string, fn func(survey.Response, []string) error) error {
		values := make([]string, len(keys))
		return each(ctx, surveyID, rounds, func(r survey.Response) error {
			for i, k := range keys {
				values[i] = r.Answers[k]
			}
			r.Answers = nil
			return fn(r, values)
		})
	}
}

// ReadPairs reads the responses of two rounds, each up to its own cutoff
// (when its figures were made: the paired comparison is shown once both
// rounds' figures are), pairs them, and chooses which strands may be
// shown against the two rounds' publications. It reads every response of
// the two rounds, so its cost grows with them (see docs/performance.md).
func ReadPairs(ctx context.Context, d *survey.Definition, from, to string, pubs [2]*Publication, each EachResponse) (*Pairs, error) {
	return ReadPairsOf(ctx, d, from, to, pubs, AnswersOf(each))
}

// ReadPairsOf is ReadPairs reading only the answers it needs: the
// breakdown questions, the questions the populations depend on and the
// rated items.
func ReadPairsOf(ctx context.Context, d *survey.Definition, from, to string, pubs [2]*Publication, each EachAnswers) (*Pairs, error) {
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
	// The answers read, by index: the breakdowns, the populations'
	// conditions, then each strand's items.
	pops := d.Populations()
	dims := dimsOf(d)
	var keys []string
	for _, dim := range dims {
		id := ""
		if q, ok := d.BreakdownQuestion(survey.Breakdowns[dim]); ok {
			id = q.ID
		}
		keys = append(keys, id)
	}
	conds := map[string]int{}
	for _, pop := range pops {
		for _, c := range pop.When {
			if _, ok := conds[c.Question]; c != nil && !ok {
				conds[c.Question] = len(keys)
				keys = append(keys, c.Question)
			}
		}
	}
	items := make([][]int, len(p.items))
	for i, its := range p.items {
		for _, k := range its {
			items[i] = append(items[i], len(keys))
			keys = append(keys, k)
		}
	}
	var sides [2]*roundPeople
	var take [2]func(survey.Response, []string)
	for side := range 2 {
		rp := &roundPeople{strands: len(p.strands), cells: map[string]int32{}, byKey: map[string]int32{}}
		if pubs[side] != nil {
			rp.people = make([]person, 0, pubs[side].Responses) // as many as its figures hold, unless erased
		}
		sides[side] = rp
		inPops := newPopsOf(pops, conds)
		scores := make([]int32, len(p.strands))
		take[side] = func(r survey.Response, values []string) {
			if pubs[side] == nil || r.Submitted.After(pubs[side].At) {
				return
			}
			x := person{rec: -1, pops: 1, cell: rp.cell(values[:len(dims)])}
			x.pops |= inPops.of(values)
			if r.Invitation != "" {
				x.pops |= 1 << (len(pops) + 1)
			}
			for i, idx := range items {
				scores[i] = -1
				if score, ok := strandScore(values, idx); ok {
					scores[i] = int32(score)
					x.scored |= 1 << i
				}
			}
			if r.RespondentKey != "" {
				// A second response in a round replaces the first,
				// which is then paired with nobody.
				x.rec = int32(len(rp.paired))
				rp.byKey[r.RespondentKey] = x.rec
				rp.paired = append(rp.paired, 0)
				rp.scores = append(rp.scores, scores...)
			}
			rp.people = append(rp.people, x)
		}
	}
	// One read of both rounds: their responses are on the same pages,
	// which two reads at once would each read (half as much CPU again).
	err := each(ctx, d.ID, []string{from, to}, keys, func(r survey.Response, values []string) error {
		side := 0
		if r.Round == to {
			side = 1
		}
		take[side](r, values)
		return nil
	})
	if err != nil {
		return nil, err
	}
	min := d.GroupSize()
	counts := make([]int, len(p.strands))
	p.diffs, p.sums = make([]stats.Histogram, len(p.strands)), make([][2]int, len(p.strands))
	for i := range p.diffs {
		p.diffs[i] = stats.Histogram{}
	}
	a, b := sides[0], sides[1]
	for _, k := range slices.Sorted(maps.Keys(b.byKey)) {
		ra, ok := a.byKey[k]
		if !ok {
			continue
		}
		rb := b.byKey[k]
		s0, s1 := a.rec(ra), b.rec(rb)
		for i := range p.strands {
			if s0[i] >= 0 && s1[i] >= 0 {
				counts[i]++
				a.paired[ra] |= 1 << i
				b.paired[rb] |= 1 << i
				p.diffs[i][int(s1[i]-s0[i])]++
				p.sums[i][0] += int(s0[i])
				p.sums[i][1] += int(s1[i])
			}
		}
	}
	p.shown = make([]bool, len(p.strands))
	for i, n := range counts {
		p.shown[i] = n >= min
	}
	for side, rp := range sides {
		sd := side2(d, pubs[side], len(p.strands))
		// Each cell of the round's people found once among the
		// publication's cells, not once for each person.
		at := make([]int, len(rp.values))
		for i, values := range rp.values {
			at[i] = sd.cellOf(values)
		}
		for _, x := range rp.people {
			sig := x.pops
			var paired uint64
			if x.rec >= 0 {
				paired = rp.paired[x.rec]
			}
			for i := range p.strands {
				switch {
				case paired&(1<<i) != 0:
					sig |= 1 << sd.paired(i)
				case x.scored&(1<<i) != 0:
					sig |= 1 << sd.unpaired(i)
				}
			}
			sd.add(at[x.cell], x.pops, sig)
		}
		p.sides[side] = sd
	}
	// A response erased since a round's figures were made leaves the
	// pairs read now one person short of those read before: two readings
	// would differ by that person. So after an erasure there are no pairs.
	for side := range 2 {
		if pubs[side] != nil && len(sides[side].people) < pubs[side].Responses {
			clear(p.shown)
			return p, nil
		}
	}
	p.protect()
	return p, nil
}

// popsOf gives the populations a person is in (each population's bit, as
// disclosure.Pops, from bit 1) from their answers. Those depend only on
// the answers to the conditions' questions, which take few combinations:
// each combination's populations are worked out once, with Holds, and
// kept by the answers.
type popsOf struct {
	pops    []survey.Population
	conds   map[string]int // each condition's question, to its answer's index in values
	at      []int          // the same indexes, in order
	answers map[string]string
	held    map[string]disclosure.Pops
	key     []byte
}

func newPopsOf(pops []survey.Population, conds map[string]int) *popsOf {
	return &popsOf{pops: pops, conds: conds, at: slices.Sorted(maps.Values(conds)),
		answers: map[string]string{}, held: map[string]disclosure.Pops{}}
}

func (po *popsOf) of(values []string) disclosure.Pops {
	po.key = po.key[:0]
	for _, i := range po.at {
		po.key = append(binary.AppendUvarint(po.key, uint64(len(values[i]))), values[i]...)
	}
	if in, ok := po.held[string(po.key)]; ok {
		return in
	}
	clear(po.answers)
	for q, i := range po.conds {
		if values[i] != "" {
			po.answers[q] = values[i]
		}
	}
	var in disclosure.Pops
	for i, pop := range po.pops {
		if pop.Holds(po.answers) {
			in |= 1 << (i + 1)
		}
	}
	po.held[string(po.key)] = in
	return in
}

// roundPeople are one round's people as ReadPairs reads them: each
// person's cell, populations and strands with a score, and for those with
// a respondent key (a record) their scores and the strands they are
// paired on. Kept small: a round can hold hundreds of thousands.
type roundPeople struct {
	strands int
	cells   map[string]int32 // the cells' values joined, to their index
	values  [][]string       // each cell's values
	buf     []byte
	people  []person
	byKey   map[string]int32 // respondent key to its latest record
	paired  []uint64         // by record: the strands it is paired on
	scores  []int32          // by record, then strand: its score, or -1
}

type person struct {
	cell   int32
	rec    int32 // its record, or -1 without a respondent key
	pops   disclosure.Pops
	scored uint64 // the strands it has a score on
}

// cell returns the index of a cell's values, adding it when new.
func (rp *roundPeople) cell(values []string) int32 {
	rp.buf = rp.buf[:0]
	for _, v := range values {
		rp.buf = append(append(rp.buf, v...), 0x1f)
	}
	if i, ok := rp.cells[string(rp.buf)]; ok {
		return i
	}
	i := int32(len(rp.values))
	rp.cells[string(rp.buf)] = i
	rp.values = append(rp.values, slices.Clone(values))
	return i
}

// rec is a record's scores.
func (rp *roundPeople) rec(i int32) []int32 {
	return rp.scores[int(i)*rp.strands : int(i+1)*rp.strands : int(i+1)*rp.strands]
}

// strandScore is survey.StrandScore on the values at the given indexes.
func strandScore(values []string, idx []int) (int, bool) {
	sum, n := 0, 0
	for _, i := range idx {
		// A level with no number (don't know, not applicable) is not
		// given to Atoi, whose error would be allocated for each.
		s := values[i]
		if s == "" || (s[0] < '0' || s[0] > '9') && s[0] != '-' && s[0] != '+' {
			continue
		}
		if v, ok := smallInt(s); ok {
			sum, n = sum+v, n+1
		} else if v, err := strconv.Atoi(s); err == nil {
			sum, n = sum+v, n+1
		}
	}
	if n == 0 {
		return 0, false
	}
	return (sum*survey.StrandScale + n/2) / n, true
}

// smallInt reads a number of one to nine digits, with no sign: a scale's
// level. Anything else (ok false) is left to strconv.Atoi, which gives
// the same for these.
func smallInt(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
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

// cellOf is the index of the publication's cell of the given values, or
// -1 when it has none (or there is no publication).
func (sd *side) cellOf(values []string) int {
	if sd.pr == nil {
		return -1
	}
	ci, ok := sd.cells[strings.Join(values, "\x1f")]
	if !ok {
		return -1
	}
	return ci
}

func (sd *side) paired(i int) int   { return sd.base + 2*i }
func (sd *side) unpaired(i int) int { return sd.base + 2*i + 1 }

// add marks one person of the round's figures, of the given populations
// (base), as paired or not on each strand (sig). A person the figures do
// not hold (sent as they were made) is left out; people the figures hold
// who are not read any more (erased since) stay, paired on nothing.
func (sd *side) add(ci int, base, sig disclosure.Pops) {
	if ci < 0 || sd.pr.Cells[ci].Sizes[base] == 0 {
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
		diffs := p.diffs[i]
		pairs, sum0, sum1 := 0, p.sums[i][0], p.sums[i][1]
		for _, n := range diffs {
			pairs += n
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
