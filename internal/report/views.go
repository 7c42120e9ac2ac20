package report

import (
	"sort"
	"strconv"

	"iwtoolkit/internal/survey"
)

// ShareRow is, for one strand, the share of its ratings at or above a
// level in each round: "established or better".
type ShareRow struct {
	Section *survey.Section
	Rounds  []Share // one per round of the comparison
}

// Share is how many ratings were at or above the level out of how many
// were on the scale. Don't know and Not applicable are left out. The
// counts are rounded as the survey asks; the percentage is worked from
// the exact counts.
type Share struct {
	AtLeast, Scored int
	Hidden          bool // the round's group, or the strand's, is hidden
	percent         float64
}

// Percent is the share as a percentage.
func (s Share) Percent() float64 { return s.percent }

// SharesAtLeast counts, from the comparison's (already suppressed)
// statement counts, the share of each strand's ratings at or above level.
func (c *Comparison) SharesAtLeast(level int) []ShareRow {
	var rows []ShareRow
	for si, sd := range c.Sections {
		rows = append(rows, ShareRow{Section: sd.Section, Rounds: c.sharesAtLeast(si, level)})
	}
	return rows
}

// sharesAtLeast is one strand's share at or above level in each round.
func (c *Comparison) sharesAtLeast(si, level int) []Share {
	sd := c.Sections[si]
	shares := make([]Share, len(c.Rounds))
	for i := range c.Rounds {
		sh := &shares[i]
		sh.Hidden = c.Strands[si].Figures[i].Hidden
		if sh.Hidden {
			continue
		}
		atLeast, scored := 0, 0
		for _, st := range sd.Rows {
			for j, v := range sd.Values {
				x, err := strconv.Atoi(v)
				if err != nil {
					continue // Don't know, Not applicable
				}
				n := st.Rounds[i].exact[j]
				scored += n
				if x >= level {
					atLeast += n
				}
			}
		}
		if scored > 0 {
			sh.percent = 100 * float64(atLeast) / float64(scored)
		}
		sh.AtLeast, sh.Scored = roundCount(atLeast, c.rounding), roundCount(scored, c.rounding)
	}
	return shares
}

// Changes are the strands whose change between the first and last round
// could be tested, largest improvement first: what changed most. Strands
// whose change could not be tested (a round suppressed, no scores) are
// left out. They are ranked, and sorted into improvements and declines,
// by the change the page shows (ShownChange, rounded as it is shown), so
// that a "+0.13" never sits above a "+0.14"; the exact change only breaks
// ties between changes shown alike. A change shown as 0.00 is neither.
func (c *Comparison) Changes() (improvements, declines []StrandRow) {
	var tested []StrandRow
	for _, s := range c.Strands {
		if s.Test != nil {
			tested = append(tested, s)
		}
	}
	sort.SliceStable(tested, func(i, j int) bool {
		a, b := tested[i].Test.ShownChange(), tested[j].Test.ShownChange()
		if a != b {
			return a > b
		}
		return tested[i].Test.Change > tested[j].Test.Change
	})
	for _, s := range tested {
		switch shown := s.Test.ShownChange(); {
		case shown > 0:
			improvements = append(improvements, s)
		case shown < 0:
			declines = append(declines, s)
		}
	}
	// Largest decline first.
	for i, j := 0, len(declines)-1; i < j; i, j = i+1, j-1 {
		declines[i], declines[j] = declines[j], declines[i]
	}
	return improvements, declines
}

// CrossReference groups strands by one kind of section tag: Every Child
// Matters outcome, workforce priority or Joint Area Review area.
type CrossReference struct {
	Kind   string // "ECM outcome", "Workforce priority", "JAR area for improvement"
	Groups []CrossGroup
}

// CrossGroup is the strands tagged with one tag, with their figures.
type CrossGroup struct {
	Tag     string
	Strands []StrandRow
}

// CrossReferences groups the comparison's strands by each kind of tag, in
// the order tags first appear in the survey.
func (c *Comparison) CrossReferences() []CrossReference {
	kinds := []struct {
		name string
		tags func(*survey.Section) []string
	}{
		{"Every Child Matters outcome", func(s *survey.Section) []string { return ecmLabels(s.Tags.ECMOutcomes) }},
		{"Workforce priority", func(s *survey.Section) []string { return s.Tags.WorkforcePriorities }},
		{"Joint Area Review area for improvement", func(s *survey.Section) []string { return s.Tags.JARAreas }},
	}
	var out []CrossReference
	for _, k := range kinds {
		x := CrossReference{Kind: k.name}
		index := map[string]int{}
		for _, s := range c.Strands {
			for _, tag := range k.tags(s.Section) {
				i, ok := index[tag]
				if !ok {
					i = len(x.Groups)
					index[tag] = i
					x.Groups = append(x.Groups, CrossGroup{Tag: tag})
				}
				x.Groups[i].Strands = append(x.Groups[i].Strands, s)
			}
		}
		out = append(out, x)
	}
	return out
}

func ecmLabels(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v
		for _, o := range survey.ECMOutcomes {
			if o.Value == v {
				out[i] = o.Label
			}
		}
	}
	return out
}
