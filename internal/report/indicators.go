package report

import (
	"math"
	"slices"
	"strconv"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// IndicatorDetail is one indicator of the survey file (survey.Indicator)
// for the group a filter names: everyone in it, then each answer of each
// breakdown the indicator is shown by. Every figure comes from the rounds'
// publications, so it is hidden where they hide it.
type IndicatorDetail struct {
	Indicator *survey.Indicator
	Rows      []IndicatorRow
	// Demand: each question's options, ranked (DemandQuestion).
	Demand []DemandQuestion
}

// Reaches reports whether the indicator is a share reaching a level.
func (d IndicatorDetail) Reaches() bool { return d.Indicator.Type == survey.IndicatorReaches }

// IndicatorRow is one group of a reaches indicator in each round, and its
// change between the first and the last.
type IndicatorRow struct {
	Label  string
	Filter map[string]string
	Rounds []IndicatorRound
	// Change is the last round's share less the first's, tested as a
	// strand's change is (Welch's interval of the difference and the
	// Mann–Whitney test, here on each person's 1 or 0); nil unless both
	// rounds are shown with someone counted.
	Change *ShareChange
}

// IndicatorRound is a group's outcomes in one round: how many reached the
// level, how many did not, and how many were counted apart ("not sure"),
// rounded as the survey asks; the share of those counted either way who
// reached it, with its 95% (Wilson) interval.
type IndicatorRound struct {
	Hidden                     bool
	Reached, NotReached, Apart int
	Share, Low, High           float64
}

// Counted is how many the share is of.
func (r IndicatorRound) Counted() int { return r.Reached + r.NotReached }

// SharePercent writes a share (0 to 1) as a page shows it.
func SharePercent(x float64) string { return strconv.FormatFloat(100*x, 'f', 0, 64) + "%" }

// ShareChange is the change of a share between two rounds.
type ShareChange struct {
	Change         float64
	Mean           stats.MeanDifference
	Rank           stats.MannWhitneyTest
	MoreThanChance bool
}

// DemandQuestion is one question of a demand indicator: for each group
// (everyone, then each answer of each breakdown it is shown by), its
// answers in each round, with the options in order of demand: the share
// of everyone who chose each in the last round shown, highest first.
type DemandQuestion struct {
	Question *survey.Question
	Values   []survey.Option
	Order    []int // indexes in Values, most chosen first
	Groups   []DemandGroup
}

// DemandGroup is one group's answers to a demand question in each round.
type DemandGroup struct {
	Label  string
	Filter map[string]string
	Rounds []QuestionRound
}

// indicatorGroups are the groups an indicator is shown for: the filter's
// own, then the filter narrowed to each answer of each breakdown in by that
// the filter leaves room for (a group names two breakdowns at most).
func indicatorGroups(d *survey.Definition, by []string, filter map[string]string) (labels []string, filters []map[string]string) {
	labels, filters = append(labels, "Everyone"), append(filters, filter)
	set := 0
	for _, v := range filter {
		if v != "" {
			set++
		}
	}
	for _, name := range by {
		q, ok := d.BreakdownQuestion(name)
		if !ok || filter[name] != "" || set >= 2 {
			continue
		}
		for _, o := range q.Options {
			f := map[string]string{name: o.Value}
			for k, v := range filter {
				if v != "" {
					f[k] = v
				}
			}
			labels, filters = append(labels, o.Label), append(filters, f)
		}
	}
	return labels, filters
}

// indicators works out every indicator of the survey from the rounds'
// publications for the group a filter names.
func indicators(d *survey.Definition, pubs []*Publication, filter map[string]string) []IndicatorDetail {
	var out []IndicatorDetail
	choices := d.Choosable()
	pops := d.Populations()
	for _, in := range d.Indicators {
		det := IndicatorDetail{Indicator: in}
		labels, filters := indicatorGroups(d, in.By, filter)
		switch in.Type {
		case survey.IndicatorReaches:
			key := survey.IndicatorKey(in.ID)
			for g, f := range filters {
				row := IndicatorRow{Label: labels[g], Filter: f, Rounds: make([]IndicatorRound, len(pubs))}
				for i, pub := range pubs {
					row.Rounds[i] = indicatorRound(pub, f, key)
				}
				first, last := row.Rounds[0], row.Rounds[len(pubs)-1]
				if len(pubs) > 1 && !first.Hidden && !last.Hidden && first.Counted() > 0 && last.Counted() > 0 {
					a := stats.Histogram{1: first.Reached, 0: first.NotReached}
					b := stats.Histogram{1: last.Reached, 0: last.NotReached}
					ch := &ShareChange{Change: last.Share - first.Share, Mean: stats.Welch(a, b), Rank: stats.MannWhitney(a, b)}
					ch.MoreThanChance = ch.Rank.MoreThanChance()
					row.Change = ch
				}
				det.Rows = append(det.Rows, row)
			}
		case survey.IndicatorDemand:
			for _, id := range in.Questions {
				q, _, ok := d.Question(id)
				if !ok {
					continue
				}
				dq := DemandQuestion{Question: q, Values: q.AnswerOptions()}
				p := survey.PopulationOf(pops, q.ID) + 1
				for g, f := range filters {
					dg := DemandGroup{Label: labels[g], Filter: f, Rounds: make([]QuestionRound, len(pubs))}
					for i, pub := range pubs {
						dg.Rounds[i] = questionRound(d, pub, f, q, dq.Values, nil, p, choices)
					}
					dq.Groups = append(dq.Groups, dg)
				}
				dq.Order = demandOrder(dq)
				det.Demand = append(det.Demand, dq)
			}
		}
		out = append(out, det)
	}
	return out
}

// demandOrder ranks a question's options by everyone's share in the last
// round that shows it, highest first; hidden or "none" last.
func demandOrder(dq DemandQuestion) []int {
	order := make([]int, len(dq.Values))
	share := make([]float64, len(dq.Values))
	for j := range order {
		order[j], share[j] = j, -1
	}
	rounds := dq.Groups[0].Rounds
	for i := len(rounds) - 1; i >= 0; i-- {
		r := rounds[i]
		if r.Hidden {
			continue
		}
		for j := range dq.Values {
			if r.Shown[j] && dq.Values[j].Value != survey.NoneOfThese {
				share[j] = r.Share(j)
			}
		}
		break
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case share[a] > share[b]:
			return -1
		case share[a] < share[b]:
			return 1
		}
		return 0
	})
	return order
}

