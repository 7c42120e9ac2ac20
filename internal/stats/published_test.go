package stats

import (
	"math"
	"testing"
)

// Tests against published worked examples. Where an example's data are
// decimals they are multiplied by 10 or 100 to make whole-number answers:
// t, z, p, df and U do not change under that scaling; means, differences and
// intervals scale with it.

// near fails the test unless got is within tol of want.
func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.10g, want %.10g (±%g)", name, got, want, tol)
	}
}

// scaled counts decimals multiplied by factor and rounded to whole numbers.
func scaled(xs []float64, factor float64) Histogram {
	h := Histogram{}
	for _, x := range xs {
		h[int(math.Round(x*factor))]++
	}
	return h
}

// normalCDF is Φ(z), used to check variances against one-sided p values.
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// Student's sleep data (Cushny & Peebles 1905), R's built-in data set
// `sleep`: extra hours of sleep of the same 10 patients on two drugs.
var (
	sleep1 = []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
	sleep2 = []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}
)

// sleepDifferences are drug 2 minus drug 1 per patient, in tenths of an hour.
func sleepDifferences(t *testing.T) Histogram {
	t.Helper()
	var a, b []int
	for i := range sleep1 {
		a = append(a, int(math.Round(sleep1[i]*10)))
		b = append(b, int(math.Round(sleep2[i]*10)))
	}
	d, err := Differences(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Critical values of Student's t at 0.975 (two-sided 5%), from the table in
// the NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2 "Critical
// values of the Student's t distribution" (printed to three decimals), and
// 1.960 for the normal limit. df 1 and 2 also have closed forms,
// tan(0.475π) and 0.95/√(2·0.975·0.025), checked tightly.
func TestTQuantileAgainstTables(t *testing.T) {
	for _, c := range []struct {
		df, want, tol float64
	}{
		{1, 12.706, 0.0005},
		{5, 2.571, 0.0005},
		{10, 2.228, 0.0005},
		{30, 2.042, 0.0005},
		{120, 1.980, 0.0005},
		{1e7, 1.960, 0.0005},
		{1, math.Tan(0.475 * math.Pi), 1e-9},
		{2, 0.95 / math.Sqrt(2*0.975*0.025), 1e-9},
	} {
		near(t, "t quantile", tQuantile(0.975, c.df), c.want, c.tol)
	}
}

// The t distribution's tail for df 1 (Cauchy) and df 2 has closed forms:
// P(|T| ≥ t) = 1 − (2/π)·atan t, and 1 − t/√(2 + t²).
func TestTTwoSidedClosedForms(t *testing.T) {
	for _, x := range []float64{0, 0.1, 0.5, 1, 2, 4.3, 12.7, 100} {
		near(t, "df 1", tTwoSided(x, 1), 1-2/math.Pi*math.Atan(x), 1e-12)
		near(t, "df 2", tTwoSided(x, 2), 1-x/math.Sqrt(2+x*x), 1e-12)
	}
}

// Wikipedia, "Median": the median of 1, 3, 3, 6, 7, 8, 9 is 6, and of
// 1, 2, 3, 4, 5, 6, 8, 9 it is 4.5, halfway between the middle two.
// Means (37/7 and 4.75) are by hand.
func TestSummaryWikipediaMedian(t *testing.T) {
	odd := Summarise(Tally([]int{1, 3, 3, 6, 7, 8, 9}))
	if !odd.Computable || odd.N != 7 || odd.Median != 6 || odd.Counts[3] != 2 {
		t.Errorf("odd: %+v", odd)
	}
	near(t, "odd mean", odd.Mean, 37.0/7, 1e-12)
	even := Summarise(Tally([]int{1, 2, 3, 4, 5, 6, 8, 9}))
	if even.N != 8 || even.Median != 4.5 {
		t.Errorf("even: %+v", even)
	}
	near(t, "even mean", even.Mean, 4.75, 1e-12)
}

// R's sleep data: means 0.75 and 2.33, standard deviations 1.789010 and
// 2.002249 (as quoted with R's t.test output, e.g. DescTools' tTestA help).
func TestSummarySleep(t *testing.T) {
	s1, s2 := Summarise(scaled(sleep1, 10)), Summarise(scaled(sleep2, 10))
	near(t, "mean 1", s1.Mean, 7.5, 1e-12)
	near(t, "mean 2", s2.Mean, 23.3, 1e-12)
	near(t, "sd 1", s1.SD, 17.89010, 5e-5)
	near(t, "sd 2", s2.SD, 20.02249, 5e-5)
}

// Welch's t-test on the three examples of Wikipedia's "Welch's t-test"
// article (data A1, A2 of each example). The two-sided p values are R's, as
// listed to 15 digits in Rosetta Code's "Welch's t-test" task; t and the
// Welch–Satterthwaite df as printed on that task's talk page (6 decimals).
// The signs of t are the reverse of the sources' because this package
// subtracts the baseline (A1) from the follow-up (A2).
func TestWelchWikipediaExamples(t *testing.T) {
	for _, c := range []struct {
		a1, a2   []float64
		t, df, p float64
	}{
		{
			a1: []float64{27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4},
			a2: []float64{27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4},
			t:  2.455356, df: 24.988529, p: 0.021378001462867,
		},
		{
			a1: []float64{17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8},
			a2: []float64{21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8},
			t:  1.565434, df: 9.904741, p: 0.148841696605327,
		},
		{
			a1: []float64{19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0},
			a2: []float64{28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 24.0, 13.2},
			t:  2.219241, df: 24.496223, p: 0.0359722710297968,
		},
	} {
		r := Welch(scaled(c.a1, 10), scaled(c.a2, 10))
		if !r.Computable {
			t.Fatalf("not computable: %s", r.Reason)
		}
		near(t, "t", r.T, c.t, 5e-7)
		near(t, "df", r.DF, c.df, 5e-7)
		near(t, "p", r.P, c.p, 1e-11)
	}
}

// R's ?t.test example, t.test(extra ~ group, data = sleep): Welch's test
// gives t = -1.8608, df = 17.776, p-value = 0.07939, 95 percent confidence
// interval -3.3654832 0.2054832, for group 1 minus group 2. Here the
// follow-up is group 2, so signs flip, and the data are in tenths.
func TestWelchSleep(t *testing.T) {
	r := Welch(scaled(sleep1, 10), scaled(sleep2, 10))
	near(t, "difference", r.Difference, 15.8, 1e-9)
	near(t, "t", r.T, 1.8608, 5e-5)
	near(t, "df", r.DF, 17.776, 5e-4)
	near(t, "p", r.P, 0.07939, 5e-6)
	near(t, "low", r.Low, -2.054832, 5e-6)
	near(t, "high", r.High, 33.654832, 5e-6)
	if r.MoreThanChance() {
		t.Error("p = 0.079 called more than chance")
	}
}

// R's ?t.test example with paired = TRUE on the sleep data: t = -4.0621,
// df = 9, p-value = 0.002833, 95 percent confidence interval -2.4598858
// -0.7001142, mean of the differences -1.58 (group 1 minus group 2).
func TestPairedTSleep(t *testing.T) {
	r := PairedT(sleepDifferences(t))
	near(t, "difference", r.Difference, 15.8, 1e-9)
	near(t, "t", r.T, 4.0621, 5e-5)
	near(t, "df", r.DF, 9, 0)
	near(t, "p", r.P, 0.002833, 5e-7)
	near(t, "low", r.Low, 7.001142, 5e-6)
	near(t, "high", r.High, 24.598858, 5e-6)
	if !r.MoreThanChance() {
		t.Error("p = 0.003 not called more than chance")
	}
}

// Wikipedia, "Mann–Whitney U test", Illustration of calculation methods:
// six tortoises and six hares finish in the order T H H H H H T T T T T H;
// ranking the first home 12, the tortoises' ranks are 12, 6, 5, 4, 3, 2 and
// U_T = 11, U_H = 25. Here the tortoises are the follow-up round. The z and
// p below are my own (normal approximation, continuity correction, no ties:
// z = (11 − 18 + 0.5)/√39), cross-checked by an independent brute-force
// pair count in Python.
func TestMannWhitneyTortoiseAndHare(t *testing.T) {
	tortoises := Tally([]int{12, 6, 5, 4, 3, 2})
	hares := Tally([]int{11, 10, 9, 8, 7, 1})
	r := MannWhitney(hares, tortoises)
	near(t, "U_T", r.U, 11, 0)
	near(t, "U_H", MannWhitney(tortoises, hares).U, 25, 0)
	near(t, "z", r.Z, -6.5/math.Sqrt(39), 1e-12)
	near(t, "p", r.P, 0.2979530616, 1e-9)
	near(t, "superiority", r.Superiority, 11.0/36, 1e-12)
}

// R, wilcox.test(extra ~ group, data = sleep): "Wilcoxon rank sum test with
// continuity correction, W = 25.5, p-value = 0.06933". There are ties, so R
// uses the tie-corrected normal approximation, as this package does. R's W
// is U for group 1; with group 2 as the follow-up, U = 100 − 25.5.
func TestMannWhitneySleep(t *testing.T) {
	r := MannWhitney(scaled(sleep1, 10), scaled(sleep2, 10))
	near(t, "U", r.U, 74.5, 0)
	near(t, "W", MannWhitney(scaled(sleep2, 10), scaled(sleep1, 10)).U, 25.5, 0)
	near(t, "p", r.P, 0.06933, 5e-6)
	near(t, "rank-biserial", r.RankBiserial, 0.49, 1e-12) // 2·74.5/100 − 1, by hand
}

// R's ?wilcox.test example from Hollander & Wolfe (1973, p. 69): placental
// permeability at term (x) and at 12–26 weeks (y). R gives W = 35 (U for x)
// and, with exact = FALSE, correct = FALSE, alternative = "greater",
// p-value = 0.1103, which pins the variance of U. The two-sided p with the
// continuity correction, 0.2446, is my own, cross-checked in Python.
func TestMannWhitneyHollanderWolfe(t *testing.T) {
	x := scaled([]float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}, 100)
	y := scaled([]float64{1.15, 0.88, 0.90, 0.74, 1.21}, 100)
	r := MannWhitney(y, x)
	near(t, "U", r.U, 35, 0)
	vs, _ := levels(y, x)
	_, n1, n2, variance := rankSum(y, x, vs)
	near(t, "one-sided p without correction", 1-normalCDF((35-n1*n2/2)/math.Sqrt(variance)), 0.1103, 5e-5)
	near(t, "p", r.P, 0.2446236051, 1e-9)
}

// Wikipedia, "Wilcoxon signed-rank test", Example: ten pairs
// x2 = 125 115 130 140 140 115 140 125 140 135 and
// x1 = 110 122 125 120 140 124 123 137 135 145. One difference is zero and
// is dropped (N_r = 9); the signed ranks sum to W = 9, so W+ = 27 and
// W− = 18. SciPy's test suite (TestWilcoxon.test_onesided, values from
// R 3.4.1) gives the one-sided "less" p values 0.7031847 without and
// 0.7233656 with the continuity correction, which pin the tie-corrected
// variance. The two-sided p, 0.6353, is my own.
func TestSignedRankWikipedia(t *testing.T) {
	d, err := Differences(
		[]int{110, 122, 125, 120, 140, 124, 123, 137, 135, 145},
		[]int{125, 115, 130, 140, 140, 115, 140, 125, 140, 135},
	)
	if err != nil {
		t.Fatal(err)
	}
	r := SignedRank(d)
	if r.N != 9 || r.Zeros != 1 {
		t.Errorf("N = %d, Zeros = %d, want 9, 1", r.N, r.Zeros)
	}
	near(t, "W+", r.WPlus, 27, 0)
	near(t, "W-", r.WMinus, 18, 0)
	near(t, "W", r.WPlus-r.WMinus, 9, 0)
	vs, _ := levels(d)
	_, _, n, variance := signedRanks(d, vs)
	mean := n * (n + 1) / 4
	near(t, "less, uncorrected", normalCDF((27-mean)/math.Sqrt(variance)), 0.7031847, 5e-7)
	near(t, "less, corrected", normalCDF((27-mean+0.5)/math.Sqrt(variance)), 0.7233656, 5e-7)
	near(t, "p", r.P, 0.6353, 5e-5)
}

// R, wilcox.test(extra[1:10], extra[11:20], paired = TRUE) on the sleep data:
// V = 0, p-value = 0.009091 (one zero difference dropped, one tie). With
// drug 2 as the follow-up every change is a rise: W+ = 45, W− = 0.
func TestSignedRankSleep(t *testing.T) {
	r := SignedRank(sleepDifferences(t))
	if r.N != 9 || r.Zeros != 1 {
		t.Errorf("N = %d, Zeros = %d, want 9, 1", r.N, r.Zeros)
	}
	near(t, "W+", r.WPlus, 45, 0)
	near(t, "W-", r.WMinus, 0, 0)
	near(t, "p", r.P, 0.009091, 5e-7)
	near(t, "rank-biserial", r.RankBiserial, 1, 0)
}
