package mongo

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/storetest"
)

// A response's alert is moved into the queue once, even when a move was
// cut short after queueing it and before clearing it from the response
// (a crash, a lost connection): the next move finds it queued and only
// clears it. The look for mail to move, made at every claim, reads the
// sparse index of responses that carry some, not the responses.
func TestPendingMailMovedOnce(t *testing.T) {
	ctx := context.Background()
	s := instances(t, 1)[0]
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	r := storetest.Response(1, "iw", "baseline", t0)
	alert := store.MailMessage{ID: "alert/" + r.Reference, SurveyID: "iw", Round: "baseline", Kind: store.MailAlert, NextAttempt: t0, Created: t0}
	if _, err := s.Submit(ctx, r, alert); err != nil {
		t.Fatal(err)
	}
	carried := func() int64 {
		t.Helper()
		n, err := s.responses.CountDocuments(ctx, bson.D{hasPending})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := carried(); n != 1 {
		t.Fatalf("%d responses carry mail after Submit, want 1", n)
	}
	got, err := s.ClaimMail(ctx, "w", t0, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != alert.ID {
		t.Fatalf("ClaimMail = %+v, %v; want the alert", got, err)
	}
	got[0].State = store.MailSent
	if err := s.FinishMail(ctx, got[0], t0); err != nil {
		t.Fatal(err)
	}
	if n := carried(); n != 0 {
		t.Fatalf("%d responses carry mail once it is queued, want 0", n)
	}

	// The move cut short: queued (and sent), but still carried.
	if _, err := s.responses.UpdateOne(ctx, bson.D{{Key: "reference", Value: r.Reference}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "mail", Value: []mailDoc{toMailDoc(alert)}}}}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if got, err := s.ClaimMail(ctx, "w", t0.Add(time.Hour), time.Minute, 10); err != nil || len(got) != 0 {
			t.Errorf("ClaimMail after a move cut short = %+v, %v; want nothing", got, err)
		}
	}
	if n := carried(); n != 0 {
		t.Errorf("%d responses carry mail after the next move, want 0", n)
	}

	var plan bson.Raw
	explain := bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: s.responses.Name()}, {Key: "filter", Value: bson.D{hasPending}}}}, {Key: "verbosity", Value: "queryPlanner"}}
	if err := s.responses.Database().RunCommand(ctx, explain).Decode(&plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), pendingIndex) {
		t.Errorf("the look for mail to move does not use the index %s: %s", pendingIndex, plan)
	}
}
