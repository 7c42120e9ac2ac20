package report

import (
	"slices"
	"strconv"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/survey"
)

// QuestionDetail is one closed question's answers in each round, for the
// report's "Every question" view, the JSON API, the aggregates and the
// Board pack: every choice, yes-no, multiple-choice and number question
// (survey.Counted), counted among the people asked it. Text is never
// counted.
type QuestionDetail struct {
	Question *survey.Question
	Section  *survey.Section
	// Values are the rows: the answers a choice counts, or the bands of a
	// number.
	Values []survey.Option
	Rounds []QuestionRound
}

// Multiple reports whether the question is a multiple choice: one person
// may be counted in several rows, so its rows do not add up to its base.
func (q QuestionDetail) Multiple() bool { return q.Question.Spec().Multiple }

// Number reports whether the question asks for a number.
func (q QuestionDetail) Number() bool { return q.Question.Spec().Number }

// QuestionRound is a question's answers in one round's group.
type QuestionRound struct {
	// Hidden is set where the group of people asked the question is
	// hidden (or the round has no figures): nothing of it is shown.
	Hidden bool
	// Base is what shares are of: the people asked a multiple choice (each
	// option is a yes or no of each of them), or those who answered any
	// other question. Rounded as the survey asks.
	Base int
	// Counts are one per Values, rounded as the survey asks; Shown says
	// which may be shown: a multiple choice's option is hidden on its own
	// where few people chose it, or few did not.
	Counts []int
	Shown  []bool
	// Quartiles of a number (lower, median, upper), where at least the
	// minimum group answered it.
	Quartiles *[3]float64
}

// Share is a count as a share of the base, from 0 to 1.
func (r QuestionRound) Share(i int) float64 {
	if r.Base == 0 {
		return 0
	}
	return float64(r.Counts[i]) / float64(r.Base)
}

// Percent is a share as a page shows it: "42%".
func (r QuestionRound) Percent(i int) string {
	return strconv.FormatFloat(100*r.Share(i), 'f', 0, 64) + "%"
}

// QuartileNames name a number's quartiles, in order.
func (QuestionDetail) QuartileNames() []string {
	return []string{"Lower quartile", "Median", "Upper quartile"}
}

// Quartile is a number's k-th quartile as a page shows it, or "not shown"
// where fewer than the minimum answered.
func (r QuestionRound) Quartile(k int) string {
	if r.Quartiles == nil {
		if r.Base == 0 {
			return "–"
		}
		return "not shown"
	}
	return strconv.FormatFloat(r.Quartiles[k], 'f', -1, 64)
}

// questions lays out every counted question's answers, in each round's
// publication, for the group a filter names.
func questions(d *survey.Definition, pubs []*Publication, filter map[string]string) []QuestionDetail {
	pops := d.Populations()
	choices := d.Choosable()
	var out []QuestionDetail
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			if spec := q.Spec(); !spec.Options && !spec.Number {
				continue
			}
			qd := QuestionDetail{Question: q, Section: s, Rounds: make([]QuestionRound, len(pubs))}
			var bands []survey.Band
			if q.Spec().Number {
				bands = q.NumberBands()
				for _, b := range bands {
					qd.Values = append(qd.Values, survey.Option{Value: b.Value(), Label: b.Label()})
				}
			} else {
				qd.Values = q.AnswerOptions()
			}
			p := survey.PopulationOf(pops, q.ID) + 1
			for i, pub := range pubs {
				qd.Rounds[i] = questionRound(d, pub, filter, q, qd.Values, bands, p, choices)
			}
			out = append(out, qd)
		}
	}
	return out
}

func questionRound(d *survey.Definition, pub *Publication, filter map[string]string, q *survey.Question, values []survey.Option, bands []survey.Band, p int, choices []survey.Choice) QuestionRound {
	r := QuestionRound{Hidden: true}
	if pub == nil {
		return r
	}
	if q.Breakdown != "" {
		return breakdownRound(d, pub, filter, q, values)
	}
	g := pub.Group(filter, p)
	if g == nil {
		return r
	}
	r = QuestionRound{Counts: make([]int, len(values)), Shown: make([]bool, len(values))}
	switch spec := q.Spec(); {
	case spec.Multiple:
		r.Base = pub.Count(g.Size)
		for j, v := range values {
			ci := slices.Index(choices, survey.Choice{Key: q.ID, Value: v.Value})
			at := pub.PopIndex(ChoicePopulation(choices[ci]))
			if cg := pub.Group(filter, at); cg != nil {
				r.Counts[j], r.Shown[j] = pub.Count(cg.Size), true
			}
		}
	case spec.Number:
		var dist []valueCount
		for c, col := range pub.Pops[p].Columns {
			if col.Key != q.ID || g.Counts[c] == 0 {
				continue
			}
			n, ok := survey.Number(col.Value)
			if !ok {
				continue
			}
			k := pub.Count(g.Counts[c])
			dist = append(dist, valueCount{n, k})
			for j, b := range bands {
				if b.Holds(n) {
					r.Counts[j] += k
				}
			}
			r.Base += k
		}
		for j := range r.Shown {
			r.Shown[j] = true
		}
		if r.Base >= pub.Min {
			r.Quartiles = quartiles(dist, r.Base)
		}
	default:
		for j, v := range values {
			if c := pub.column(p, q.ID, v.Value); c >= 0 {
				r.Counts[j] = pub.Count(g.Counts[c])
			}
			r.Shown[j] = true
			r.Base += r.Counts[j]
		}
	}
	return r
}

