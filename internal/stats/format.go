package stats

import (
	"math"
	"strconv"
)

// Places is how many decimal places every mean, median, change and
// interval is shown to, on every page, chart and sentence: one rounding
// everywhere, so that a figure in a sentence is the figure in the table
// beside it.
const Places = 2

// Round rounds a figure to Places decimal places, half away from zero.
func Round(x float64) float64 {
	p := math.Pow(10, Places)
	return math.Round(x*p) / p
}

// Figure is a figure as it is shown: "2.56".
func Figure(x float64) string {
	return strconv.FormatFloat(Round(x)+0, 'f', Places, 64)
}

// Signed is a change as it is shown, with its sign: "+0.03", "-0.10",
// "0.00" for no change (never "-0.00").
func Signed(x float64) string {
	r := Round(x)
	if r == 0 {
		return strconv.FormatFloat(0, 'f', Places, 64)
	}
	s := strconv.FormatFloat(r, 'f', Places, 64)
	if r > 0 {
		s = "+" + s
	}
	return s
}

// Change is the change between two figures as it is shown: the
// difference of the two figures once each is rounded, so that a reader
// who subtracts the figures shown gets the change shown (2.56 to 2.59 is
// +0.03, even when the exact means differ by 0.024).
func Change(from, to float64) float64 { return Round(Round(to) - Round(from)) }
