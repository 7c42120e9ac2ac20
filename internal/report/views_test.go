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

// The good level is the top answer on a scale of three or fewer, else the
// level below the top; the strands that changed most and least are by the
// change shown, up or down, among those whose change is shown.
func TestGoodLevelAndMostAndLeast(t *testing.T) {
	scale := func(n int) *survey.Scale {
		sc := &survey.Scale{}
		for v := 1; v <= n; v++ {
			sc.Levels = append(sc.Levels, survey.Level{Value: v})
		}
		return sc
	}
	for n, want := range map[int]int{2: 2, 3: 3, 4: 3, 5: 4} {
		if got := GoodLevel(scale(n)).Value; got != want {
			t.Errorf("a scale of %d levels: good from %d, want %d", n, got, want)
		}
	}
	h := func(id string, points int, shown bool) Headline {
		return Headline{Section: &survey.Section{ID: id}, Points: points, HasChange: shown}
	}
	hs := []Headline{h("a", 3, true), h("b", -7, true), h("hidden", 40, false), h("c", 0, true), h("d", 7, true)}
	most, least := MostAndLeast(hs)
	if most == nil || most.Section.ID != "b" || least == nil || least.Section.ID != "c" {
		t.Errorf("most %v, least %v; want b (a fall of 7, first of two sevens) and c", most, least)
	}
	if most, least := MostAndLeast(hs[2:3]); most != nil || least != nil {
		t.Error("with no change shown, a strand is named as changing most or least")
	}
}