// breakdownRound counts a breakdown question's answers: the sizes of the
// groups of each answer, as the breakdown views show them, where the
// filter leaves room for one more answer.
func breakdownRound(d *survey.Definition, pub *Publication, filter map[string]string, q *survey.Question, values []survey.Option) QuestionRound {
	r := QuestionRound{Hidden: true}
	if all := pub.Group(filter, 0); all == nil {
		return r
	}
	if v, set := filter[q.Breakdown]; set && v != "" {
		return r
	}
	r = QuestionRound{Counts: make([]int, len(values)), Shown: make([]bool, len(values))}
	for j, v := range values {
		f := map[string]string{q.Breakdown: v.Value}
		for k, x := range filter {
			if x != "" {
				f[k] = x
			}
		}
		if _, ok := pub.Key(f, 0); !ok {
			return QuestionRound{Hidden: true}
		}
		if g := pub.Group(f, 0); g != nil {
			r.Counts[j], r.Shown[j] = pub.Count(g.Size), true
			r.Base += r.Counts[j]
		}
	}
	r.Base = 0 // the groups hidden are unknown: shares are of the whole group
	if all := pub.Group(filter, 0); all != nil {
		r.Base = pub.Count(all.Size)
	}
	return r
}

type valueCount struct{ value, n int }

// quartiles are the lower quartile, median and upper quartile of a
// distribution of n answers, each the mean of the two middle answers
// where the rank falls between two.
func quartiles(dist []valueCount, n int) *[3]float64 {
	slices.SortFunc(dist, func(a, b valueCount) int { return a.value - b.value })
	at := func(rank int) float64 { // the rank-th smallest answer, from 1
		seen := 0
		for _, d := range dist {
			seen += d.n
			if seen >= rank {
				return float64(d.value)
			}
		}
		return float64(dist[len(dist)-1].value)
	}
	quantile := func(q float64) float64 {
		pos := q * float64(n)
		lo := int(pos)
		if float64(lo) == pos && lo > 0 {
			return (at(lo) + at(lo+1)) / 2
		}
		return at(lo + 1)
	}
	return &[3]float64{quantile(0.25), quantile(0.5), quantile(0.75)}
}

// questionFigures are the figures of the questions of aggregates that
// the auditor reads, for round i and a filter: a multiple choice's base
// as the size of the group asked it and each option's count as the size
// of its choosers' group; a choice's counts as measures; a number's as
// the counts of each value its bands and quartiles are made from.
func questionFigures(d *survey.Definition, pub *Publication, a Aggregates, i int, filter map[string]string) []disclosure.Figure {
	var out []disclosure.Figure
	pops := d.Populations()
	for _, aq := range a.Questions {
		r := aq.Rounds[i]
		q, _, ok := d.Question(aq.ID)
		if r == nil || !ok || q.Breakdown != "" {
			continue
		}
		p := survey.PopulationOf(pops, q.ID) + 1
		k, ok := pub.Key(filter, p)
		if !ok {
			continue
		}
		switch spec := q.Spec(); {
		case spec.Multiple:
			out = append(out, disclosure.Figure{Key: k, Measure: -1, Value: r.Base})
			for v, n := range r.Counts {
				if n == nil {
					continue
				}
				at := pub.PopIndex(ChoicePopulation(survey.Choice{Key: q.ID, Value: v}))
				if ck, ok := pub.Key(filter, at); ok {
					out = append(out, disclosure.Figure{Key: ck, Measure: -1, Value: *n})
				}
			}
		case spec.Number:
			g := pub.Group(filter, p)
			if g == nil {
				continue
			}
			for c, col := range pub.Pops[p].Columns {
				if col.Key == q.ID {
					out = append(out, disclosure.Figure{Key: k, Measure: c, Value: pub.Count(g.Counts[c])})
				}
			}
		default:
			for v, n := range r.Counts {
				if n == nil {
					continue
				}
				if m := pub.column(p, q.ID, v); m >= 0 {
					out = append(out, disclosure.Figure{Key: k, Measure: m, Value: *n})
				} else if *n != 0 {
					out = append(out, disclosure.Figure{Key: k, Measure: len(pub.Pops[p].Columns), Value: *n})
				}
			}
		}
	}
	return out
}
