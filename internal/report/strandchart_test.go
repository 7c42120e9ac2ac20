package report

import (
	"strings"
	"testing"
)

// A strand chart draws a bar per statement for each shown round, none for
// a suppressed one, and its bars grow with the mean.
func TestStrandChart(t *testing.T) {
	d := mini(t)
	rounds := d.Rounds[:2]
	var big []map[string]string
	for range d.GroupSize() {
		big = append(big, map[string]string{"caf-1": "3", "caf-2": "1"})
	}
	small := tally(map[string]string{"caf-1": "1"})
	for _, tc := range []struct {
		name   string
		second *Tally
		series int
	}{
		{"both shown", tally(append(big, map[string]string{"caf-1": "1"})...), 2},
		{"second suppressed", small, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := compareTallies(d, rounds, []*Tally{tally(big...), tc.second})
			ch := c.StrandChart(0)
			if len(ch.Series) != tc.series {
				t.Fatalf("%d series, want %d", len(ch.Series), tc.series)
			}
			for _, r := range ch.Rows {
				if len(r.Bars) != tc.series {
					t.Errorf("a row has %d bars, want %d", len(r.Bars), tc.series)
				}
			}
			first := ch.Rows[0].Bars[0] // caf-1, all 3: the top of the scale
			if first.Text != "3.00" || first.X+first.W != ch.PlotRight {
				t.Errorf("bar at the top of the scale: %+v, plot ends at %d", first, ch.PlotRight)
			}
			if low := ch.Rows[1].Bars[0]; low.W != 0 || low.Text != "1.00" {
				t.Errorf("bar at the bottom of the scale: %+v", low)
			}
			if tc.series == 1 && strings.Contains(ch.Description, rounds[1].Label) {
				t.Errorf("the description names the suppressed round: %s", ch.Description)
			}
			if ch.Height <= ch.AxisY || len(ch.Ticks) != 3 {
				t.Errorf("height %d, axis at %d, ticks %v", ch.Height, ch.AxisY, ch.Ticks)
			}
		})
	}
}
