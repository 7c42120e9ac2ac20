package report

import (
	"slices"
	"sort"

	"iwtoolkit/internal/survey"
)

// Breakdown is each strand's mean rating in one round, split by the answer
// to one breakdown question (sector, audience, workforce, organisation,
// age band or locality): the rows of a heatmap. The groups of the round are
// the parts of its total, so which to hide is decided by Suppress.
type Breakdown struct {
	By      string // a name of survey.Breakdowns
	Round   survey.Round
	Strands []*survey.Section
	Groups  []BreakdownGroup
	Total   BreakdownGroup
}

// BreakdownGroup is the respondents who gave one answer to the breakdown
// question.
type BreakdownGroup struct {
	Value, Label string
	Responses    int
	Hidden       bool      // by Suppress: no figure of the group is shown
	Means        []Figures // one per strand; zero where hidden
}

// NewBreakdown builds a breakdown from one tally per answer value (""
// for respondents who did not answer the question). q gives the labels
// and the order of the rows; answers it does not list come after, sorted.
func NewBreakdown(d *survey.Definition, by string, q *survey.Question, round survey.Round, groups map[string]*Tally) *Breakdown {
	b := &Breakdown{By: by, Round: round}
	type strand struct {
		scale      *survey.Scale
		statements []survey.Statement
	}
	var strands []strand
	for _, s := range d.Sections {
		st, scale := s.Rated()
		if d.Scales[scale] == nil {
			continue
		}
		b.Strands = append(b.Strands, s)
		strands = append(strands, strand{d.Scales[scale], st})
	}
	var values []string
	for _, o := range q.Options {
		values = append(values, o.Value)
	}
	var others []string
	for v := range groups {
		if !slices.Contains(values, v) {
			others = append(others, v)
		}
	}
	sort.Strings(others)
	values = append(values, others...)
	sizes := make([]int, len(values))
	total := NewTally()
	for i, v := range values {
		if t := groups[v]; t != nil {
			sizes[i] = t.Responses
			total.addTally(t)
		}
	}
	hidden := Suppress(sizes, d.GroupSize())
	figures := func(t *Tally) []Figures {
		fs := make([]Figures, len(strands))
		for i, s := range strands {
			fs[i] = t.figures(s.scale, s.statements)
		}
		return fs
	}
	for i, v := range values {
		g := BreakdownGroup{Value: v, Label: q.OptionLabel(v), Responses: sizes[i], Hidden: hidden[i]}
		if v == "" {
			g.Label = "Not answered"
		}
		if g.Label == "" {
			g.Label = v
		}
		if !g.Hidden && groups[v] != nil {
			g.Means = figures(groups[v])
		} else {
			g.Means = make([]Figures, len(strands))
		}
		b.Groups = append(b.Groups, g)
	}
	b.Total = BreakdownGroup{Label: "Everyone", Responses: total.Responses, Hidden: Suppress([]int{total.Responses}, d.GroupSize())[0]}
	if b.Total.Hidden {
		b.Total.Means = make([]Figures, len(strands))
	} else {
		b.Total.Means = figures(total)
	}
	return b
}

// addTally adds another tally's counts to t.
func (t *Tally) addTally(o *Tally) {
	t.Responses += o.Responses
	for id, m := range o.counts {
		for v, n := range m {
			mm := t.counts[id]
			if mm == nil {
				mm = map[string]int{}
				t.counts[id] = mm
			}
			mm[v] += n
		}
	}
}

// Rows are the groups and then the total, as a table shows them.
func (b *Breakdown) Rows() []BreakdownGroup { return append(slices.Clip(b.Groups), b.Total) }
