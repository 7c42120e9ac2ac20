package board

import (
	"testing"
	"time"

	"iwtoolkit/internal/store"
)

// An action shows in the pack of the round it was created in, and is
// carried into later rounds' packs while it was open at the end of the
// rounds before.
func TestInPack(t *testing.T) {
	order := map[string]int{"baseline": 0, "follow-up": 1, "second": 2}
	action := func(round string, history ...store.ActionChange) store.Action {
		a := store.Action{Round: round, Status: store.NotStarted, History: []store.ActionChange{{Round: round, Status: store.NotStarted}}}
		a.History = append(a.History, history...)
		if len(history) > 0 {
			a.Status = history[len(history)-1].Status
		}
		return a
	}
	for _, tc := range []struct {
		name          string
		a             store.Action
		round         string
		show, carried bool
	}{
		{"its own round", action("follow-up"), "follow-up", true, false},
		{"not in an earlier round", action("follow-up"), "baseline", false, false},
		{"open: carried", action("baseline"), "follow-up", true, true},
		{"open: carried twice", action("baseline", store.ActionChange{Round: "follow-up", Status: store.InProgress}), "second", true, true},
		{"done in its own round: not carried", action("baseline", store.ActionChange{Round: "baseline", Status: store.Done}), "follow-up", false, false},
		{"done in this round: shown, as done", action("baseline", store.ActionChange{Round: "follow-up", Status: store.Done}), "follow-up", true, true},
		{"dropped in the round before: gone", action("baseline", store.ActionChange{Round: "follow-up", Status: store.Dropped}), "second", false, false},
		{"reopened later: carried", action("baseline", store.ActionChange{Round: "baseline", Status: store.Done}, store.ActionChange{Round: "follow-up", Status: store.InProgress}), "second", true, true},
		{"a round no longer offered", action("practice"), "follow-up", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			show, carried := inPack(tc.a, order, order[tc.round])
			if show != tc.show || (show && carried != tc.carried) {
				t.Errorf("inPack = %v, %v; want %v, %v", show, carried, tc.show, tc.carried)
			}
		})
	}
}

// A target is judged on the figures as shown: met at or above it; past
// its date and not met, off track; before it, on track only if the figure
// has risen since the first round compared; in the round it was set in,
// not judged yet.
func TestJudgeTarget(t *testing.T) {
	by := time.Date(2028, 3, 31, 0, 0, 0, 0, time.UTC)
	target := store.Target{Kind: store.TargetShare, Value: 50, By: by}
	before, onTheDay, after := by.AddDate(0, -1, 0), by.Add(20*time.Hour), by.AddDate(0, 0, 1)
	for _, c := range []struct {
		name          string
		first, latest float64
		firstShown    bool
		setHere       bool
		today         time.Time
		want          TargetStatus
	}{
		{"set in this round", 40, 60, true, true, before, TargetSet},
		{"reached", 40, 50, true, false, before, TargetMet},
		{"reached after the date", 40, 51, true, false, after, TargetMet},
		{"rising, before the date", 40, 44, true, false, before, TargetOnTrack},
		{"rising, on the day", 40, 44, true, false, onTheDay, TargetOnTrack},
		{"rising, date passed", 40, 44, true, false, after, TargetOffTrack},
		{"falling", 44, 40, true, false, before, TargetOffTrack},
		{"level", 44, 44, true, false, before, TargetOffTrack},
		{"no first round to compare", 0, 44, false, false, before, TargetOffTrack},
	} {
		if got, why := judge(target, c.first, c.latest, c.firstShown, c.setHere, c.today); got != c.want || why == "" {
			t.Errorf("%s: %s (%q), want %s", c.name, got, why, c.want)
		}
	}
}
