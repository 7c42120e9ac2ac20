package board

import (
	"testing"

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
