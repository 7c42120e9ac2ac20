package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// adminTests are the contract behind the administrators' pages; Run runs
// them with the rest.
var adminTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"RoundStates", testRoundStates},
	{"DeleteResponses", testDeleteResponses},
	{"ExportStreams", testExportStreams},
	{"AccountChanges", testAccountChanges},
}

func testRoundStates(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	baseline := store.RoundState{SurveyID: "iw", Round: "baseline", Open: true, Created: t0, Updated: t0}
	if err := s.SetRoundState(ctx, baseline); err != nil {
		t.Fatalf("SetRoundState: %v", err)
	}
	baseline.Open, baseline.Practice = true, true
	baseline.OpensAt, baseline.ClosesAt = t0.Add(time.Hour), t0.Add(48*time.Hour)
	baseline.Reminders = store.Reminders{Set: true, Days: []int{7, 14}, Most: 3}
	baseline.Updated = t0.Add(time.Minute)
	if err := s.SetRoundState(ctx, baseline); err != nil {
		t.Fatalf("SetRoundState again: %v", err)
	}
	added := store.RoundState{SurveyID: "iw", Round: "spring", Label: "Spring <2027> & \"more\"", Added: true, Created: t0.Add(time.Second), Updated: t0.Add(time.Second)}
	if err := s.AddRound(ctx, added); err != nil {
		t.Fatalf("AddRound: %v", err)
	}
	if err := s.AddRound(ctx, added); !errors.Is(err, store.ErrConflict) {
		t.Errorf("AddRound of a stored round: %v, want ErrConflict", err)
	}
	// A schedule set to nothing (reminders on demand only, or none) is
	// still set: it is not the survey file's.
	if err := s.AddRound(ctx, store.RoundState{SurveyID: "other", Round: "baseline", Reminders: store.Reminders{Set: true, Days: []int{}}, Created: t0.Add(2 * time.Second)}); err != nil {
		t.Errorf("AddRound of the same round id in another survey: %v", err)
	}
	got, err := s.RoundStates(ctx, "iw")
	if err != nil {
		t.Fatalf("RoundStates: %v", err)
	}
	if diff := cmp.Diff([]store.RoundState{baseline, added}, got); diff != "" {
		t.Errorf("RoundStates (-want +got):\n%s", diff)
	}
	all, err := s.RoundStates(ctx, "")
	if err != nil || len(all) != 3 {
		t.Errorf("RoundStates of every survey: %d, %v; want 3", len(all), err)
	}
	if other, err := s.RoundStates(ctx, "other"); err != nil || len(other) != 1 || !other[0].Reminders.Set || len(other[0].Reminders.Days) != 0 || other[0].Reminders.Most != 0 {
		t.Errorf("RoundStates of a round whose schedule is set to none: %+v, %v", other, err)
	}
	if none, err := s.RoundStates(ctx, "nothing"); err != nil || len(none) != 0 {
		t.Errorf("RoundStates of a survey with none: %v, %v", none, err)
	}

	for _, tc := range []struct {
		at   time.Time
		open bool
	}{{t0, false}, {t0.Add(time.Hour), true}, {t0.Add(47 * time.Hour), true}, {t0.Add(48 * time.Hour), false}} {
		if got := baseline.OpenAt(tc.at); got != tc.open {
			t.Errorf("OpenAt(%v) = %v, want %v", tc.at, got, tc.open)
		}
	}
	if (store.RoundState{Open: false}).OpenAt(t0) || !(store.RoundState{Open: true}).OpenAt(t0) {
		t.Error("OpenAt without a schedule does not follow Open")
	}
}

