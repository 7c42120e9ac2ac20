package board

import (
	"fmt"
	"strings"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/stats"
)

// The words of the pack's first page: each strand's headline figure, the
// size of its change and whether it is more than chance, said as a Board
// member reads them. The rule for the size is stats.SizeOf's (Cohen's h,
// docs/architecture.md "The Board pack").

// whose are the people whose answers a survey's pack counts, by audience.
var whose = map[string][2]string{ // possessive, and their answers' name
	"staff":          {"Staff", "ratings"},
	"organisations":  {"Organisations'", "ratings"},
	"children":       {"Children's", "answers"},
	"young-people":   {"Young people's", "answers"},
	"parents-carers": {"Parents' and carers'", "answers"},
}

// Counted says what a headline share counts: "said “Yes”", or "at
// “Established” or higher".
func (packPage) Counted(h report.Headline) string {
	if h.Top {
		return "said “" + h.Good.Label + "”"
	}
	return "at “" + h.Good.Label + "” or higher"
}

// SameMeasure reports whether every strand's headline counts from the
// same level, so that the first page's caption can say it once.
func (p packPage) SameMeasure() bool {
	for _, h := range p.Headlines {
		if h.Good.Label != p.Headlines[0].Good.Label || h.Top != p.Headlines[0].Top {
			return false
		}
	}
	return true
}

// Caption is the first page's table caption: whose answers, what share.
func (p packPage) Caption() string {
	w, ok := whose[p.Survey.Audience]
	if !ok {
		w = whose["staff"]
	}
	s := w[0] + " " + w[1] + ": the share "
	if len(p.Headlines) > 0 && p.SameMeasure() {
		h := p.Headlines[0]
		if h.Top {
			s += "that " + p.Counted(h)
		} else {
			s += p.Counted(h)
		}
	} else {
		s += "at the good level named under each strand"
	}
	return s + " in each strand"
}

// Pct is a share as the first page shows it: "44%".
func (packPage) Pct(s report.Share) string { return fmt.Sprintf("%d%%", report.Percent(s)) }

// PointsShort is a headline's change in percentage points for the first
// page's table, whose column says "points": "+3", "-1", "0".
func (packPage) PointsShort(h report.Headline) string {
	if h.Points == 0 {
		return "0"
	}
	return fmt.Sprintf("%+d", h.Points)
}

// Points is a headline's change in percentage points: "+3 points".
func (packPage) Points(h report.Headline) string {
	switch {
	case h.Points == 1 || h.Points == -1:
		return fmt.Sprintf("%+d point", h.Points)
	case h.Points == 0:
		return "0 points"
	}
	return fmt.Sprintf("%+d points", h.Points)
}

// Size is the size of a headline's change in words: "None", "Small
// rise", "Moderate fall", "Large rise".
func (packPage) Size(h report.Headline) string {
	if !h.HasChange {
		return "Cannot be shown"
	}
	if h.Size == stats.SizeNone {
		return "None"
	}
	dir := "change"
	switch {
	case h.Points > 0:
		dir = "rise"
	case h.Points < 0:
		dir = "fall"
	}
	w := h.Size.Word()
	return strings.ToUpper(w[:1]) + w[1:] + " " + dir
}

// Chance says whether a headline's change is more than chance, in words.
func (packPage) Chance(h report.Headline) string {
	switch {
	case !h.HasChange || !h.Tested:
		return "Not tested"
	case h.MoreThanChance:
		return "Yes"
	}
	return "No"
}

// Story is one strand's change in a sentence: "Information sharing rose
// from 38% to 47% at “Established” or higher (+9 points; size of change:
// none)".
func (p packPage) Story(h report.Headline) string {
	first, last := h.Shares[0], h.Shares[len(h.Shares)-1]
	verb := "stayed at"
	switch {
	case h.Points > 0:
		verb = "rose from " + p.Pct(first) + " to"
	case h.Points < 0:
		verb = "fell from " + p.Pct(first) + " to"
	}
	return h.Section.Title + " " + verb + " " + p.Pct(last) + " " + p.Counted(h) + " (" + p.Points(h) + "; size of change: " + strings.ToLower(p.Size(h)) + ")"
}

// Hidden lists what the first page cannot show and why: each round whose
// figures are held back, and each strand held back in a round that is
// shown.
func (p packPage) Hidden() []string {
	var out []string
	for _, r := range p.Comparison.Rounds {
		if r.Suppressed {
			out = append(out, r.Round.Label+": "+r.Hidden(p.MinGroup)+".")
		}
	}
	for _, h := range p.Headlines {
		for i, sh := range h.Shares {
			if r := p.Comparison.Rounds[i]; sh.Hidden && !r.Suppressed {
				out = append(out, h.Section.Title+" in "+r.Round.Label+": "+report.Figures{}.Why(p.MinGroup)+".")
			}
		}
	}
	return out
}

// AllTop reports whether every strand's scale has three levels or fewer,
// so that the pack gives shares and no means.
func (p packPage) AllTop() bool {
	for _, h := range p.Headlines {
		if !h.Top {
			return false
		}
	}
	return len(p.Headlines) > 0
}

// Unwritten are the titles of the strands with no commentary, and
// Unactioned those with no actions: an editor is told before printing,
// and the printed pack leaves them out rather than print "Not written
// yet".
func (p packPage) Unwritten() []string {
	var out []string
	for _, s := range p.Strands {
		if !s.Written() {
			out = append(out, s.Section.Title)
		}
	}
	return out
}

// Unactioned are the titles of the strands with no actions.
func (p packPage) Unactioned() []string {
	var out []string
	for _, s := range p.Strands {
		if len(s.Actions) == 0 {
			out = append(out, s.Section.Title)
		}
	}
	return out
}

// Join lists titles in a sentence.
func (packPage) Join(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// TestNote is a strand's test for the notes at the back: the test's name
// and p value, then each person's mean on the strand in the two rounds
// (the per-person figures behind the test, which the strand's pages do
// not show beside the mean of every rating) and the likely range.
func (packPage) TestNote(ct *report.ChangeTest, shares bool) string {
	if ct == nil {
		return "not tested: a round's figures are not shown, or it has no answers on the strand."
	}
	if !ct.Rank.Computable {
		return "no test could be run because " + ct.Rank.Reason + "."
	}
	p := "p = " + ct.PValue()
	if strings.HasPrefix(ct.PValue(), "<") {
		p = "p " + ct.PValue()
	}
	s := ct.Rank.Test + ", " + p + "; " + map[bool]string{true: "more than chance", false: "could be chance"}[ct.MoreThanChance]
	if shares { // a children's scale: shares, not means
		return s + "."
	}
	s += ". Each person's mean on the strand went from " + stats.Figure(ct.Means[0]) + " to " + stats.Figure(ct.Means[1])
	if ct.Mean.Computable {
		s += "; likely range of that change " + stats.Signed(ct.Mean.Low) + " to " + stats.Signed(ct.Mean.High)
	}
	return s + "."
}
