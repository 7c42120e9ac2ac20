package report

import (
	"context"
	"slices"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/survey"
)

// Filters lists every filter of up to two breakdown answers a reader can
// ask a report for: the empty filter, each answer of each breakdown, and
// each pair of answers to two breakdowns. Answers are a question's options
// and "Not answered" (NotAnswered); a question answered in words offers the answers
// the publication shows groups for, since any other gives nothing.
func Filters(d *survey.Definition, pub *Publication) []map[string]string {
	values := make([][]string, len(pub.Dims))
	for j, dim := range pub.Dims {
		q, _ := d.BreakdownQuestion(survey.Breakdowns[dim])
		for _, o := range q.Options {
			values[j] = append(values[j], o.Value)
		}
		for k := range pub.Groups {
			for i, kd := range k.Dim {
				if kd == j && k.Value[i] != "" && !slices.Contains(values[j], k.Value[i]) {
					values[j] = append(values[j], k.Value[i])
				}
			}
		}
		slices.Sort(values[j][len(q.Options):])
		values[j] = append(values[j], NotAnswered)
	}
	out := []map[string]string{{}}
	for j := range pub.Dims {
		for _, v := range values[j] {
			out = append(out, map[string]string{survey.Breakdowns[pub.Dims[j]]: v})
		}
	}
	for j := range pub.Dims {
		for k := j + 1; k < len(pub.Dims); k++ {
			for _, v := range values[j] {
				for _, w := range values[k] {
					out = append(out, map[string]string{survey.Breakdowns[pub.Dims[j]]: v, survey.Breakdowns[pub.Dims[k]]: w})
				}
			}
		}
	}
	return out
}

// FiguresOfAggregates turns the figures of one round (index i) of the
// aggregates published for a filter (the JSON API, the CSV) into what the
// auditor reads: each number of responses as its group's size, each
// statement's count of each answer as a measure of the group of the
// population it was asked of. Means, medians and numbers of ratings are
// sums of those counts, so they tell the auditor nothing more.
func FiguresOfAggregates(d *survey.Definition, pub *Publication, a Aggregates, i int, filter map[string]string) []disclosure.Figure {
	var out []disclosure.Figure
	if r := a.Rounds[i]; r.Responses != nil {
		if k, ok := pub.Key(filter, 0); ok {
			out = append(out, disclosure.Figure{Key: k, Measure: -1, Value: *r.Responses})
		}
	}
	out = append(out, questionFigures(d, pub, a, i, filter)...)
	out = append(out, indicatorFigures(d, pub, a, i)...)
	pops := d.Populations()
	for _, s := range a.Strands {
		for _, st := range s.Statements {
			sr := st.Rounds[i]
			if sr == nil {
				continue
			}
			p := survey.PopulationOf(pops, st.ID) + 1
			k, ok := pub.Key(filter, p)
			if !ok {
				continue
			}
			for v, n := range sr.Counts {
				if m := pub.column(p, st.ID, v); m >= 0 {
					out = append(out, disclosure.Figure{Key: k, Measure: m, Value: n})
				} else if n != 0 {
					// A count the publication does not hold: the auditor
					// must hear of it, as a figure nobody could check.
					out = append(out, disclosure.Figure{Key: k, Measure: len(pub.Pops[p].Columns), Value: n})
				}
			}
		}
	}
	return out
}

func (pub *Publication) column(pop int, key, value string) int {
	return slices.Index(pub.Pops[pop].Columns, Column{key, value})
}