func testDeleteResponses(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	for i, round := range []string{"baseline", "baseline", "baseline", "follow-up"} {
		if _, err := s.Submit(ctx, Response(i, "iw", round, t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Submit(ctx, Response(9, "other", "baseline", t0)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountResponses(ctx, "iw", "baseline"); err != nil || n != 3 {
		t.Errorf("CountResponses = %d, %v; want 3", n, err)
	}
	gone := Response(1, "iw", "baseline", t0).Reference
	if err := s.DeleteResponse(ctx, gone); err != nil {
		t.Fatalf("DeleteResponse: %v", err)
	}
	if _, err := s.Response(ctx, gone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Response after DeleteResponse: %v, want ErrNotFound", err)
	}
	if err := s.DeleteResponse(ctx, gone); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteResponse twice: %v, want ErrNotFound", err)
	}
	n, err := s.DeleteResponses(ctx, "iw", "baseline")
	if err != nil || n != 2 {
		t.Errorf("DeleteResponses = %d, %v; want 2", n, err)
	}
	if n := count(t, s, "iw", nil); n != 1 {
		t.Errorf("%d responses to iw left, want the follow-up one", n)
	}
	if n := count(t, s, "other", nil); n != 1 {
		t.Errorf("%d responses to another survey left, want 1", n)
	}
}

func testExportStreams(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	for i, id := range []string{"b", "a", "b"} {
		if _, err := s.Submit(ctx, Response(i, id, "baseline", t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	var refs []string
	if err := s.AllResponses(ctx, func(r survey.Response) error { refs = append(refs, r.SurveyID+":"+r.Reference); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{"b:" + Response(0, "", "", t0).Reference, "a:" + Response(1, "", "", t0).Reference, "b:" + Response(2, "", "", t0).Reference}
	if diff := cmp.Diff(want, refs); diff != "" {
		t.Errorf("AllResponses (-want +got):\n%s", diff)
	}
	stop := errors.New("stop")
	if err := s.AllResponses(ctx, func(survey.Response) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("AllResponses did not return fn's error: %v", err)
	}

	invs := []survey.Invitation{
		{Key: "inv-1", SurveyID: "iw", Round: "baseline", Organisation: "school", RespondentKey: "p1", Created: t0},
		{Key: "inv-2", SurveyID: "iw", Round: "baseline", Organisation: "police", RespondentKey: "p2", Created: t0.Add(time.Second)},
	}
	if err := s.CreateInvitations(ctx, invs); err != nil {
		t.Fatal(err)
	}
	r := Response(7, "iw", "baseline", t0)
	r.Invitation = "inv-2"
	if _, err := s.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	var gotInvs []survey.Invitation
	var used []bool
	if err := s.AllInvitations(ctx, func(inv survey.Invitation, u bool) error {
		gotInvs, used = append(gotInvs, inv), append(used, u)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(invs, gotInvs); diff != "" {
		t.Errorf("AllInvitations (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{false, true}, used); diff != "" {
		t.Errorf("AllInvitations used (-want +got):\n%s", diff)
	}

	entries := []store.AuditEntry{{At: t0, Actor: "a@example.org", Action: "one", Target: "x"}, {At: t0.Add(time.Second), Action: "two"}}
	for _, e := range entries {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var gotAudit []store.AuditEntry
	if err := s.AllAudit(ctx, func(e store.AuditEntry) error { gotAudit = append(gotAudit, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(entries, gotAudit); diff != "" {
		t.Errorf("AllAudit (-want +got):\n%s", diff)
	}
}

func testAccountChanges(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	a := Account(1, "analyst", "")
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAccountDisabled(ctx, a.ID, true); err != nil {
		t.Fatalf("SetAccountDisabled: %v", err)
	}
	if err := s.SetPasswordHash(ctx, a.ID, "$argon2id$new"); err != nil {
		t.Fatalf("SetPasswordHash: %v", err)
	}
	got, err := s.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	a.Disabled, a.PasswordHash = true, "$argon2id$new"
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("account after changes (-want +got):\n%s", diff)
	}
	if err := s.SetAccountDisabled(ctx, a.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Account(ctx, a.ID); got.Disabled {
		t.Error("account still disabled after enabling")
	}
	if err := s.SetAccountDisabled(ctx, "nobody", true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetAccountDisabled(nobody): %v, want ErrNotFound", err)
	}
	if err := s.SetPasswordHash(ctx, "nobody", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetPasswordHash(nobody): %v, want ErrNotFound", err)
	}
}
