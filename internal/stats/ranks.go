package stats

import (
	"maps"
	"math"
	"slices"
)

// MannWhitneyTest is the result of the Mann–Whitney test: whether answers in
// the follow-up round tend to sit higher (or lower) on the scale than answers
// in the baseline round, using only their order.
type MannWhitneyTest struct {
	Outcome
	N1, N2 int // answers in the baseline and follow-up rounds
	// U counts, over every pairing of a baseline answer with a follow-up
	// answer, the pairings in which the follow-up answer is higher, a tie
	// counting one half. (Tables often quote the smaller of U and N1·N2 − U.)
	U float64
	Z float64 // positive when follow-up answers tend to be higher
	// Superiority is U / (N1·N2): the chance that a follow-up answer picked
	// at random is higher than a baseline answer picked at random, ties
	// counting half. One half means no tendency either way.
	Superiority float64
	// RankBiserial is 2·Superiority − 1, from −1 (every follow-up answer
	// lower) to 1 (every follow-up answer higher).
	RankBiserial float64
}

// MannWhitney runs the Mann–Whitney U test on two independent rounds. Tied
// answers share the mean of the ranks they span (midranks) and the variance
// of U is corrected for ties; the two-sided p value comes from the normal
// approximation with a continuity correction. Each round needs two answers
// or more, and not every answer may be the same.
func MannWhitney(baseline, followUp Histogram) MannWhitneyTest {
	vs, why := levels(baseline, followUp)
	if why != "" {
		return MannWhitneyTest{Outcome: refused(testMann, why)}
	}
	u, n1, n2, variance := rankSum(baseline, followUp, vs)
	switch {
	case n1 < 2 || n2 < 2:
		return MannWhitneyTest{Outcome: refused(testMann, reasonTooFew)}
	case len(vs) < 2 || variance <= 0:
		return MannWhitneyTest{Outcome: refused(testMann, reasonAllSame)}
	}
	z := corrected(u-n1*n2/2, variance)
	sup := u / (n1 * n2)
	r := MannWhitneyTest{
		Outcome:      Outcome{Test: testMann, Computable: true, P: normalTwoSided(z)},
		N1:           int(n1),
		N2:           int(n2),
		U:            u,
		Z:            z,
		Superiority:  sup,
		RankBiserial: 2*sup - 1,
	}
	if !allFinite(r.P, r.U, r.Z, r.Superiority) {
		return MannWhitneyTest{Outcome: refused(testMann, reasonOverflow)}
	}
	return r
}

// rankSum returns the follow-up round's U, the sizes of the rounds, and the
// tie-corrected variance of U when the rounds do not differ:
// n1·n2/12 · (N + 1 − Σ(t³ − t) / (N(N − 1))), with t the number of answers
// tied at each level. vs are the levels with answers, in order.
func rankSum(baseline, followUp Histogram, vs []int) (u, n1, n2, variance float64) {
	var below, ties float64 // baseline answers below the current level; Σ(t³ − t)
	for _, v := range vs {
		c1, c2 := float64(baseline[v]), float64(followUp[v])
		u += c2 * (below + c1/2)
		below += c1
		n1 += c1
		n2 += c2
		t := c1 + c2
		ties += (t - 1) * t * (t + 1)
	}
	n := n1 + n2
	if n < 2 {
		return u, n1, n2, 0
	}
	return u, n1, n2, n1 * n2 / 12 * (n + 1 - ties/(n*(n-1)))
}

// SignedRankTest is the result of the Wilcoxon signed-rank test: whether the
// same respondents tend to answer higher (or lower) in the follow-up round.
type SignedRankTest struct {
	Outcome
	N     int // respondents whose answer changed: the pairs that were ranked
	Zeros int // respondents whose answer did not change, left out of the ranking
	// WPlus and WMinus are the sums of the ranks of the rises and of the
	// falls. Tables often quote the smaller of the two as T.
	WPlus, WMinus float64
	Z             float64 // positive when answers tend to rise
	// RankBiserial is (WPlus − WMinus) / (WPlus + WMinus), the matched-pairs
	// rank-biserial correlation: from −1 (every change a fall) to 1 (every
	// change a rise).
	RankBiserial float64
}

// SignedRank runs the Wilcoxon signed-rank test on the histogram of paired
// differences (follow-up minus baseline, see [Differences]). Following
// Wilcoxon's original method, pairs with no change are dropped before
// ranking, so the test asks "among those who changed, did more rise than
// fall, and by more?". Tied sizes of change share midranks, the variance is
// corrected for ties, and the two-sided p value comes from the normal
// approximation with a continuity correction. At least two respondents must
// have changed.
func SignedRank(differences Histogram) SignedRankTest {
	vs, why := levels(differences)
	if why != "" {
		return SignedRankTest{Outcome: refused(testSignedRank, why)}
	}
	wPlus, wMinus, n, variance := signedRanks(differences, vs)
	switch {
	case n == 0:
		return SignedRankTest{Outcome: refused(testSignedRank, reasonNoChange)}
	case n < 2:
		return SignedRankTest{Outcome: refused(testSignedRank, reasonOneChange)}
	}
	z := corrected(wPlus-n*(n+1)/4, variance)
	r := SignedRankTest{
		Outcome:      Outcome{Test: testSignedRank, Computable: true, P: normalTwoSided(z)},
		N:            int(n),
		Zeros:        differences[0],
		WPlus:        wPlus,
		WMinus:       wMinus,
		Z:            z,
		RankBiserial: (wPlus - wMinus) / (wPlus + wMinus),
	}
	if !allFinite(r.P, r.WPlus, r.WMinus, r.Z, r.RankBiserial) {
		return SignedRankTest{Outcome: refused(testSignedRank, reasonOverflow)}
	}
	return r
}

// signedRanks ranks the sizes of the non-zero differences, giving tied sizes
// their midrank, and returns the rank sums of rises and falls, how many were
// ranked, and the tie-corrected variance of WPlus when rises and falls are
// equally likely: n(n + 1)(2n + 1)/24 − Σ(t³ − t)/48. vs are the values
// with a count, as levels returns them.
func signedRanks(differences Histogram, vs []int) (wPlus, wMinus, n, variance float64) {
	sizes := map[int]bool{}
	for _, v := range vs {
		if v != 0 {
			sizes[abs(v)] = true
		}
	}
	var ties float64
	for _, m := range slices.Sorted(maps.Keys(sizes)) {
		up, down := float64(differences[m]), float64(differences[-m])
		t := up + down
		midrank := n + (t+1)/2
		wPlus += up * midrank
		wMinus += down * midrank
		ties += (t - 1) * t * (t + 1)
		n += t
	}
	return wPlus, wMinus, n, n*(n+1)*(2*n+1)/24 - ties/48
}

// corrected returns the z score of a statistic's deviation d from its null
// mean, moved half a unit towards zero (the continuity correction) but never
// past it.
func corrected(d, variance float64) float64 {
	m := math.Abs(d) - 0.5
	if m <= 0 {
		return 0
	}
	return math.Copysign(m, d) / math.Sqrt(variance)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
