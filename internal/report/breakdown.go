package report

import (
	"slices"
	"sort"

	"iwtoolkit/internal/survey"
)

// Breakdown is each strand's mean rating in one round, split by the answer
// to one breakdown question (sector, audience, workforce, organisation,
// age band or locality): the rows of a heatmap, each a group of the
// round's publication.
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
	Responses    int       // rounded as the survey asks; 0 where hidden
	Hidden       bool      // the group is hidden, or has nobody
	Means        []Figures // one per strand; Hidden where the group or the strand's is
}

// NewBreakdown builds a breakdown of the group a filter names in round's
// publication by the breakdown by, whose question q gives the labels and
// the order of the rows: every option, then "Not answered", then other
// answers the publication shows (a question answered in words has no
// options, and an answer no shown group gave is not listed, so that the
// list says nothing of who answered what).
func NewBreakdown(d *survey.Definition, by string, q *survey.Question, round survey.Round, pub *Publication, filter map[string]string) *Breakdown {
	b := &Breakdown{By: by, Round: round}
	type strand struct {
		section    *survey.Section
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
		strands = append(strands, strand{s, d.Scales[scale], st})
	}
	var values []string
	for _, o := range q.Options {
		values = append(values, o.Value)
	}
	values = append(values, "")
	if pub != nil {
		dim := slices.IndexFunc(pub.Dims, func(i int) bool { return survey.Breakdowns[i] == by })
		var others []string
		for k := range pub.Groups {
			for j, kd := range k.Dim {
				if kd == dim && k.Pop == 0 && !slices.Contains(values, k.Value[j]) && !slices.Contains(others, k.Value[j]) {
					others = append(others, k.Value[j])
				}
			}
		}
		sort.Strings(others)
		values = append(values, others...)
	}
	pops := d.Populations()
	hiddenRow := func() BreakdownGroup {
		g := BreakdownGroup{Hidden: true, Means: make([]Figures, len(strands))}
		for i := range g.Means {
			g.Means[i].Hidden = true
		}
		return g
	}
	row := func(f map[string]string) BreakdownGroup {
		g := hiddenRow()
		if pub == nil {
			return g
		}
		t, shown := pub.Tally(f)
		if t == nil {
			return g
		}
		g.Hidden, g.Responses = false, roundCount(t.Responses, d.RoundCountsTo)
		v := roundView{tally: t, shown: shown, pops: pops}
		for i, s := range strands {
			if v.strandShown(s.section, s.statements) {
				g.Means[i] = t.figures(s.scale, s.statements)
				g.Means[i].exact = g.Means[i].Scored
				g.Means[i].Scored = roundCount(g.Means[i].Scored, d.RoundCountsTo)
			}
		}
		return g
	}
	for _, v := range values {
		f := map[string]string{by: v}
		if v == "" {
			f[by] = NotAnswered
		}
		for k, x := range filter {
			if k != by {
				f[k] = x
			}
		}
		g := row(f)
		if x := filter[by]; x != "" && x != v {
			g = hiddenRow() // the filter keeps nobody here
		}
		g.Value, g.Label = v, q.OptionLabel(v)
		if v == "" {
			g.Label = "Not answered"
		}
		if g.Label == "" {
			g.Label = v
		}
		if v == "" && g.Hidden && filter[by] == "" {
			// "Not answered" hidden is listed only when someone could be
			// in it: a required question has nobody there.
			if !q.Optional {
				continue
			}
		}
		b.Groups = append(b.Groups, g)
	}
	b.Total = row(filter)
	b.Total.Label = "Everyone"
	return b
}

// Rows are the groups and then the total, as a table shows them.
func (b *Breakdown) Rows() []BreakdownGroup { return append(slices.Clip(b.Groups), b.Total) }
