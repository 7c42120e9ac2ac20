package stats

import "testing"

// TestOneRounding checks the one rounding every page uses: the change
// shown is the difference of the figures shown.
func TestOneRounding(t *testing.T) {
	for _, c := range []struct {
		from, to     float64
		a, b, change string
	}{
		{2.556, 2.585, "2.56", "2.59", "+0.03"}, // exact difference 0.029
		{2.564, 2.586, "2.56", "2.59", "+0.03"}, // exact difference 0.022, shown +0.02 before
		{3.004, 2.996, "3.00", "3.00", "0.00"},  // never -0.00
		{3.1, 2.95, "3.10", "2.95", "-0.15"},
	} {
		if a, b, ch := Figure(c.from), Figure(c.to), Signed(Change(c.from, c.to)); a != c.a || b != c.b || ch != c.change {
			t.Errorf("%v to %v: shown %s to %s, change %s; want %s to %s, change %s", c.from, c.to, a, b, ch, c.a, c.b, c.change)
		}
	}
}
