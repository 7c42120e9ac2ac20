package versions

import (
	"os"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
)

// A draft that drops an indicator, changes another and counts a number in
// other bands says so in plain words, each once, indicators first: nothing
// a report shows vanishes unannounced. The live version against itself says nothing.
func TestFiguresAnnounced(t *testing.T) {
	data, err := os.ReadFile("../../surveys/training-needs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	live, ps := survey.Parse("training-needs.yaml", data)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if notes := Figures(live, live, data); len(notes) > 0 {
		t.Errorf("the live version against itself: %v", notes)
	}
	text := string(data)
	for _, r := range [][2]string{
		{"  - id: cpd-demand\n    type: demand\n    title: \"CPD planning: training wanted, ways of learning and barriers\"\n    questions: [integrated-working-topics, ways-to-learn, training-barriers]\n    by: [sector]\n", ""},
		{"    apart: [not-sure]\n    by: [sector, audience]\n", "    apart: [not-sure]\n    by: [sector]\n"},
		{"        min: 0\n        max: 60\n        optional: true\n", "        min: 0\n        max: 60\n        bands: [0, 1, 5]\n        optional: true\n"},
	} {
		if !strings.Contains(text, r[0]) {
			t.Fatalf("training-needs.yaml has no %q", r[0])
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	draft, ps := survey.Parse("training-needs.yaml", []byte(text))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	notes := Figures(live, draft, []byte(text))
	var all []string
	for _, n := range notes {
		if n.Level != "info" {
			t.Errorf("%s: a change to a figure is information, not a warning that comparison breaks", n)
		}
		all = append(all, n.Text)
	}
	want := []string{
		`indicator "safeguarding-at-level" (Safeguarding training completed at the level the role needs) changes: the breakdowns it is shown by were sector, audience, now sector; reports of every round will show it as it is now`,
		`indicator "cpd-demand" (CPD planning: training wanted, ways of learning and barriers) is taken out: reports will no longer show it, for earlier rounds either`,
		`the answers to "training-days" are counted in other bands: 0, 1-2, 3-5, 6-10, 11-20, 21+, now 0, 1-4, 5+; reports of every round will count them in the new bands`,
	}
	if strings.Join(all, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(all, "\n"), strings.Join(want, "\n"))
	}
	if notes[0].Line == 0 || notes[2].Line == 0 {
		t.Errorf("notes without the line of their id: %v", notes)
	}
	// And the other way: the indicator put back is new.
	back := Figures(draft, live, data)
	if len(back) != 3 || back[1].Text != `indicator "cpd-demand" (CPD planning: training wanted, ways of learning and barriers) is new: reports of every round will show it` {
		t.Errorf("putting it back: %v", back)
	}
}
