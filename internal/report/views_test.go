package report

import (
	"testing"

	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
)

// What changed most is ranked by the change it shows (issue 25): a strand
// whose exact change is larger but shows as +0.13 sits below one that
// shows +0.14, and a change shown as 0.00 is neither a rise nor a fall.
func TestChangesRankByTheShownChange(t *testing.T) {
	row := func(id string, from, to float64) StrandRow {
		return StrandRow{Section: &survey.Section{ID: id}, Test: &ChangeTest{Means: [2]float64{from, to}, Change: to - from}}
	}
	c := &Comparison{Strands: []StrandRow{
		row("exact-larger", 3.0051, 3.1449), // exact +0.1398, shown 3.01 to 3.14: +0.13
		row("shown-larger", 3.0149, 3.1451), // exact +0.1302, shown 3.01 to 3.15: +0.14
		row("rounds-to-nothing", 3.0001, 3.0049),
		row("fall", 3.2, 3.1),
	}}
	up, down := c.Changes()
	var got []string
	for _, r := range up {
		got = append(got, r.Section.ID+" "+stats.Signed(r.Test.ShownChange()))
	}
	want := []string{"shown-larger +0.14", "exact-larger +0.13"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("improvements = %v, want %v", got, want)
	}
	if len(down) != 1 || down[0].Section.ID != "fall" {
		t.Errorf("declines = %v, want the fall alone", down)
	}
}
