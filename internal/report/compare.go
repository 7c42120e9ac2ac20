package report

import (
	"fmt"
	"iwtoolkit/internal/survey"
)

// Comparison is one survey's report over one or more rounds: baseline
// against follow-up, strand by strand and statement by statement.
type Comparison struct {
	Rounds   []RoundColumn
	Strands  []StrandRow
	Sections []SectionDetail
}

// RoundColumn is one round of a comparison.
type RoundColumn struct {
	Round     survey.Round
	Responses int
	// Suppressed is set when the round has fewer responses than the
	// survey's minimum group size, or is hidden so that a smaller group
	// cannot be worked out from it: none of its figures are shown.
	Suppressed bool
}

// Hidden says why a suppressed round's figures are not shown. It reads the
// same whichever the reason, so that it does not tell which side of the
// minimum the group is.
func (r RoundColumn) Hidden(min int) string {
	return fmt.Sprintf("fewer than %d responses, or hidden to protect a smaller group", min)
}

// StrandRow is one strand's figures in each round.
type StrandRow struct {
	Section *survey.Section
	Figures []Figures // one per round; zero where the round is suppressed
	// Change is the last round's mean less the first's, when both are shown
	// and have scored answers.
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
	Counts []int // one per SectionDetail.Values; nil where the round is suppressed
	Figures
}

// Compare builds the report of rounds, one tally each, in the given order.
func Compare(d *survey.Definition, rounds []survey.Round, tallies []*Tally) *Comparison {
	return CompareHiding(d, rounds, tallies, nil)
}

// CompareHiding is Compare with some rounds hidden whatever their size:
// hide[i] is set where the round's group was hidden by secondary
// suppression (see Suppress) in a wider table, as when the report is
// filtered to one sector and that sector is hidden among the sectors.
func CompareHiding(d *survey.Definition, rounds []survey.Round, tallies []*Tally, hide []bool) *Comparison {
	c := &Comparison{}
	shown := make([]bool, len(rounds))
	for i, r := range rounds {
		shown[i] = !Suppress([]int{tallies[i].Responses}, d.GroupSize())[0] && (hide == nil || !hide[i])
		c.Rounds = append(c.Rounds, RoundColumn{Round: r, Responses: tallies[i].Responses, Suppressed: !shown[i]})
	}
	for _, s := range d.Sections {
		statements, scaleName := s.Rated()
		scale := d.Scales[scaleName]
		if scale == nil {
			continue // a section with no ratings: nothing to average
		}
		row := StrandRow{Section: s, Figures: make([]Figures, len(rounds))}
		detail := SectionDetail{Section: s, Scale: scale, Values: scale.Values()}
		for i, t := range tallies {
			if shown[i] {
				row.Figures[i] = t.figures(scale, statements)
			}
		}
		first, last := row.Figures[0], row.Figures[len(rounds)-1]
		if len(rounds) > 1 && first.Scored > 0 && last.Scored > 0 {
			row.Change, row.HasChange = last.Mean-first.Mean, true
			row.Test = changeTest(s, tallies[0], tallies[len(rounds)-1])
		}
		for _, st := range statements {
			sr := StatementRow{Statement: st, Rounds: make([]StatementRound, len(rounds))}
			for i, t := range tallies {
				if !shown[i] {
					continue
				}
				counts := make([]int, len(detail.Values))
				for j, v := range detail.Values {
					counts[j] = t.Count(st.ID, v)
				}
				sr.Rounds[i] = StatementRound{Counts: counts, Figures: t.figures(scale, []survey.Statement{st})}
			}
			detail.Rows = append(detail.Rows, sr)
		}
		c.Strands = append(c.Strands, row)
		c.Sections = append(c.Sections, detail)
	}
	return c
}

// ValueLabel is the column head for an answer value, as respondents saw it.
func (d SectionDetail) ValueLabel(v string) string { return d.Scale.AnswerLabel("en", v) }