func indicatorRound(pub *Publication, f map[string]string, key string) IndicatorRound {
	r := IndicatorRound{Hidden: true}
	if pub == nil {
		return r
	}
	g := pub.Group(f, 0)
	if g == nil {
		return r
	}
	r.Hidden = false
	for _, x := range []struct {
		value string
		n     *int
	}{{survey.Reached, &r.Reached}, {survey.NotReached, &r.NotReached}, {survey.Apart, &r.Apart}} {
		if c := pub.column(0, key, x.value); c >= 0 {
			*x.n = pub.Count(g.Counts[c])
		}
	}
	if n := r.Counted(); n > 0 {
		r.Share = float64(r.Reached) / float64(n)
		r.Low, r.High = wilson(r.Reached, n)
	}
	return r
}

// wilson is the 95% Wilson score interval of a proportion k of n.
func wilson(k, n int) (low, high float64) {
	const z = 1.959963984540054
	p, nf := float64(k)/float64(n), float64(n)
	centre := (p + z*z/(2*nf)) / (1 + z*z/nf)
	half := z / (1 + z*z/nf) * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return max(0, centre-half), min(1, centre+half)
}

// indicatorFigures are the figures of the indicators of aggregates that
// the auditor reads, for round i: a reaches indicator's counts as
// measures of each group shown, a demand question's as a multiple
// choice's (questionFigures).
func indicatorFigures(d *survey.Definition, pub *Publication, a Aggregates, i int) []disclosure.Figure {
	var out []disclosure.Figure
	pops := d.Populations()
	for _, in := range a.Indicators {
		key := survey.IndicatorKey(in.ID)
		for _, row := range in.Groups {
			r := row.Rounds[i]
			if r == nil {
				continue
			}
			k, ok := pub.Key(row.Filter, 0)
			if !ok {
				continue
			}
			for v, n := range map[string]int{survey.Reached: r.Reached, survey.NotReached: r.NotReached, survey.Apart: r.Apart} {
				if m := pub.column(0, key, v); m >= 0 {
					out = append(out, disclosure.Figure{Key: k, Measure: m, Value: n})
				} else if n != 0 {
					out = append(out, disclosure.Figure{Key: k, Measure: len(pub.Pops[0].Columns), Value: n})
				}
			}
		}
		for _, q := range in.Demand {
			p := survey.PopulationOf(pops, q.ID) + 1
			for _, g := range q.Groups {
				r := g.Rounds[i]
				if r == nil {
					continue
				}
				if k, ok := pub.Key(g.Filter, p); ok {
					out = append(out, disclosure.Figure{Key: k, Measure: -1, Value: r.Base})
				}
				for v, n := range r.Counts {
					at := pub.PopIndex(ChoicePopulation(survey.Choice{Key: q.ID, Value: v}))
					if ck, ok := pub.Key(g.Filter, at); ok && n != nil {
						out = append(out, disclosure.Figure{Key: ck, Measure: -1, Value: *n})
					}
				}
			}
		}
	}
	return out
}
