package stats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The histogram forms are checked against reference implementations that
// work on the raw answers the textbook way: sorting, ranking every answer,
// and counting U pair by pair. They share only the t distribution, which is
// tested on its own against tables.

// closeTo reports whether got and want agree to a relative 1e-9.
func closeTo(got, want float64) bool {
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

func sampleMoments(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x)-1)
}

func floats(x []int) []float64 {
	f := make([]float64, len(x))
	for i, v := range x {
		f[i] = float64(v)
	}
	return f
}

// midranks ranks x from 1, giving tied values the mean of the ranks they
// span, and returns the ranks and Σ(t³ − t) over the groups of ties.
func midranks(x []float64) (ranks []float64, ties float64) {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmpFloat(x[i], x[j]) })
	ranks = make([]float64, len(x))
	for i := 0; i < len(order); {
		j := i
		for j < len(order) && x[order[j]] == x[order[i]] {
			j++
		}
		for k := i; k < j; k++ {
			ranks[order[k]] = float64(i+j+1) / 2 // mean of ranks i+1 .. j
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	return ranks, ties
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func refSummary(x []int) Summary {
	s := slices.Sorted(slices.Values(x))
	n := len(s)
	mean, variance := sampleMoments(floats(s))
	med := float64(s[n/2])
	if n%2 == 0 {
		med = float64(s[n/2-1]+s[n/2]) / 2
	}
	sd := 0.0
	if n > 1 {
		sd = math.Sqrt(variance)
	}
	return Summary{Computable: true, N: n, Mean: mean, SD: sd, Median: med}
}

func refWelch(a, b []int) MeanDifference {
	m1, v1 := sampleMoments(floats(a))
	m2, v2 := sampleMoments(floats(b))
	s1, s2 := v1/float64(len(a)), v2/float64(len(b))
	se := math.Sqrt(s1 + s2)
	df := (s1 + s2) * (s1 + s2) / (s1*s1/float64(len(a)-1) + s2*s2/float64(len(b)-1))
	return refInterval(m2-m1, se, df)
}

func refPaired(d []int) MeanDifference {
	m, v := sampleMoments(floats(d))
	return refInterval(m, math.Sqrt(v/float64(len(d))), float64(len(d)-1))
}

func refInterval(diff, se, df float64) MeanDifference {
	q := tQuantile(0.975, df)
	return MeanDifference{
		Outcome:    Outcome{Computable: true, P: tTwoSided(diff/se, df)},
		Difference: diff, Low: diff - q*se, High: diff + q*se, SE: se, T: diff / se, DF: df,
	}
}

func refMannWhitney(t *testing.T, a, b []int) MannWhitneyTest {
	t.Helper()
	var u float64 // by definition: pairs where the follow-up answer is higher
	for _, x := range a {
		for _, y := range b {
			switch {
			case y > x:
				u++
			case y == x:
				u += 0.5
			}
		}
	}
	ranks, ties := midranks(floats(append(slices.Clone(a), b...)))
	n1, n2 := float64(len(a)), float64(len(b))
	var r2 float64
	for _, r := range ranks[len(a):] {
		r2 += r
	}
	if fromRanks := r2 - n2*(n2+1)/2; fromRanks != u {
		t.Fatalf("reference disagrees with itself: U by pairs %v, by ranks %v", u, fromRanks)
	}
	n := n1 + n2
	z := corrected(u-n1*n2/2, n1*n2/12*(n+1-ties/(n*(n-1))))
	return MannWhitneyTest{
		Outcome: Outcome{Computable: true, P: normalTwoSided(z)},
		N1:      len(a), N2: len(b), U: u, Z: z,
		Superiority: u / (n1 * n2), RankBiserial: 2*u/(n1*n2) - 1,
	}
}

func refSignedRank(d []int) SignedRankTest {
	var size []float64
	var sign []int
	zeros := 0
	for _, v := range d {
		if v == 0 {
			zeros++
			continue
		}
		size = append(size, math.Abs(float64(v)))
		sign = append(sign, v)
	}
	ranks, ties := midranks(size)
	var wPlus, wMinus float64
	for i, r := range ranks {
		if sign[i] > 0 {
			wPlus += r
		} else {
			wMinus += r
		}
	}
	n := float64(len(size))
	z := corrected(wPlus-n*(n+1)/4, n*(n+1)*(2*n+1)/24-ties/48)
	return SignedRankTest{
		Outcome: Outcome{Computable: true, P: normalTwoSided(z)},
		N:       len(size), Zeros: zeros, WPlus: wPlus, WMinus: wMinus, Z: z,
		RankBiserial: (wPlus - wMinus) / (wPlus + wMinus),
	}
}

// randomRounds draws a baseline round of n1 answers on levels 1..k, a
// follow-up round of n2 answers that tends to sit shift levels higher, and
// the paired differences of the first min(n1, n2) respondents.
func randomRounds(r *rand.Rand, n1, n2, k int, shift float64) (a, b, d []int) {
	level := func(bias float64) int {
		v := 1 + int(math.Floor(float64(k)*r.Float64()+bias*r.Float64()))
		return min(max(v, 1), k)
	}
	for range n1 {
		a = append(a, level(0))
	}
	for i := range n2 {
		if i < n1 {
			v := a[i] + int(math.Round(r.NormFloat64()+shift))
			b = append(b, min(max(v, 1), k))
			d = append(d, b[i]-a[i])
		} else {
			b = append(b, level(shift))
		}
	}
	return a, b, d
}

var crossCases = []struct {
	n1, n2, k int
	shift     float64
}{
	{2, 2, 2, 0},
	{3, 5, 5, 0},
	{8, 6, 4, 1},
	{25, 30, 5, 0},
	{40, 40, 5, 0.5},
	{100, 80, 3, 0.2},
	{250, 300, 10, 1},
	{1000, 1200, 5, 0.1},
	{3000, 2500, 7, 0},
}

func TestHistogramFormsMatchRawSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(20240601, 7))
	for _, c := range crossCases {
		for rep := range 10 {
			a, b, d := randomRounds(r, c.n1, c.n2, c.k, c.shift)
			t.Run(fmt.Sprintf("n1=%d,n2=%d,k=%d,rep=%d", c.n1, c.n2, c.k, rep), func(t *testing.T) {
				ha, hb, hd := Tally(a), Tally(b), Tally(d)
				checkSummary(t, Summarise(hb), refSummary(b))
				checkMeans(t, "Welch", Welch(ha, hb), refWelch(a, b))
				checkMeans(t, "PairedT", PairedT(hd), refPaired(d))
				checkMannWhitney(t, MannWhitney(ha, hb), refMannWhitney(t, a, b))
				checkSignedRank(t, SignedRank(hd), refSignedRank(d))
			})
		}
	}
}

