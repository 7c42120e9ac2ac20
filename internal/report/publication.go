package report

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/survey"
)

// Publication is what every output shows of one round: the figures of
// each group of respondents that may be shown, made once from the
// round's tallies at one moment, with every other group left out. The
// report page, its views and charts, the JSON API, the CSV of aggregates,
// the Board pack and the staff dashboards all read a round's figures from
// its publication, so they all hide the same groups (chosen jointly by
// disclosure.Protect across every table of the round), and an open
// round's figures move only when a new publication is made, in steps of
// at least the survey's minimum group size (see the server's
// publications.go).
type Publication struct {
	Survey, Round string
	At            time.Time
	// Responses is the number of responses it was made from; shown only
	// where the whole round is.
	Responses int
	Min       int
	// Rounding is the base published counts are rounded to; 0 for none.
	// Groups keep exact counts, rounded as they are read (Tally, Count),
	// so that means and percentages are worked from the rounded counts.
	Rounding int
	// Dims are the indexes in survey.Breakdowns of the survey's breakdowns:
	// the dimensions of disclosure.Key.
	Dims []int
	// Pops are the populations: everyone, the survey's conditional
	// populations in order, and those who came through an invitation.
	Pops []PopulationInfo
	// Groups are the shown groups' figures. A group not here is hidden,
	// or has nobody in it: outputs say the same of both.
	Groups map[disclosure.Key]*Group
	// Cells are the sizes of the round's cells it was made from, by the
	// populations their people are in, with no answers: never shown, but
	// what the paired comparison is protected with.
	Cells []CellCounts
}

// PopulationInfo is a population of a publication, and the answer counts
// its groups have.
type PopulationInfo struct {
	ID      string // "" for everyone, the population's ID, or "invited"
	Columns []Column
}

// Column is one count of a group: how many gave one answer to one item.
type Column struct{ Key, Value string }

// Group is one shown group's figures.
type Group struct {
	Size   int
	Counts []int // by the population's Columns
}

// InvitedPopulation is the ID of the population of those who came through
// an invitation.
const InvitedPopulation = "invited"

// CellCounts are the tallies of one breakdown cell of a round (see
// store.Counts): what publications are made from.
type CellCounts struct {
	Cell      [6]string
	Responses int
	Answers   map[string]map[string]int
}

// InvalidKey is the tally key of answers outside their question's values;
// it matches store.InvalidKey.
const InvalidKey = "invalid"

// ChoicePopulation is the ID of the population of the people who chose
// an option of a multiple choice.
func ChoicePopulation(c survey.Choice) string { return "chose:" + c.Key + "=" + c.Value }

// ChoiceProblem is the problem of one option of a multiple choice (the
// i-th of the survey's Choosable): the round's problem (pr, made from
// cells by Problem) with one more population, the people who chose it,
// within the people asked the question, and no measures. Its groups are
// each option's counts in every group; those of the other populations
// are the round's.
func ChoiceProblem(d *survey.Definition, pr *disclosure.Problem, cells []CellCounts, i int) *disclosure.Problem {
	conditional := d.Populations()
	choice := d.Choosable()[i]
	out := &disclosure.Problem{Dims: pr.Dims, Min: pr.Min}
	for _, p := range pr.Pops {
		p.Measures = 0
		out.Pops = append(out.Pops, p)
	}
	last := len(out.Pops)
	out.Pops = append(out.Pops, disclosure.Population{Name: ChoicePopulation(choice), MaxWay: 2,
		Within: survey.PopulationOf(conditional, choice.Key) + 1})
	at := len(conditional) + 1 + i // the choice's place in the tally's asked signature
	j := 0
	for _, c := range cells {
		if c.Responses == 0 {
			continue
		}
		dc := disclosure.Cell{Values: pr.Cells[j].Values, Sizes: map[disclosure.Pops]int{}, Measures: make([][]int, len(out.Pops))}
		j++
		counted := 0
		for sig, n := range c.Answers[AskedKey] {
			var pops disclosure.Pops = 1
			for k := range conditional {
				if k < len(sig) && sig[k] == '1' {
					pops |= 1 << (k + 1)
				}
			}
			if len(sig) > len(conditional) && sig[len(conditional)] == '1' {
				pops |= 1 << (len(conditional) + 1)
			}
			if at < len(sig) && sig[at] == '1' {
				pops |= 1 << last
			}
			dc.Sizes[pops] += n
			counted += n
		}
		dc.Sizes[1] += c.Responses - counted
		out.Cells = append(out.Cells, dc)
	}
	return out
}

// AskedKey is the tally key of which populations a response is in; it
// matches store.AskedKey (report does not import store; a test checks).
const AskedKey = "asked"

// engineVersion changes when what a publication holds or how groups are
// chosen changes, so that publications made before are made again.
const engineVersion = "publication-3"

// Basis is what a survey's publications are made under: a change of any
// of it (the tally plan's fingerprint, the suppression rules) means they
// are made again.
func Basis(d *survey.Definition, planFingerprint string) string {
	return fmt.Sprintf("%s/%s/min %d/round %d", engineVersion, planFingerprint, d.GroupSize(), d.RoundCountsTo)
}

