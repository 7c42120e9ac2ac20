package report

import (
	"fmt"
	"time"

	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// Comparison is one survey's report over one or more rounds: baseline
// against follow-up, strand by strand and statement by statement.
type Comparison struct {
	Rounds   []RoundColumn
	Strands  []StrandRow
	Sections []SectionDetail
	// Questions are every closed question's answers (survey.Counted),
	// in survey order.
	Questions []QuestionDetail
	// Indicators are the survey file's indicators (IndicatorDetail).
	Indicators []IndicatorDetail
	// MinGroup is the survey's minimum group size.
	MinGroup int
	rounding int // the base counts are rounded to
}

// RoundColumn is one round of a comparison.
type RoundColumn struct {
	Round     survey.Round
	Responses int // rounded as the survey asks
	// Suppressed is set when the group has fewer responses than the
	// survey's minimum group size, or is hidden so that a smaller group
	// cannot be worked out from it: none of its figures are shown.
	Suppressed bool
	// AsOf is when the round's published figures were made; zero when it
	// has none.
	AsOf time.Time
}

// Hidden says why a suppressed round's figures are not shown. It reads the
// same whichever the reason, so that it does not tell which side of the
// minimum the group is.
func (r RoundColumn) Hidden(min int) string {
	if r.Open() {
		return "not shown yet: the round is open, and its figures are published when it closes"
	}
	return fmt.Sprintf("fewer than %d responses, or hidden to protect a smaller group", min)
}

// Open reports whether the round is open with no figures published yet.
func (r RoundColumn) Open() bool { return r.Round.Open && r.AsOf.IsZero() }

// StrandRow is one strand's figures in each round.
type StrandRow struct {
	Section *survey.Section
	// Figures are one per round; Hidden where the round is suppressed, or
	// fewer than the minimum were asked the strand.
	Figures []Figures
	// Change is the last round's mean less the first's, when both are shown
	// and have scored answers: exact, for exports; pages show ShownChange.
	Change    float64
	HasChange bool
	// Test is the change between the first and last round per respondent,
	// with its uncertainty; nil unless both rounds are shown and have
	// strand scores.
	Test *ChangeTest
}

// SectionDetail is the distribution of answers to each statement of a strand.
type SectionDetail struct {
	Section *survey.Section
	Scale   *survey.Scale
	Values  []string // the scale's answer values, in order: column heads
	Rows    []StatementRow
}

// StatementRow is one statement's answers in each round.
type StatementRow struct {
	Statement survey.Statement
	Rounds    []StatementRound
}

// StatementRound is the answers to a statement in one round.
type StatementRound struct {
	// Counts are one per SectionDetail.Values, rounded as the survey asks;
	// nil where hidden (Figures.Hidden).
	Counts []int
	exact  []int
	Figures
}

// Compare builds the report of rounds from their publications (one each,
// nil for a round with none), for the group a filter names: the figures
// of everyone in it, and of each conditional strand for the people in it
// who were asked that strand, each shown only where its publication shows
// that group.
func Compare(d *survey.Definition, rounds []survey.Round, pubs []*Publication, filter map[string]string) *Comparison {
	views := make([]roundView, len(rounds))
	for i, pub := range pubs {
		if pub == nil {
			continue
		}
		views[i].tally, views[i].shown = pub.Tally(filter)
		views[i].at = pub.At
		views[i].pops = d.Populations()
	}
	c := compare(d, rounds, views)
	c.Questions, c.MinGroup = questions(d, pubs, filter), d.GroupSize()
	c.Indicators = indicators(d, pubs, filter)
	return c
}

// roundView is one round's group as a comparison sees it: its answers,
// nil when the group is hidden, and which populations' groups in it are
// shown.
type roundView struct {
	tally *Tally
	shown map[string]bool // by population ID
	at    time.Time
	pops  []survey.Population
}

// strandShown says whether a strand's figures may be shown: every item of
// it is asked of a population whose group is shown.
func (v roundView) strandShown(s *survey.Section, items []survey.Statement) bool {
	if v.tally == nil {
		return false
	}
	keys := []string{survey.StrandKey(s.ID)}
	for _, it := range items {
		keys = append(keys, it.ID)
	}
	for _, k := range keys {
		id := ""
		if p := survey.PopulationOf(v.pops, k); p >= 0 {
			id = v.pops[p].ID
		}
		if !v.shown[id] {
			return false
		}
	}
	return true
}

func compare(d *survey.Definition, rounds []survey.Round, views []roundView) *Comparison {
	c := &Comparison{rounding: d.RoundCountsTo}
	for i, r := range rounds {
		col := RoundColumn{Round: r, Suppressed: views[i].tally == nil, AsOf: views[i].at}
		if !col.Suppressed {
			col.Responses = roundCount(views[i].tally.Responses, c.rounding)
		}
		c.Rounds = append(c.Rounds, col)
	}
	for _, s := range d.Sections {
		statements, scaleName := s.Rated()
		scale := d.Scales[scaleName]
		if scale == nil {
			continue // a section with no ratings: nothing to average
		}
		row := StrandRow{Section: s, Figures: make([]Figures, len(rounds))}
		detail := SectionDetail{Section: s, Scale: scale, Values: scale.Values()}
		shown := make([]bool, len(rounds))
		for i, v := range views {
			shown[i] = v.strandShown(s, statements)
			if shown[i] {
				row.Figures[i] = v.tally.figures(scale, statements)
				row.Figures[i].exact = row.Figures[i].Scored
				row.Figures[i].Scored = roundCount(row.Figures[i].Scored, c.rounding)
			} else {
				row.Figures[i].Hidden = true
			}
		}
		first, last := row.Figures[0], row.Figures[len(rounds)-1]
		if len(rounds) > 1 && !first.Hidden && !last.Hidden && first.exact > 0 && last.exact > 0 {
			row.Change, row.HasChange = last.Mean-first.Mean, true
			row.Test = changeTest(s, views[0].tally, views[len(rounds)-1].tally)
		}
		for _, st := range statements {
			sr := StatementRow{Statement: st, Rounds: make([]StatementRound, len(rounds))}
			for i, v := range views {
				if !shown[i] {
					sr.Rounds[i].Hidden = true
					continue
				}
				exact := make([]int, len(detail.Values))
				counts := make([]int, len(detail.Values))
				for j, val := range detail.Values {
					exact[j] = v.tally.Count(st.ID, val)
					counts[j] = roundCount(exact[j], c.rounding)
				}
				f := v.tally.figures(scale, []survey.Statement{st})
				f.exact = f.Scored
				f.Scored = roundCount(f.Scored, c.rounding)
				sr.Rounds[i] = StatementRound{Counts: counts, exact: exact, Figures: f}
			}
			detail.Rows = append(detail.Rows, sr)
		}
		c.Strands = append(c.Strands, row)
		c.Sections = append(c.Sections, detail)
	}
	return c
}

// roundCount rounds a published count to the nearest multiple of base (0
// or 1: exact), halves up, as the Government Statistical Service does.
func roundCount(n, base int) int {
	if base <= 1 {
		return n
	}
	return (n + base/2) / base * base
}

// ValueLabel is the column head for an answer value, as respondents saw it.
func (d SectionDetail) ValueLabel(v string) string { return d.Scale.AnswerLabel("en", v) }

// ShownChange is the change as pages show it: the difference of the two
// means once rounded as they are shown (stats.Change), so that the table
// adds up for a reader.
func (r StrandRow) ShownChange() float64 {
	return stats.Change(r.Figures[0].Mean, r.Figures[len(r.Figures)-1].Mean)
}