func checkSummary(t *testing.T, got, want Summary) {
	t.Helper()
	if got.N != want.N || !closeTo(got.Mean, want.Mean) || !closeTo(got.SD, want.SD) || got.Median != want.Median {
		t.Errorf("Summarise = %+v, want %+v", got, want)
	}
}

func checkMeans(t *testing.T, name string, got, want MeanDifference) {
	t.Helper()
	if !got.Computable {
		// Only a round without spread is refused; the reference would divide by zero.
		if want.SE != 0 && !math.IsNaN(want.T) {
			t.Errorf("%s refused (%s) but reference computed %+v", name, got.Reason, want)
		}
		return
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"Difference", got.Difference, want.Difference}, {"SE", got.SE, want.SE},
		{"T", got.T, want.T}, {"DF", got.DF, want.DF}, {"P", got.P, want.P},
		{"Low", got.Low, want.Low}, {"High", got.High, want.High},
	} {
		if !closeTo(f.got, f.want) {
			t.Errorf("%s %s = %.12g, want %.12g", name, f.name, f.got, f.want)
		}
	}
}

func checkMannWhitney(t *testing.T, got, want MannWhitneyTest) {
	t.Helper()
	if !got.Computable {
		if !math.IsNaN(want.Z) && !math.IsInf(want.Z, 0) && want.Z != 0 {
			t.Errorf("MannWhitney refused (%s) but reference has z = %v", got.Reason, want.Z)
		}
		return
	}
	if got.N1 != want.N1 || got.N2 != want.N2 || got.U != want.U ||
		!closeTo(got.Z, want.Z) || !closeTo(got.P, want.P) ||
		!closeTo(got.Superiority, want.Superiority) || !closeTo(got.RankBiserial, want.RankBiserial) {
		t.Errorf("MannWhitney = %+v, want %+v", got, want)
	}
}