// Gather is every figure the service publishes of one round, gathered
// through the functions its outputs use, for the auditor: the report (and
// so the JSON API, the CSV of aggregates and the Board pack, which are
// made from it) for every filter, every breakdown view under every filter,
// the overview's responses by organisation and the completion of
// invitations. A paired comparison is checked on its own (Pairs).
func Gather(d *survey.Definition, pub *Publication) disclosure.Published {
	out := disclosure.Published{Rounding: pub.Rounding}
	round := survey.Round{ID: pub.Round, Label: pub.Round}
	size := func(f map[string]string, p, n int) {
		if k, ok := pub.Key(f, p); ok {
			out.Figures = append(out.Figures, disclosure.Figure{Key: k, Measure: -1, Value: n})
		}
	}
	filters := Filters(d, pub)
	for _, f := range filters {
		cmp := Compare(d, []survey.Round{round}, []*Publication{pub}, f)
		out.Figures = append(out.Figures, FiguresOfAggregates(d, pub, cmp.Aggregates(d.ID, pub.Min, f), 0, f)...)
		if len(f) < 2 {
			for _, dim := range pub.Dims {
				by := survey.Breakdowns[dim]
				if _, set := f[by]; set {
					continue
				}
				q, _ := d.BreakdownQuestion(by)
				b := NewBreakdown(d, by, q, round, pub, f)
				for _, g := range b.Groups {
					if !g.Hidden {
						fv := map[string]string{by: g.Value}
						if g.Value == "" {
							fv[by] = NotAnswered
						}
						for k, x := range f {
							fv[k] = x
						}
						size(fv, 0, g.Responses)
					}
				}
			}
		}
	}
	if p := pub.PopIndex(InvitedPopulation); p >= 0 {
		for _, f := range filters {
			if g := pub.Group(f, p); g != nil {
				size(f, p, pub.Count(g.Size))
			}
		}
	}
	return out
}

// Leaks runs the auditor on a round's publication: every figure its
// outputs show (Gather) against the round's cells as they were when it
// was made.
func Leaks(d *survey.Definition, cells []CellCounts, pub *Publication) []disclosure.Leak {
	leaks, _ := Audit(context.Background(), d, cells, pub, Gather(d, pub), true)
	return leaks
}

// Audit checks figures published of a round (shown: what Gather gathers)
// against its cells: the round's problem with every figure but the
// choosers of multiple-choice options, then each option's problem
// (ChoiceProblem) with the sizes of the round's groups and the sizes of
// its choosers' groups, so that an option chosen by few people, or by
// all but a few, in any group, shown or worked out by differencing
// options' counts across groups, is a leak. zeros is as for
// disclosure.CheckContext.
func Audit(ctx context.Context, d *survey.Definition, cells []CellCounts, pub *Publication, shown disclosure.Published, zeros bool) ([]disclosure.Leak, error) {
	pr, _ := Problem(d, pub.Round, cells)
	n := len(pr.Pops)
	choices := d.Choosable()
	main := disclosure.Published{Rounding: shown.Rounding}
	sizes := disclosure.Published{Rounding: shown.Rounding}
	byChoice := make([][]disclosure.Figure, len(choices))
	for _, f := range shown.Figures {
		switch {
		case f.Key.Pop < n:
			main.Figures = append(main.Figures, f)
			if f.Measure == -1 {
				sizes.Figures = append(sizes.Figures, f)
			}
		case f.Key.Pop-n < len(choices):
			i := f.Key.Pop - n
			f.Key.Pop = n
			byChoice[i] = append(byChoice[i], f)
		default:
			main.Figures = append(main.Figures, f) // a population nobody knows: the check says so
		}
	}
	leaks, err := disclosure.CheckContext(ctx, pr, main, zeros)
	if err != nil {
		return leaks, err
	}
	known := map[string]bool{}
	for _, l := range leaks {
		known[l.Group] = true
	}
	for i, c := range choices {
		if len(byChoice[i]) == 0 {
			continue
		}
		cp := ChoiceProblem(d, pr, cells, i)
		figs := disclosure.Published{Rounding: shown.Rounding, Figures: append(slices.Clip(sizes.Figures), byChoice[i]...)}
		found, err := disclosure.CheckContext(ctx, cp, figs, false)
		for _, l := range found {
			if known[l.Group] {
				continue // the round's own groups: reported by the round's check
			}
			l.Group = "those who chose " + c.Key + " = " + c.Value + ": " + l.Group
			leaks = append(leaks, l)
		}
		if err != nil {
			return leaks, err
		}
	}
	return leaks, nil
}
