package report

import (
	"strconv"

	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// ChangeTest is the change in a strand between the first and last round
// of a comparison, tested honestly: each respondent counts once, by their
// strand score, since one person's ratings within a strand are not
// independent of each other.
type ChangeTest struct {
	Respondents    [2]int     // respondents with a strand score in each round
	Means          [2]float64 // mean strand score in each round
	Change         float64    // Means[1] - Means[0]
	Mean           stats.MeanDifference
	Rank           stats.MannWhitneyTest
	MoreThanChance bool   // the Mann–Whitney test says so
	Sentence       string // the test's plain-English sentence
}

// strandHistogram is the histogram of a strand's scores in one round.
func (t *Tally) strandHistogram(sectionID string) stats.Histogram {
	h := stats.Histogram{}
	for v, n := range t.counts[survey.StrandKey(sectionID)] {
		if x, err := strconv.Atoi(v); err == nil {
			h[x] += n
		}
	}
	return h
}

// changeTest compares a strand's scores in two rounds; nil when either
// round has no strand scores.
func changeTest(s *survey.Section, from, to *Tally) *ChangeTest {
	a, b := from.strandHistogram(s.ID), to.strandHistogram(s.ID)
	ct := &ChangeTest{}
	for i, h := range []stats.Histogram{a, b} {
		sum := 0
		for v, n := range h {
			ct.Respondents[i] += n
			sum += v * n
		}
		if ct.Respondents[i] == 0 {
			return nil
		}
		ct.Means[i] = float64(sum) / float64(ct.Respondents[i]) / survey.StrandScale
	}
	ct.Change = ct.Means[1] - ct.Means[0]
	ct.Mean = stats.Welch(a, b)
	// Back from scores times StrandScale to levels.
	for _, x := range []*float64{&ct.Mean.Difference, &ct.Mean.Low, &ct.Mean.High, &ct.Mean.SE} {
		*x /= survey.StrandScale
	}
	ct.Rank = stats.MannWhitney(a, b)
	ct.MoreThanChance = ct.Rank.MoreThanChance()
	ct.Sentence = ct.Rank.Sentence(ct.Means[0], ct.Means[1])
	return ct
}

// PValue is the Mann–Whitney p value as the page shows it.
func (ct *ChangeTest) PValue() string {
	if ct.Rank.P < 0.001 {
		return "< 0.001"
	}
	return strconv.FormatFloat(ct.Rank.P, 'f', 3, 64)
}

// ShownChange is the change in mean strand score as pages show it: the
// difference of the rounded means the sentence gives (stats.Change).
func (ct *ChangeTest) ShownChange() float64 { return stats.Change(ct.Means[0], ct.Means[1]) }

// Technical is the test's name and p value, for a details section under
// the plain sentence.
func (ct *ChangeTest) Technical() string { return ct.Rank.Technical() }