func checkSignedRank(t *testing.T, got, want SignedRankTest) {
	t.Helper()
	if !got.Computable {
		if want.N >= 2 {
			t.Errorf("SignedRank refused (%s) with %d changes", got.Reason, want.N)
		}
		return
	}
	if got.N != want.N || got.Zeros != want.Zeros || got.WPlus != want.WPlus || got.WMinus != want.WMinus ||
		!closeTo(got.Z, want.Z) || !closeTo(got.P, want.P) || !closeTo(got.RankBiserial, want.RankBiserial) {
		t.Errorf("SignedRank = %+v, want %+v", got, want)
	}
}

// The tie-corrected variances are the heart of the rank tests on ordinal
// data. Here they are checked against the exact null distribution, by
// enumeration: every way of splitting a pooled, heavily tied set of answers
// into the two rounds (Mann–Whitney), and every assignment of signs to a set
// of tied changes (signed-rank). The mean and variance of U and W+ over the
// enumeration must equal the formulas.
func TestMannWhitneyNullMomentsByEnumeration(t *testing.T) {
	for _, c := range []struct {
		pooled []int
		n2     int
	}{
		{[]int{1, 1, 2, 2, 2, 3, 4, 4}, 3},
		{[]int{1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 5},
		{[]int{2, 2, 2, 2, 2, 2, 5, 5, 5}, 4},
		{[]int{1, 2, 3, 4, 5, 6, 7}, 3},
	} {
		n := len(c.pooled)
		var sum, sumSq, count float64
		for mask := 0; mask < 1<<n; mask++ {
			if popcount(mask) != c.n2 {
				continue
			}
			var a, b []int
			for i, v := range c.pooled {
				if mask&(1<<i) != 0 {
					b = append(b, v)
				} else {
					a = append(a, v)
				}
			}
			u := refMannWhitney(t, a, b).U
			sum += u
			sumSq += u * u
			count++
		}
		mean := sum / count
		exact := sumSq/count - mean*mean
		a, b := c.pooled[:n-c.n2], c.pooled[n-c.n2:]
		ha, hb := Tally(a), Tally(b)
		vs, _ := levels(ha, hb)
		_, n1, n2, variance := rankSum(ha, hb, vs)
		near(t, fmt.Sprint("mean of U for ", c.pooled), mean, n1*n2/2, 1e-9)
		near(t, fmt.Sprint("variance of U for ", c.pooled), variance, exact, 1e-9)
	}
}

func TestSignedRankNullMomentsByEnumeration(t *testing.T) {
	for _, sizes := range [][]int{
		{1, 1, 2, 3, 3, 3, 5},
		{1, 1, 1, 1, 1, 2, 2, 2, 2},
		{2, 2, 2, 2, 2, 2, 2, 2},
		{1, 2, 3, 4, 5, 6},
	} {
		n := len(sizes)
		var sum, sumSq float64
		for mask := 0; mask < 1<<n; mask++ {
			d := make([]int, n)
			for i, s := range sizes {
				d[i] = s
				if mask&(1<<i) != 0 {
					d[i] = -s
				}
			}
			w := refSignedRank(d).WPlus
			sum += w
			sumSq += w * w
		}
		count := float64(int(1) << n)
		mean := sum / count
		exact := sumSq/count - mean*mean
		h := Tally(sizes)
		vs, _ := levels(h)
		_, _, nr, variance := signedRanks(h, vs)
		near(t, fmt.Sprint("mean of W+ for ", sizes), mean, nr*(nr+1)/4, 1e-9)
		near(t, fmt.Sprint("variance of W+ for ", sizes), variance, exact, 1e-9)
	}
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}