// SameEngine reports whether a publication's basis was made under this
// version of the rules for choosing and keeping figures.
func SameEngine(basis string) bool { return strings.HasPrefix(basis, engineVersion+"/") }

// Problem is a round's cells as disclosure sees them, and the publication
// laid out for them (without groups): what Publish protects and the
// auditor checks.
func Problem(d *survey.Definition, round string, cells []CellCounts) (*disclosure.Problem, *Publication) {
	pub := &Publication{Survey: d.ID, Round: round, Min: d.GroupSize(), Rounding: d.RoundCountsTo, Dims: dimsOf(d)}
	org := slices.IndexFunc(pub.Dims, func(i int) bool { return survey.Breakdowns[i] == "organisation" })
	conditional := d.Populations()
	pr := &disclosure.Problem{Dims: len(pub.Dims), Min: pub.Min}
	pr.Pops = append(pr.Pops, disclosure.Population{Name: "everyone", MaxWay: 2})
	pub.Pops = append(pub.Pops, PopulationInfo{})
	for _, p := range conditional {
		pr.Pops = append(pr.Pops, disclosure.Population{Name: p.ID, MaxWay: 2})
		pub.Pops = append(pub.Pops, PopulationInfo{ID: p.ID})
	}
	// Completion is shown for the whole round and by organisation.
	invited := disclosure.Population{Name: InvitedPopulation}
	if org >= 0 {
		invited.MaxWay, invited.Dims = 1, []int{org}
	}
	pr.Pops = append(pr.Pops, invited)
	pub.Pops = append(pub.Pops, PopulationInfo{ID: InvitedPopulation})
	// The people who chose each option of a multiple choice: populations
	// of the publication, protected one at a time beside the others
	// (ChoiceProblem), not in this problem.
	multiple := map[string]bool{}
	for _, c := range d.Choosable() {
		multiple[c.Key] = true
		pub.Pops = append(pub.Pops, PopulationInfo{ID: ChoicePopulation(c)})
	}

	// Columns: every answer counted, by the population it was asked of,
	// but a multiple choice's: its counts are its options' populations'.
	values := make([]map[Column]bool, len(pub.Pops))
	for i := range values {
		values[i] = map[Column]bool{}
	}
	for _, c := range cells {
		for k, m := range c.Answers {
			if k == AskedKey || k == InvalidKey || multiple[k] {
				continue
			}
			p := survey.PopulationOf(conditional, k) + 1
			for v, n := range m {
				if n != 0 {
					values[p][Column{k, v}] = true
				}
			}
		}
	}
	index := make([]map[Column]int, len(pub.Pops))
	for p := range pr.Pops {
		cols := slices.SortedFunc(maps.Keys(values[p]), func(a, b Column) int {
			return strings.Compare(a.Key+"\x00"+a.Value, b.Key+"\x00"+b.Value)
		})
		pub.Pops[p].Columns = cols
		pr.Pops[p].Measures = len(cols)
		index[p] = map[Column]int{}
		for i, col := range cols {
			index[p][col] = i
		}
	}
	for _, c := range cells {
		if c.Responses == 0 {
			continue
		}
		dc := disclosure.Cell{Values: make([]string, len(pub.Dims)), Sizes: map[disclosure.Pops]int{}, Measures: make([][]int, len(pr.Pops))}
		for j, d := range pub.Dims {
			dc.Values[j] = c.Cell[d]
		}
		counted := 0
		for sig, n := range c.Answers[AskedKey] {
			var pops disclosure.Pops = 1
			for i := range conditional {
				if i < len(sig) && sig[i] == '1' {
					pops |= 1 << (i + 1)
				}
			}
			if len(sig) > len(conditional) && sig[len(conditional)] == '1' {
				pops |= 1 << (len(conditional) + 1)
			}
			dc.Sizes[pops] += n
			counted += n
		}
		// Responses counted before the tallies knew populations: everyone.
		dc.Sizes[1] += c.Responses - counted
		for k, m := range c.Answers {
			if k == AskedKey || k == InvalidKey || multiple[k] {
				continue
			}
			p := survey.PopulationOf(conditional, k) + 1
			for v, n := range m {
				if i, ok := index[p][Column{k, v}]; ok {
					if dc.Measures[p] == nil {
						dc.Measures[p] = make([]int, len(pub.Pops[p].Columns))
					}
					dc.Measures[p][i] += n
				}
			}
		}
		pr.Cells = append(pr.Cells, dc)
		pub.Responses += c.Responses
	}
	return pr, pub
}

