package stats

import "math"

// Size is how large a change is in practice, in words a Board reads:
// none, small, moderate or large. A p value says only whether a change is
// more than chance; with 1,500 answers a round almost any change is, so
// the pack says how large it is as well.
type Size int

// The sizes of a change, from Cohen's conventions (Cohen 1988, chapter 6):
// an effect size h below 0.2 is none to speak of, from 0.2 small, from 0.5
// moderate ("medium" in Cohen), from 0.8 large.
const (
	SizeNone Size = iota
	SizeSmall
	SizeModerate
	SizeLarge
)

// Thresholds of |h| at which a change becomes small, moderate and large.
var SizeThresholds = [3]float64{0.2, 0.5, 0.8}

// CohensH is the effect size of a change in a share from p0 to p1 (each a
// proportion from 0 to 1): h = 2·asin(√p1) − 2·asin(√p0). Unlike the
// difference in percentage points it weighs a change near 0% or 100% as
// larger than the same points near 50%, as it is harder to make. Out of
// range or non-finite shares give 0.
func CohensH(p0, p1 float64) float64 {
	if !(p0 >= 0 && p0 <= 1 && p1 >= 0 && p1 <= 1) {
		return 0
	}
	return 2*math.Asin(math.Sqrt(p1)) - 2*math.Asin(math.Sqrt(p0))
}

// SizeOf names the size of an effect h, whatever its sign.
func SizeOf(h float64) Size {
	a := math.Abs(h)
	switch {
	case a >= SizeThresholds[2]:
		return SizeLarge
	case a >= SizeThresholds[1]:
		return SizeModerate
	case a >= SizeThresholds[0]:
		return SizeSmall
	}
	return SizeNone
}

// Word is the size as a word: "none", "small", "moderate" or "large".
func (s Size) Word() string {
	return [...]string{"none", "small", "moderate", "large"}[s]
}
