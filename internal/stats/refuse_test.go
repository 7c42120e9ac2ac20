package stats

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

// outcome is what every test result has in common, for table tests.
type outcome interface{ outcome() Outcome }

func (r MeanDifference) outcome() Outcome  { return r.Outcome }
func (r MannWhitneyTest) outcome() Outcome { return r.Outcome }
func (r SignedRankTest) outcome() Outcome  { return r.Outcome }

func TestRefusals(t *testing.T) {
	neg := Histogram{1: 3, 2: -1}
	for _, c := range []struct {
		name   string
		result outcome
		reason string
	}{
		{"Welch, empty", Welch(nil, Histogram{}), reasonTooFew},
		{"Welch, one answer", Welch(Histogram{3: 1}, Histogram{2: 4, 4: 4}), reasonTooFew},
		{"Welch, no spread", Welch(Histogram{2: 50}, Histogram{4: 50}), reasonNoSpread},
		{"Welch, negative", Welch(neg, Histogram{2: 4}), reasonNegative},
		{"MannWhitney, one answer", MannWhitney(Histogram{2: 4, 3: 1}, Histogram{5: 1}), reasonTooFew},
		{"MannWhitney, all the same", MannWhitney(Histogram{3: 40}, Histogram{3: 25}), reasonAllSame},
		{"MannWhitney, negative", MannWhitney(Histogram{2: 4}, neg), reasonNegative},
		{"PairedT, one pair", PairedT(Histogram{2: 1}), reasonFewPairs},
		{"PairedT, no change", PairedT(Histogram{0: 30}), reasonNoChange},
		{"PairedT, same change", PairedT(Histogram{1: 30}), reasonSameChange},
		{"PairedT, negative", PairedT(neg), reasonNegative},
		{"SignedRank, no change", SignedRank(Histogram{0: 30}), reasonNoChange},
		{"SignedRank, one change", SignedRank(Histogram{0: 30, -2: 1}), reasonOneChange},
		{"SignedRank, negative", SignedRank(neg), reasonNegative},
	} {
		o := c.result.outcome()
		if o.Computable || o.Reason != c.reason || o.P != 1 || o.MoreThanChance() {
			t.Errorf("%s: %+v, want refused because %q with P = 1", c.name, o, c.reason)
		}
		if s := o.Sentence(2.4, 3.1); !strings.Contains(s, "because "+c.reason) {
			t.Errorf("%s: sentence %q does not give the reason", c.name, s)
		}
		bare := reflect.New(reflect.TypeOf(c.result)).Elem() // the zero result ...
		bare.FieldByName("Outcome").Set(reflect.ValueOf(o))  // ... with the refusal
		if !reflect.DeepEqual(c.result, bare.Interface()) {
			t.Errorf("%s: refused result carries numbers: %+v", c.name, c.result)
		}
	}
	for _, c := range []struct {
		name string
		h    Histogram
		why  string
	}{
		{"empty", Histogram{}, reasonEmpty},
		{"zero counts", Histogram{1: 0, 2: 0}, reasonEmpty},
		{"negative", neg, reasonNegative},
		{"too many", Histogram{1: 1 << 53, 2: 1}, reasonOverflow},
	} {
		if s := Summarise(c.h); s.Computable || s.Reason != c.why || s.N != 0 || s.Mean != 0 {
			t.Errorf("Summarise %s = %+v, want refused because %q", c.name, s, c.why)
		}
	}
}

// A round with no spread is fine when the other round varies: Welch's df
// is then that round's n − 1. And two rounds with no spread but different
// answers are still a clear change by ranks.
func TestOneSidedSpread(t *testing.T) {
	r := Welch(Histogram{3: 10}, Histogram{2: 5, 4: 6})
	if !r.Computable || r.DF != 10 {
		t.Errorf("Welch = %+v, want computable with df 10", r)
	}
	m := MannWhitney(Histogram{2: 50}, Histogram{4: 50})
	if !m.Computable || m.U != 2500 || m.RankBiserial != 1 || !m.MoreThanChance() {
		t.Errorf("MannWhitney = %+v, want every follow-up answer higher and more than chance", m)
	}
}

func TestDifferencesNeedsPairs(t *testing.T) {
	if _, err := Differences([]int{1, 2}, []int{1}); err == nil {
		t.Error("no error for unequal lengths")
	}
	d, err := Differences([]int{1, 2, 3}, []int{3, 2, 1})
	if err != nil || !reflect.DeepEqual(d, Histogram{2: 1, 0: 1, -2: 1}) {
		t.Errorf("Differences = %v, %v", d, err)
	}
}

// checkFinite fails the test if any float in v (a result struct, walked
// through embedded structs) is NaN or infinite, or any P is outside [0, 1].
func checkFinite(t *testing.T, name string, v any) {
	t.Helper()
	var walk func(reflect.Value, string)
	walk = func(rv reflect.Value, path string) {
		switch rv.Kind() {
		case reflect.Struct:
			for i := range rv.NumField() {
				walk(rv.Field(i), path+"."+rv.Type().Field(i).Name)
			}
		case reflect.Float64:
			x := rv.Float()
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Errorf("%s%s = %v", name, path, x)
			}
			if strings.HasSuffix(path, ".P") && (x < 0 || x > 1) {
				t.Errorf("%s%s = %v, outside [0, 1]", name, path, x)
			}
		}
	}
	walk(reflect.ValueOf(v), "")
}

