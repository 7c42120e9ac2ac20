package stats

import (
	"fmt"
	"maps"
	"slices"
)

// Histogram counts answers by value: h[v] is how many answers were v. It is
// the form of the tallies the reports keep, and every statistic in this
// package starts from it. For paired data the values are differences,
// follow-up minus baseline, so they may be negative or zero. A missing value
// and a zero count mean the same.
type Histogram map[int]int

// Tally counts raw answers into a Histogram.
func Tally(sample []int) Histogram {
	h := Histogram{}
	for _, v := range sample {
		h[v]++
	}
	return h
}

// Differences pairs the answers of the same respondents, baseline[i] with
// followUp[i], and counts their differences (follow-up minus baseline),
// zeros included. It is the input of [PairedT] and [SignedRank].
func Differences(baseline, followUp []int) (Histogram, error) {
	if len(baseline) != len(followUp) {
		return nil, fmt.Errorf("stats: differences: %d baseline answers but %d follow-up answers", len(baseline), len(followUp))
	}
	h := Histogram{}
	for i, b := range baseline {
		h[followUp[i]-b]++
	}
	return h, nil
}

// Reasons a figure cannot be computed, worded to follow "because".
const (
	reasonNegative   = "a count of answers is negative"
	reasonEmpty      = "there are no answers"
	reasonTooFew     = "a round has fewer than two answers"
	reasonAllSame    = "every answer in both rounds is the same"
	reasonNoSpread   = "the answers do not vary within either round"
	reasonFewPairs   = "there are fewer than two pairs of answers"
	reasonNoChange   = "no respondent changed their answer"
	reasonOneChange  = "only one respondent changed their answer"
	reasonSameChange = "every respondent changed by the same amount"
	// reasonOverflow is for absurd inputs: 2⁵³ answers or more in all, or
	// values so far apart that a computation overflowed. The result is
	// refused rather than let NaN or infinity escape.
	reasonOverflow = "the counts or values are too large to compute with"
)

// levels returns the values with a positive count in any of hs, in order.
// If it cannot (a count is negative, or the counts add up to more than
// float64 holds exactly) it returns the reason instead.
func levels(hs ...Histogram) ([]int, string) {
	seen := map[int]bool{}
	var total float64
	for _, h := range hs {
		for v, c := range h {
			if c < 0 {
				return nil, reasonNegative
			}
			if c > 0 {
				seen[v] = true
				total += float64(c)
			}
		}
	}
	if total >= 1<<53 {
		return nil, reasonOverflow
	}
	return slices.Sorted(maps.Keys(seen)), ""
}

// moments returns the count, mean and sum of squared deviations from the
// mean of the answers at the given levels. Two passes keep the sum of
// squares exact enough for a quarter of a million answers.
func moments(h Histogram, vs []int) (n, mean, ss float64) {
	var sum float64
	for _, v := range vs {
		c := float64(h[v])
		n += c
		sum += c * float64(v)
	}
	if n == 0 {
		return 0, 0, 0
	}
	mean = sum / n
	for _, v := range vs {
		d := float64(v) - mean
		ss += float64(h[v]) * d * d
	}
	return n, mean, ss
}
