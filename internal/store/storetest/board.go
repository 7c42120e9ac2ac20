package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
)

// boardTests are the contract behind the Board pack; Run runs them with
// the rest.
var boardTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"Commentary", testCommentary},
	{"Actions", testActions},
	{"Targets", testTargets},
}

// A strand, question or indicator has one target at a time: setting
// another replaces it. The key is what it is on and its id, so a question
// and an indicator may share an id with a strand. A survey's targets come
// strands first, then by what they are on and their id, with their value,
// answer counted, date and round as set.
func testTargets(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if none, err := s.Targets(ctx, "iw"); err != nil || len(none) != 0 {
		t.Fatalf("Targets before any: %v, %v", none, err)
	}
	by := time.Date(2028, 3, 31, 0, 0, 0, 0, time.UTC)
	tac := store.Target{SurveyID: "iw", Subject: "tac", Kind: store.TargetMean, Value: 3.25, By: by, Round: "baseline", Updated: t0}
	caf := store.Target{SurveyID: "iw", Subject: "caf", Kind: store.TargetShare, Value: 50, By: by, Round: "baseline", Updated: t0}
	q := store.Target{SurveyID: "iw", On: store.OnQuestion, Subject: "caf", Option: "yes", Kind: store.TargetShare, Value: 60, By: by, Round: "baseline", Updated: t0}
	ind := store.Target{SurveyID: "iw", On: store.OnIndicator, Subject: "safeguarding-at-level", Kind: store.TargetShare, Value: 75.5, By: by, Round: "baseline", Updated: t0}
	for _, x := range []store.Target{q, tac, ind, caf, {SurveyID: "other", Subject: "caf", Kind: store.TargetShare, Value: 10, By: by, Round: "baseline"},
		{SurveyID: "other", On: store.OnQuestion, Subject: "caf", Option: "no", Kind: store.TargetShare, Value: 10, By: by, Round: "baseline"}} {
		if err := s.SetTarget(ctx, x); err != nil {
			t.Fatalf("SetTarget: %v", err)
		}
	}
	caf.Value, caf.Round, caf.Updated = 55.5, "follow-up", t0.Add(time.Hour)
	q.Option, q.Value, q.Round = "no", 20, "follow-up"
	for _, x := range []store.Target{caf, q} {
		if err := s.SetTarget(ctx, x); err != nil {
			t.Fatalf("SetTarget again: %v", err)
		}
	}
	got, err := s.Targets(ctx, "iw")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.Target{caf, tac, ind, q}, got); diff != "" {
		t.Errorf("Targets (-want +got):\n%s", diff)
	}
}

func testCommentary(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.Commentary(ctx, "iw", "baseline", "caf"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Commentary before any: %v, want ErrNotFound", err)
	}
	caf := store.Commentary{SurveyID: "iw", Round: "baseline", Strand: "caf",
		Know: "Most staff <b>know</b> the CAF & \"use\" it — ünïcödé", How: "The survey, 212 replies.\n\nAnd audits.", Next: "Training for health visitors.", Updated: t0}
	tac := store.Commentary{SurveyID: "iw", Round: "baseline", Strand: "tac", Know: "Little.", Updated: t0}
	for _, c := range []store.Commentary{caf, tac,
		{SurveyID: "iw", Round: "follow-up", Strand: "caf", Know: "Another round"},
		{SurveyID: "other", Round: "baseline", Strand: "caf", Know: "Another survey"}} {
		if err := s.SetCommentary(ctx, c); err != nil {
			t.Fatalf("SetCommentary: %v", err)
		}
	}
	caf.Know, caf.Next, caf.Updated = "Replaced", "", t0.Add(time.Hour)
	if err := s.SetCommentary(ctx, caf); err != nil {
		t.Fatalf("SetCommentary again: %v", err)
	}
	got, err := s.Commentary(ctx, "iw", "baseline", "caf")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(caf, got); diff != "" {
		t.Errorf("Commentary (-want +got):\n%s", diff)
	}
	all, err := s.Commentaries(ctx, "iw", "baseline")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.Commentary{caf, tac}, all); diff != "" {
		t.Errorf("Commentaries (-want +got):\n%s", diff)
	}
	if none, err := s.Commentaries(ctx, "iw", "nothing"); err != nil || len(none) != 0 {
		t.Errorf("Commentaries of a round with none: %v, %v", none, err)
	}
}

func testActions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	due := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	a := store.Action{ID: "act-1", SurveyID: "iw", Strand: "caf", Text: "Train <all> health visitors in the CAF & TAC",
		Owner: "Head of Early Help", Due: due, Status: store.NotStarted, Round: "baseline", Created: t0, Updated: t0}
	b := store.Action{ID: "act-2", SurveyID: "iw", Strand: "tac", Text: "Review TAC meetings", Owner: "Jo",
		Status: store.InProgress, Round: "baseline", Created: t0.Add(time.Second), Updated: t0.Add(time.Second)}
	for _, x := range []store.Action{b, a, {ID: "act-3", SurveyID: "other", Strand: "caf", Text: "x", Owner: "y", Status: store.Done, Round: "r", Created: t0}} {
		if err := s.AddAction(ctx, x); err != nil {
			t.Fatalf("AddAction %s: %v", x.ID, err)
		}
	}
	if err := s.AddAction(ctx, a); !errors.Is(err, store.ErrConflict) {
		t.Errorf("AddAction of a stored id: %v, want ErrConflict", err)
	}
	a.History = []store.ActionChange{{At: t0, Round: "baseline", Status: store.NotStarted, Owner: a.Owner, Due: due}}
	b.History = []store.ActionChange{{At: b.Created, Round: "baseline", Status: store.InProgress, Owner: "Jo"}}
	got, err := s.Action(ctx, "act-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("Action (-want +got):\n%s", diff)
	}

	later := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	ch := store.ActionChange{At: t0.Add(24 * time.Hour), Round: "follow-up", Status: store.InProgress, Owner: "Deputy head of Early Help", Due: later, Note: "Half trained; the rest by June"}
	updated, err := s.UpdateAction(ctx, "act-1", ch)
	if err != nil {
		t.Fatalf("UpdateAction: %v", err)
	}
	a.Status, a.Owner, a.Due, a.Updated = ch.Status, ch.Owner, later, ch.At
	a.History = append(a.History, ch)
	if diff := cmp.Diff(a, updated); diff != "" {
		t.Errorf("UpdateAction returned (-want +got):\n%s", diff)
	}
	// A change may take the due date away.
	ch2 := store.ActionChange{At: t0.Add(48 * time.Hour), Round: "follow-up", Status: store.Done, Owner: a.Owner}
	if _, err := s.UpdateAction(ctx, "act-1", ch2); err != nil {
		t.Fatal(err)
	}
	a.Status, a.Due, a.Updated = store.Done, time.Time{}, ch2.At
	a.History = append(a.History, ch2)
	if _, err := s.UpdateAction(ctx, "nothing", ch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateAction of no action: %v, want ErrNotFound", err)
	}
	if _, err := s.Action(ctx, "nothing"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Action of no action: %v, want ErrNotFound", err)
	}

	all, err := s.Actions(ctx, "iw")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.Action{a, b}, all); diff != "" {
		t.Errorf("Actions (-want +got):\n%s", diff)
	}
	if none, err := s.Actions(ctx, "nothing"); err != nil || len(none) != 0 {
		t.Errorf("Actions of a survey with none: %v, %v", none, err)
	}
}
