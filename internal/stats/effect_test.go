package stats

import (
	"math"
	"testing"
)

// The size of a change in words follows Cohen's h and the thresholds the
// docs give (docs/reports.md "Size of a change").
func TestSizeOfChangeInShare(t *testing.T) {
	for _, c := range []struct {
		p0, p1 float64
		want   Size
	}{
		{0.41, 0.44, SizeNone},     // h = 0.06: the seeded strands' kind of change
		{0.40, 0.50, SizeSmall},    // h = 0.20
		{0.50, 0.40, SizeSmall},    // a fall is sized as a rise
		{0.30, 0.55, SizeModerate}, // h = 0.51
		{0.20, 0.60, SizeLarge},    // h = 0.85
		{0.5, 0.5, SizeNone},
		{math.NaN(), 0.5, SizeNone}, // nonsense in, no claim out
	} {
		h := CohensH(c.p0, c.p1)
		if got := SizeOf(h); got != c.want {
			t.Errorf("%.2f to %.2f: h = %.3f, size %s, want %s", c.p0, c.p1, h, got.Word(), c.want.Word())
		}
	}
	if h := CohensH(0.4, 0.5); math.Abs(h-0.2013579) > 1e-6 {
		t.Errorf("h(0.4, 0.5) = %v, want 0.2014 (Cohen's table)", h)
	}
}
