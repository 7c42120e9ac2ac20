package report

import (
	"math"
	"sort"
	"strconv"

	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// GoodLevel is the level from which a strand's answers count as good, for
// its headline share: on a scale of three levels or fewer (the children's
// No / Sometimes / Yes) the top answer alone, otherwise the level below
// the top and the top ("Established" or better, "Agree" or better), as
// the report's share view starts from.
func GoodLevel(sc *survey.Scale) survey.Level {
	if len(sc.Levels) == 0 {
		return survey.Level{}
	}
	if len(sc.Levels) <= 3 {
		return sc.Levels[len(sc.Levels)-1]
	}
	return sc.Levels[len(sc.Levels)-2]
}

// Headline is one strand's figure for the first page of the Board pack:
// the share of its ratings at or above the good level in each round, the
// change between the first and last in percentage points and its size in
// words (Cohen's h, stats.SizeOf), and whether the change is more than
// chance (the strand's change test). It is worked from the comparison's
// published counts, so what they hide it hides.
type Headline struct {
	Section *survey.Section
	Good    survey.Level // the level the share counts from
	Top     bool         // Good is the top of the scale: the share said it
	Shares  []Share      // one per round of the comparison
	// HasChange is set when the first and last rounds' shares are both
	// shown; Points is then the change as shown (the difference of the
	// two whole percentages), H its effect size and Size its size.
	HasChange bool
	Points    int
	H         float64
	Size      stats.Size
	// Tested is set when the strand's change could be tested, and
	// MoreThanChance when the test says so.
	Tested, MoreThanChance bool
}

// Percent is a share as it is shown: a whole percentage.
func Percent(s Share) int { return int(math.Round(s.Percent())) }

// Rise and Fall say which way a shown change went.
func (h Headline) Rise() bool { return h.HasChange && h.Points > 0 }

// Fall reports whether the shown change is a fall.
func (h Headline) Fall() bool { return h.HasChange && h.Points < 0 }

// Headlines are the comparison's strands' headline figures, in the
// survey's order.
func (c *Comparison) Headlines() []Headline {
	var out []Headline
	for si, sd := range c.Sections {
		good := GoodLevel(sd.Scale)
		h := Headline{Section: sd.Section, Good: good, Top: len(sd.Scale.Levels) > 0 && good.Value == sd.Scale.Levels[len(sd.Scale.Levels)-1].Value,
			Shares: c.sharesAtLeast(si, good.Value)}
		first, last := h.Shares[0], h.Shares[len(h.Shares)-1]
		if len(h.Shares) > 1 && !first.Hidden && !last.Hidden && first.Scored > 0 && last.Scored > 0 {
			h.HasChange = true
			h.Points = Percent(last) - Percent(first)
			h.H = stats.CohensH(first.Percent()/100, last.Percent()/100)
			h.Size = stats.SizeOf(h.H)
		}
		if t := c.Strands[si].Test; t != nil {
			h.Tested = t.Rank.Computable
			h.MoreThanChance = t.MoreThanChance
		}
		out = append(out, h)
	}
	return out
}

// MostAndLeast are the strands whose headline share changed most (the
// largest change as shown, up or down) and least, among those whose
// change is shown; ties keep the survey's order. Both are nil when no
// change is shown, and least is nil when only one is.
func MostAndLeast(hs []Headline) (most, least *Headline) {
	var shown []*Headline
	for i := range hs {
		if hs[i].HasChange {
			shown = append(shown, &hs[i])
		}
	}
	if len(shown) == 0 {
		return nil, nil
	}
	abs := func(x int) int {
		if x < 0 {
			return -x
		}
		return x
	}
	sort.SliceStable(shown, func(i, j int) bool { return abs(shown[i].Points) > abs(shown[j].Points) })
	most = shown[0]
	if len(shown) > 1 {
		least = shown[len(shown)-1]
	}
	return most, least
}

// StatementShares are, for one strand, each statement's share of ratings
// at or above level in each round, from the same published counts as the
// strand's: [statement][round].
func (c *Comparison) StatementShares(si, level int) [][]Share {
	sd := c.Sections[si]
	out := make([][]Share, len(sd.Rows))
	for k, st := range sd.Rows {
		out[k] = make([]Share, len(c.Rounds))
		for i := range c.Rounds {
			sh := &out[k][i]
			if sh.Hidden = st.Rounds[i].Hidden || st.Rounds[i].exact == nil; sh.Hidden {
				continue
			}
			atLeast, scored := 0, 0
			for j, v := range sd.Values {
				x, err := strconv.Atoi(v)
				if err != nil {
					continue
				}
				scored += st.Rounds[i].exact[j]
				if x >= level {
					atLeast += st.Rounds[i].exact[j]
				}
			}
			if scored > 0 {
				sh.percent = 100 * float64(atLeast) / float64(scored)
			}
			sh.AtLeast, sh.Scored = roundCount(atLeast, c.rounding), roundCount(scored, c.rounding)
		}
	}
	return out
}
