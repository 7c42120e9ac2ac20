package report

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	for side := range 2 {
		p.sides[side] = side2(d, pubs[side], len(p.strands))
		sides[side] = newRoundPeople(&p.sides[side], len(p.strands), newPopsOf(pops, conds), len(dims), items, len(pops))
		if pubs[side] != nil { // at most as many as its figures hold, unless sent as they were made
			sides[side].kept = make([]keyed, 0, pubs[side].Responses)
		}
	}
	// Each round read at once, on a connection of its own: the two
	// reads share nothing until the people are paired.
	var errs [2]error
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancelCause(ctx) // one read's failure stops the other
	defer cancel(nil)
	for side, round := range [2]string{from, to} {
		if pubs[side] == nil {
			continue
		}
		wg.Go(func() {
			rp, at := sides[side], pubs[side].At
			errs[side] = each(ctx, d.ID, []string{round}, keys, func(r survey.Response, values []string) error {
				if !r.Submitted.After(at) {
					rp.take(r, values)
				}
				return nil
			})
			if errs[side] != nil {
				cancel(errs[side])
				return
			}
			rp.latest()
		})
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		return nil, context.Cause(ctx) // the first failure
	}
	min := d.GroupSize()
	counts := make([]int, len(p.strands))
	p.diffs, p.sums = make([]stats.Histogram, len(p.strands)), make([][2]int, len(p.strands))
	for i := range p.diffs {
		p.diffs[i] = stats.Histogram{}
	}
	// Both rounds' kept people are in the order of their keys: walk them
	// together, pairing equal keys, and count each with the strands it is
	// paired on.
	a, b := sides[0], sides[1]
	for i, j := 0, 0; i < len(a.kept) || j < len(b.kept); {
		c := 1 // a's are done, or b's key is smaller
		if j == len(b.kept) {
			c = -1
		} else if i < len(a.kept) {
			c = bytes.Compare(a.kept[i].key[:], b.kept[j].key[:])
		}
		switch {
		case c < 0:
			a.count(a.kept[i], 0)
			i++
		case c > 0:
			b.count(b.kept[j], 0)
			j++
		default:
			ra, rb := a.kept[i].at, b.kept[j].at
			s0, s1 := a.scoresOf(ra), b.scoresOf(rb)
			var paired uint64
			for k := range p.strands {
				if s0[k] >= 0 && s1[k] >= 0 {
					counts[k]++
					paired |= 1 << k
					p.diffs[k][int(s1[k]-s0[k])]++
					p.sums[k][0] += int(s0[k])
					p.sums[k][1] += int(s1[k])
				}
			}
			a.count(a.kept[i], paired)
			b.count(b.kept[j], paired)
			i, j = i+1, j+1
		}
	}
	p.shown = make([]bool, len(p.strands))
	for i, n := range counts {
		p.shown[i] = n >= min
	}
	for side, rp := range sides {
		sd := &p.sides[side]
		for _, g := range rp.groups() {
			sig := g.pops
			for i := range p.strands {
				switch {
				case g.paired&(1<<i) != 0:
					sig |= 1 << sd.paired(i)
				case g.scored&(1<<i) != 0:
					sig |= 1 << sd.unpaired(i)
				}
			}
			sd.add(rp.at[g.cell], g.pops, sig, int(g.n))
		}
	}
	// A response erased since a round's figures were made leaves the
	// pairs read now one person short of those read before: two readings
	// would differ by that person. So after an erasure there are no pairs.
	for side := range 2 {
		if pubs[side] != nil && sides[side].read < pubs[side].Responses {
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

// roundPeople are one round's people as ReadPairs reads them, kept
// small (a round can hold hundreds of thousands): each person's cell,
// populations and strands with a score, counted by those and the strands
// they are paired on (people without a respondent key, and a key's
// responses before its latest in the round, are paired with nobody), and,
// for each respondent key, its latest person with their strand scores,
// until the two rounds are paired.
type roundPeople struct {
	sd      *side // the round's figures
	strands int
	inPops  *popsOf
	dims    int
	items   [][]int
	invited disclosure.Pops  // the population of people who came through an invitation
	cells   map[string]int32 // the cells' values joined, to their index
	values  [][]string       // each cell's values
	at      []int            // each cell's index among the figures' cells, or -1
	left    map[cellPops]int // how many more people of a cell and populations the figures hold
	buf     []byte
	read    int // people read
	counted map[group]int32
	kept    []keyed // the people with a respondent key, in the order read; after latest, by key
	kinds   map[kind]int32
	kindOf  []kind
	// The kept people's scores (strands a person, -1 for none), in chunks
	// of chunk people: one array grown would be copied, and left to the
	// collector, at each growth.
	scores [][]int32
	sc     []int32
}

const chunk = 4096

// person is one person of a round.
type person struct {
	cell int32
	kind
}

// kind is what a person is besides their cell: a few of these are shared
// by a round's people.
type kind struct {
	pops   disclosure.Pops
	scored uint64 // the strands it has a score on
	// outside is set for a person the round's figures do not hold, who
	// is paired but not counted (see inFigures).
	outside bool
}

type cellPops struct {
	cell int
	pops disclosure.Pops
}

// group is people alike, paired on the same strands.
type group struct {
	person
	paired uint64
}

// keyed is a person with a respondent key: the key, the person's index
// among the kept, their cell and their kind's index (28 bytes).
type keyed struct {
	key  [16]byte
	at   int32
	cell int32
	kind int32
}

func newRoundPeople(sd *side, strands int, inPops *popsOf, dims int, items [][]int, pops int) *roundPeople {
	return &roundPeople{sd: sd, strands: strands, inPops: inPops, dims: dims, items: items, invited: 1 << (pops + 1),
		cells: map[string]int32{}, left: map[cellPops]int{}, counted: map[group]int32{}, kinds: map[kind]int32{}, sc: make([]int32, strands)}
}

// take reads one person.
func (rp *roundPeople) take(r survey.Response, values []string) {
	rp.read++
	x := person{cell: rp.cell(values[:rp.dims]), kind: kind{pops: 1}}
	x.pops |= rp.inPops.of(values)
	if r.Invitation != "" {
		x.pops |= rp.invited
	}
	for i, idx := range rp.items {
		rp.sc[i] = -1
		if score, ok := strandScore(values, idx); ok {
			rp.sc[i] = int32(score)
			x.scored |= 1 << i
		}
	}
	x.outside = !rp.inFigures(x)
	if r.RespondentKey == "" {
		if !x.outside {
			rp.counted[group{person: x}]++
		}
		return
	}
	n := len(rp.kept)
	if n%chunk == 0 {
		rp.scores = append(rp.scores, make([]int32, 0, chunk*rp.strands))
	}
	c := len(rp.scores) - 1
	rp.scores[c] = append(rp.scores[c], rp.sc...)
	k, ok := rp.kinds[x.kind]
	if !ok {
		k = int32(len(rp.kindOf))
		rp.kinds[x.kind] = k
		rp.kindOf = append(rp.kindOf, x.kind)
	}
	rp.kept = append(rp.kept, keyed{key: personKey(r.RespondentKey), at: int32(n), cell: x.cell, kind: k})
}

// inFigures reports whether the round's figures hold a person, as read:
// those of a cell and populations past the number the figures hold were
// sent as the figures were made, and are the latest read (oldest first).
// A person with no strand score counts in the figures as they are, and is
// taken to be held.
func (rp *roundPeople) inFigures(x person) bool {
	ci := rp.at[x.cell]
	if ci < 0 {
		return false
	}
	if x.scored == 0 {
		return true
	}
	k := cellPops{ci, x.pops}
	left, ok := rp.left[k]
	if !ok {
		left = rp.sd.pr.Cells[ci].Sizes[x.pops]
	}
	if left == 0 {
		return false
	}
	rp.left[k] = left - 1
	return true
}

// latest puts the kept people in the order of their keys and keeps only
// each key's latest: a second response in a round replaces the first,
// which is then paired with nobody.
func (rp *roundPeople) latest() {
	slices.SortFunc(rp.kept, func(a, b keyed) int {
		if c := bytes.Compare(a.key[:], b.key[:]); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	out := rp.kept[:0]
	for i, k := range rp.kept {
		if i+1 < len(rp.kept) && rp.kept[i+1].key == k.key {
			rp.count(k, 0)
			continue
		}
		out = append(out, k)
	}
	rp.kept = out
}

// count counts a kept person, paired on the given strands, if the
// figures hold them.
func (rp *roundPeople) count(k keyed, paired uint64) {
	if kd := rp.kindOf[k.kind]; !kd.outside {
		rp.counted[group{person{k.cell, kd}, paired}]++
	}
}

// scoresOf is a kept person's scores.
func (rp *roundPeople) scoresOf(i int32) []int32 {
	at := int(i%chunk) * rp.strands
	return rp.scores[i/chunk][at : at+rp.strands : at+rp.strands]
}

// groups lists the round's people in groups, in a fixed order. The kept
// people, all counted now, are let go.
func (rp *roundPeople) groups() []counted {
	rp.kept, rp.scores = nil, nil
	out := make([]counted, 0, len(rp.counted))
	for g, n := range rp.counted {
		out = append(out, counted{g, n})
	}
	slices.SortFunc(out, func(a, b counted) int {
		return cmp.Or(cmp.Compare(a.cell, b.cell), cmp.Compare(a.pops, b.pops), cmp.Compare(a.scored, b.scored), cmp.Compare(a.paired, b.paired))
	})
	return out
}

// counted is a number of people alike.
type counted struct {
	group
	n int32
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
	rp.at = append(rp.at, rp.sd.cellOf(values)) // found once, not once for each person
	return i
}

// personKey is a respondent key in 16 bytes. The service's own keys are
// 128 bits in hex, and are read as they are; any other is hashed
// (SHA-256, its first 16 bytes), so that two people share one only by a
// collision of the hash.
func personKey(s string) [16]byte {
	var k [16]byte
	if len(s) == 2*len(k) {
		if _, err := hex.Decode(k[:], []byte(s)); err == nil && strings.ToLower(s) == s {
			return k
		}
	}
	h := sha256.Sum256([]byte(s))
	copy(k[:], h[:])
	return k
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

// add marks n people of the round's figures, of the given populations
// (base), as paired or not on each strand (sig). People the figures do
// not hold (sent as they were made) were left out as they were read
// (inFigures), and never take the place of those it holds; people the
// figures hold who are not read any more (erased since) stay, paired on
// nothing.
func (sd *side) add(ci int, base, sig disclosure.Pops, n int) {
	if ci < 0 {
		return
	}
	sizes := sd.pr.Cells[ci].Sizes
	n = min(n, sizes[base])
	if n == 0 {
		return
	}
	if sizes[base] -= n; sizes[base] == 0 {
		delete(sizes, base)
	}
	sizes[sig] += n
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