// runAll runs every statistic on two histograms, also read as differences.
func runAll(t *testing.T, a, b Histogram) {
	t.Helper()
	checkFinite(t, "Summarise", Summarise(a))
	checkFinite(t, "Welch", Welch(a, b))
	checkFinite(t, "MannWhitney", MannWhitney(a, b))
	checkFinite(t, "PairedT", PairedT(a))
	checkFinite(t, "SignedRank", SignedRank(a))
	for _, o := range []Outcome{Welch(a, b).Outcome, MannWhitney(a, b).Outcome, PairedT(b).Outcome, SignedRank(b).Outcome} {
		if o.Sentence(1, 2) == "" {
			t.Error("empty sentence")
		}
	}
}

func TestNoNaNOrInfinityEscapes(t *testing.T) {
	const big = math.MaxInt64 / 4
	for _, c := range []struct{ a, b Histogram }{
		{nil, nil},
		{Histogram{1: 1}, Histogram{1: 1}},
		{Histogram{1: 2}, Histogram{1: 2}},
		{Histogram{1: 2}, Histogram{5: 2}},
		{Histogram{0: 1, 1: 1}, Histogram{-1: 1, 1: 1}},
		{Histogram{1: 125000, 5: 125000}, Histogram{3: 250000}},
		{Histogram{1: 1, 2: big}, Histogram{2: big, 3: 1}},
		{Histogram{math.MinInt / 2: 3, math.MaxInt / 2: 3}, Histogram{0: 5}},
		{Histogram{1: big, 2: big}, Histogram{-1: big, 1: big}},
	} {
		runAll(t, c.a, c.b)
		runAll(t, c.b, c.a)
	}
}

// FuzzNoNaNOrInfinity: whatever the counts and levels, no result holds NaN
// or infinity and every p value lies in [0, 1]. The seeds run with go test;
// go test -fuzz=FuzzNoNaNOrInfinity explores further.
func FuzzNoNaNOrInfinity(f *testing.F) {
	f.Add(3, 0, 4, 1, 5, 2, 0, 3)
	f.Add(1, 1, 1, 1, 1, 1, -1, 1)
	f.Add(0, 7, 0, 7, 9, 0, 0, 9)
	f.Add(1<<40, 1<<40, 1, 0, 1<<50, 3, -1<<50, 1<<40)
	f.Fuzz(func(t *testing.T, v1, c1, v2, c2, v3, c3, v4, c4 int) {
		a := Histogram{v1: c1, v2: c2}
		b := Histogram{v3: c3, v4: c4}
		runAll(t, a, b)
	})
}

func TestSentences(t *testing.T) {
	for _, c := range []struct {
		name      string
		o         Outcome
		from, to  float64
		want, tec string
	}{
		{"rise", Outcome{Test: "Mann–Whitney test", Computable: true, P: 0.0031}, 2.4, 3.1,
			"The rise from 2.40 to 3.10 is more than chance would explain.", "Mann–Whitney test, p = 0.003"},
		{"fall", Outcome{Test: "Welch's t-test", Computable: true, P: 0.0004}, 3.14, 2.96,
			"The fall from 3.14 to 2.96 is more than chance would explain.", "Welch's t-test, p < 0.001"},
		{"tiny but clear", Outcome{Test: "Mann–Whitney test", Computable: true, P: 0.02}, 3.01, 3.04,
			"The rise from 3.01 to 3.04 is more than chance would explain.", "Mann–Whitney test, p = 0.02"},
		{"just under alpha", Outcome{Test: "Mann–Whitney test", Computable: true, P: 0.0496}, 2, 3,
			"The rise from 2.00 to 3.00 is more than chance would explain.", "Mann–Whitney test, p < 0.05"},
		{"chance", Outcome{Test: "Wilcoxon signed-rank test", Computable: true, P: 0.214}, 2.4, 2.6,
			"The change from 2.40 to 2.60 is small enough that chance alone could have made it, so treat it as no clear change.", "Wilcoxon signed-rank test, p = 0.21"},
		{"at alpha", Outcome{Test: "Welch's t-test", Computable: true, P: 0.05}, 2.4, 2.9,
			"The change from 2.40 to 2.90 is small enough that chance alone could have made it, so treat it as no clear change.", "Welch's t-test, p = 0.05"},
		{"refused", refused(testMann, reasonTooFew), 2, 3,
			"No test could be run because a round has fewer than two answers, so this report cannot say whether the change is more than chance.", ""},
	} {
		if got := c.o.Sentence(c.from, c.to); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
		if got := c.o.Technical(); !strings.HasPrefix(got, c.tec) || (c.tec == "") != (got == "") {
			t.Errorf("%s: technical words %q, want them to start %q", c.name, got, c.tec)
		}
	}
}

func TestMoreThanChance(t *testing.T) {
	for _, c := range []struct {
		o    Outcome
		want bool
	}{
		{Outcome{Computable: true, P: 0.049}, true},
		{Outcome{Computable: true, P: 0.05}, false},
		{Outcome{Computable: true, P: 0.3}, false},
		{Outcome{Computable: false, P: 0}, false}, // a refused result is never a finding
	} {
		if got := c.o.MoreThanChance(); got != c.want {
			t.Errorf("%+v.MoreThanChance() = %v", c.o, got)
		}
	}
}
