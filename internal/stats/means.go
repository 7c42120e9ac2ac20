package stats

import "math"

// Names of the tests as the Board reads them.
const (
	testWelch      = "Welch's t-test"
	testPairedT    = "paired t-test"
	testMann       = "Mann–Whitney test"
	testSignedRank = "Wilcoxon signed-rank test"
)

// MeanDifference is the change in the mean answer, follow-up minus baseline,
// with its 95% confidence interval and the t-test that goes with it: the
// change is more than chance exactly when the interval leaves out zero.
type MeanDifference struct {
	Outcome
	Difference float64 // follow-up mean minus baseline mean, or mean paired difference
	Low, High  float64 // the 95% confidence interval for Difference
	SE         float64 // standard error of Difference
	T          float64 // Difference / SE
	DF         float64 // degrees of freedom of the t distribution used
}

// Welch compares the means of two independent rounds with Welch's t interval,
// which does not assume the rounds vary equally; its degrees of freedom come
// from the Welch–Satterthwaite equation. Each round needs two answers or
// more, and at least one round must vary.
func Welch(baseline, followUp Histogram) MeanDifference {
	vs, why := levels(baseline, followUp)
	if why != "" {
		return MeanDifference{Outcome: refused(testWelch, why)}
	}
	n1, m1, ss1 := moments(baseline, vs)
	n2, m2, ss2 := moments(followUp, vs)
	if n1 < 2 || n2 < 2 {
		return MeanDifference{Outcome: refused(testWelch, reasonTooFew)}
	}
	a := ss1 / (n1 - 1) / n1 // squared standard error of each mean
	b := ss2 / (n2 - 1) / n2
	if a+b == 0 {
		return MeanDifference{Outcome: refused(testWelch, reasonNoSpread)}
	}
	df := (a + b) * (a + b) / (a*a/(n1-1) + b*b/(n2-1))
	return tInterval(testWelch, m2-m1, math.Sqrt(a+b), df)
}

// PairedT gives the mean change of the same respondents between the rounds,
// with the paired t interval, from the histogram of their differences
// (follow-up minus baseline, see [Differences]). Unlike [SignedRank] it keeps
// the respondents who did not change: they are part of the mean change.
func PairedT(differences Histogram) MeanDifference {
	vs, why := levels(differences)
	if why != "" {
		return MeanDifference{Outcome: refused(testPairedT, why)}
	}
	n, mean, ss := moments(differences, vs)
	switch {
	case n < 2:
		return MeanDifference{Outcome: refused(testPairedT, reasonFewPairs)}
	case ss == 0 && mean == 0:
		return MeanDifference{Outcome: refused(testPairedT, reasonNoChange)}
	case ss == 0:
		return MeanDifference{Outcome: refused(testPairedT, reasonSameChange)}
	}
	return tInterval(testPairedT, mean, math.Sqrt(ss/(n-1)/n), n-1)
}

// tInterval completes a MeanDifference from the difference, its standard
// error and the degrees of freedom.
func tInterval(test string, diff, se, df float64) MeanDifference {
	t := diff / se
	q := tQuantile(0.975, df)
	r := MeanDifference{
		Outcome:    Outcome{Test: test, Computable: true, P: tTwoSided(t, df)},
		Difference: diff,
		Low:        diff - q*se,
		High:       diff + q*se,
		SE:         se,
		T:          t,
		DF:         df,
	}
	if !allFinite(r.P, r.Low, r.High, r.T, r.DF) {
		return MeanDifference{Outcome: refused(test, reasonOverflow)}
	}
	return r
}
