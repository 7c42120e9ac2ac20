package stats

import (
	"math"
	"strconv"
)

// Alpha is the significance level: a change is called more than chance when
// its two-sided p value is below it.
const Alpha = 0.05

// Outcome is what every test reports in common, so a report can word any of
// them the same way.
type Outcome struct {
	Test       string  // the test's name as the Board reads it, e.g. "Mann–Whitney test"
	Computable bool    // false when the data cannot support the test
	Reason     string  // why not, when Computable is false; worded to follow "because"
	P          float64 // two-sided p value; 1 when not computable
}

// MoreThanChance reports whether the test could be run and its p value is
// below Alpha: if nothing had really changed, chance alone would produce a
// difference at least this large less than one time in twenty.
func (o Outcome) MoreThanChance() bool {
	return o.Computable && o.P < Alpha
}

// Sentence explains the result to the Board in one plain sentence, with no
// statistical words: the test's name and p value are in Technical, which
// pages put in a details section under it. from and to are the figures
// the Board is shown for the baseline and the follow-up, usually the two
// means, rounded as every table rounds them (Figure); they give the
// direction and size of the change, the test only says whether it is more
// than chance. A sentence never claims a change for a test that could not
// be run.
func (o Outcome) Sentence(from, to float64) string {
	if !o.Computable {
		return "No test could be run because " + o.Reason +
			", so this report cannot say whether the change is more than chance."
	}
	a, b := figures(from, to)
	if !o.MoreThanChance() {
		return "The change from " + a + " to " + b +
			" is small enough that chance alone could have made it, so treat it as no clear change."
	}
	word := "change"
	switch {
	case a == b:
	case Round(to) > Round(from):
		word = "rise"
	case Round(to) < Round(from):
		word = "fall"
	}
	return "The " + word + " from " + a + " to " + b + " is more than chance would explain."
}

// Technical is the test's name and its p value ("Mann–Whitney test,
// p = 0.003"), for readers who want them, with what the p value means;
// "" when no test could be run.
func (o Outcome) Technical() string {
	if !o.Computable {
		return ""
	}
	return o.Test + ", " + formatP(o.P) + ". The p value is how often chance alone would make a change at least this large if nothing had really changed; below 0.05 (one time in twenty) the change is called more than chance."
}

// figures formats two figures as every table shows them (Figure), so
// that the sentence and the table beside it agree.
func figures(from, to float64) (string, string) {
	return Figure(from), Figure(to)
}

// formatP writes a p value the way reports usually do: two decimal places,
// three below 0.01, and "p < 0.001" below that. It never rounds a p value
// below Alpha up to Alpha, which would contradict the sentence around it.
func formatP(p float64) string {
	switch {
	case p < 0.001:
		return "p < 0.001"
	case p < 0.01:
		return "p = " + strconv.FormatFloat(p, 'f', 3, 64)
	}
	s := strconv.FormatFloat(p, 'f', 2, 64)
	if p < Alpha && s == strconv.FormatFloat(Alpha, 'f', 2, 64) {
		s = strconv.FormatFloat(p, 'f', 3, 64)
		if s == strconv.FormatFloat(Alpha, 'f', 3, 64) {
			return "p < " + strconv.FormatFloat(Alpha, 'f', -1, 64)
		}
	}
	return "p = " + s
}

// refused returns the Outcome of a test that could not be run.
func refused(test, reason string) Outcome {
	return Outcome{Test: test, Reason: reason, P: 1}
}

// allFinite reports whether none of xs is NaN or infinite.
func allFinite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
