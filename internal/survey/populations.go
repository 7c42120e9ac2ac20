package survey

import (
	"slices"
	"strconv"
	"strings"
)

// A Population is the people asked some of a survey's rated items or
// counted questions (Counted): those
// for whom a section's show_if (and a question's, inside it) holds. A
// figure about a conditional strand is about the people who were asked it,
// not about everyone who answered the survey, so reports protect each
// population's groups on their own numbers (see package disclosure).
// Everyone is not a Population: it is implicit.
type Population struct {
	// ID names the population by its conditions, the same for every
	// section and question with the same ones.
	ID string
	// When are the conditions, all of which must hold: a section's show_if,
	// then a question's.
	When []*Condition
	// Keys are the rated items and counted questions asked of it, and the
	// strand-score keys of the sections whose own condition it is.
	Keys []string
}

// Holds reports whether a response (whose answers are only those it was
// asked, as Definition.Response keeps them) is in the population.
func (p Population) Holds(answers map[string]string) bool {
	for _, c := range p.When {
		if !c.Holds(answers) {
			return false
		}
	}
	return true
}

// Populations are the survey's conditional populations, in the order
// their first rated item comes in the survey. A rated item or strand not
// in any of them is asked of everyone.
func (d *Definition) Populations() []Population {
	var pops []Population
	add := func(when []*Condition, key string) {
		id := conditionsID(when)
		if id == "" {
			return
		}
		i := slices.IndexFunc(pops, func(p Population) bool { return p.ID == id })
		if i < 0 {
			pops = append(pops, Population{ID: id, When: when})
			i = len(pops) - 1
		}
		pops[i].Keys = append(pops[i].Keys, key)
	}
	for _, s := range d.Sections {
		items, scale := s.Rated()
		if d.Scales[scale] == nil || len(items) == 0 {
			continue
		}
		section := conditions(s.ShowIf)
		add(section, StrandKey(s.ID))
		for _, q := range s.Questions {
			if !q.Spec().Rated {
				continue
			}
			when := append(slices.Clip(section), conditions(q.ShowIf)...)
			for _, k := range q.Keys() {
				add(when, k)
			}
		}
	}
	// Then the closed questions reports count (Counted) that are asked of
	// fewer than everyone, after every rated item's, so that adding them
	// left the populations of rated items where they were.
	for _, s := range d.Sections {
		section := conditions(s.ShowIf)
		for _, q := range s.Questions {
			if spec := q.Spec(); (spec.Options || spec.Number) && q.Breakdown == "" {
				add(append(slices.Clip(section), conditions(q.ShowIf)...), q.ID)
			}
		}
	}
	return pops
}

// PopulationOf returns the index in pops of the population a key is asked
// of, or -1 for everyone.
func PopulationOf(pops []Population, key string) int {
	for i, p := range pops {
		if slices.Contains(p.Keys, key) {
			return i
		}
	}
	return -1
}

// StrandKey is the tally key of a strand's per-respondent scores (see
// store.TallyPlan).
func StrandKey(sectionID string) string { return "strand:" + sectionID }

func conditions(c *Condition) []*Condition {
	if c == nil {
		return nil
	}
	return []*Condition{c}
}

// conditionsID is a canonical name for a set of conditions: the same
// conditions in another order, or with their answers in another order,
// name the same population.
func conditionsID(when []*Condition) string {
	var parts []string
	for _, c := range when {
		answers := slices.Clone(c.AnswerIs)
		slices.Sort(answers)
		parts = append(parts, c.Question+"="+strings.Join(slices.Compact(answers), "|"))
	}
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), "&")
}

// StrandScale multiplies strand scores to whole numbers: it is divisible by
// every number of ratings from 1 to 12, so the mean of up to 12 ratings is
// kept exactly (longer strands are rounded to 1/27720 of a level).
const StrandScale = 27720

// StrandScore is a respondent's score on a strand: the mean of their
// ratings on its items times StrandScale, rounded; ok is false when they
// rated none of them (Don't know and Not applicable are not ratings). A
// person's ratings within a strand are not independent of each other, so
// the tests of change count each person once, by this score.
func StrandScore(answers map[string]string, items []string) (score int, ok bool) {
	sum, n := 0, 0
	for _, k := range items {
		if v, err := strconv.Atoi(answers[k]); err == nil {
			sum, n = sum+v, n+1
		}
	}
	if n == 0 {
		return 0, false
	}
	return (sum*StrandScale + n/2) / n, true
}