// Publish makes a round's publication from its cells at a moment.
func Publish(d *survey.Definition, round string, cells []CellCounts, at time.Time) *Publication {
	pr, pub := Problem(d, round, cells)
	pub.At, pub.Cells = at, sizesOnly(cells)
	pattern := disclosure.Protect(pr)
	pub.Groups = map[disclosure.Key]*Group{}
	for _, g := range pattern.Groups() {
		if !pattern.Shown(g.Key) {
			continue
		}
		fig := &Group{Size: g.Size}
		if n := len(pub.Pops[g.Key.Pop].Columns); n > 0 {
			fig.Counts = make([]int, n)
			for _, c := range g.Cells {
				for i, x := range pr.Cells[c].Measures[g.Key.Pop] {
					fig.Counts[i] += x
				}
			}
		}
		pub.Groups[g.Key] = fig
	}
	// Each option's choosers, one option at a time, beside the groups
	// just chosen, which stay as they are.
	for i := range d.Choosable() {
		cp := ChoiceProblem(d, pr, cells, i)
		cp.Settled, cp.SettledPops = pattern, len(pr.Pops)
		last := len(pr.Pops)
		pat := disclosure.Protect(cp)
		for _, g := range pat.Groups() {
			if g.Key.Pop != last {
				continue
			}
			if pat.Shown(g.Key) {
				k := g.Key
				k.Pop = last + i
				pub.Groups[k] = &Group{Size: g.Size}
			}
		}
	}
	return pub
}

// NotAnswered, as a filter's answer, keeps the people who gave no answer
// to the breakdown: "" keeps everyone.
const NotAnswered = "\x00"

// Key is the group of population pop that a filter (breakdown name →
// answer) names; false when the filter names a breakdown the survey does
// not have, or more than two: no group of more is ever shown.
func (pub *Publication) Key(filter map[string]string, pop int) (disclosure.Key, bool) {
	k := disclosure.Total(pop)
	for j, d := range pub.Dims {
		v, ok := filter[survey.Breakdowns[d]]
		if !ok || v == "" {
			continue
		}
		if v == NotAnswered {
			v = ""
		}
		var fits bool
		if k, fits = k.With(j, v); !fits {
			return k, false
		}
	}
	for name, v := range filter {
		if v != "" && !slices.ContainsFunc(pub.Dims, func(d int) bool { return survey.Breakdowns[d] == name }) {
			return k, false
		}
	}
	return k, true
}

// dimsOf are the indexes in survey.Breakdowns of the survey's breakdowns.
func dimsOf(d *survey.Definition) []int {
	var dims []int
	for i, name := range survey.Breakdowns {
		if _, ok := d.BreakdownQuestion(name); ok {
			dims = append(dims, i)
		}
	}
	return dims
}

// Group returns the figures of the group of population pop a filter names,
// or nil when it is hidden or has nobody.
func (pub *Publication) Group(filter map[string]string, pop int) *Group {
	if pub == nil {
		return nil
	}
	k, ok := pub.Key(filter, pop)
	if !ok {
		return nil
	}
	return pub.Groups[k]
}

// Count is a count as published: rounded as the survey asks.
func (pub *Publication) Count(n int) int { return roundCount(n, pub.Rounding) }

// PopIndex is the index of a population by ID, or -1.
func (pub *Publication) PopIndex(id string) int {
	return slices.IndexFunc(pub.Pops, func(p PopulationInfo) bool { return p.ID == id })
}

// Tally is a filtered group's answers, for the figures: the counts of
// everyone's items, and of each conditional population's where its group
// is shown. shown says, by population ID ("" for everyone), which are.
// Where the survey rounds counts, they are rounded here, so that every
// figure made from them (a mean, a share, a test) is made from the counts
// a reader sees and gives no exact count back.
func (pub *Publication) Tally(filter map[string]string) (t *Tally, shown map[string]bool) {
	shown = map[string]bool{}
	all := pub.Group(filter, 0)
	if all == nil {
		return nil, shown
	}
	answers := map[string]map[string]int{}
	for p, info := range pub.Pops {
		g := pub.Group(filter, p)
		if g == nil || info.ID == InvitedPopulation {
			continue
		}
		shown[info.ID] = true
		for i, col := range info.Columns {
			if g.Counts[i] == 0 {
				continue
			}
			m := answers[col.Key]
			if m == nil {
				m = map[string]int{}
				answers[col.Key] = m
			}
			m[col.Value] = pub.Count(g.Counts[i])
		}
	}
	return FromCounts(pub.Count(all.Size), answers), shown
}

// Encode packs a publication for the store.
func (pub *Publication) Encode() ([]byte, error) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	if err := gob.NewEncoder(z).Encode(pub); err != nil {
		return nil, fmt.Errorf("report: encode publication: %w", err)
	}
	if err := z.Close(); err != nil {
		return nil, fmt.Errorf("report: encode publication: %w", err)
	}
	return b.Bytes(), nil
}

// DecodePublication unpacks what Encode packed.
func DecodePublication(data []byte) (*Publication, error) {
	z, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("report: decode publication: %w", err)
	}
	pub := &Publication{}
	if err := gob.NewDecoder(z).Decode(pub); err != nil {
		return nil, fmt.Errorf("report: decode publication: %w", err)
	}
	return pub, nil
}

// sizesOnly is cells with their sizes and populations and no answers.
func sizesOnly(cells []CellCounts) []CellCounts {
	out := make([]CellCounts, len(cells))
	for i, c := range cells {
		out[i] = CellCounts{Cell: c.Cell, Responses: c.Responses, Answers: map[string]map[string]int{AskedKey: c.Answers[AskedKey]}}
	}
	return out
}
