package mongo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// These tests play two instances on one database as two stores, and
// interleave their steps by hand: the interleavings that matter are too
// rare to hit by racing goroutines.

var rebuildPlan = store.TallyPlan{SurveyID: "iw", Keys: []string{"caf-1"}}

// instances opens n stores on one fresh database.
func instances(t *testing.T, n int) []*Store {
	t.Helper()
	srv, database := testenv.MongoDatabase(t)
	var out []*Store
	for range n {
		s, err := Open(context.Background(), srv.URI, database)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close(context.Background()) })
		out = append(out, s)
	}
	return out
}

// twoWithPlan opens two instances with the tallies' plan, and one without,
// on one database holding 3 counted responses.
func twoWithPlan(t *testing.T) (a, b, planless *Store) {
	t.Helper()
	st := instances(t, 3)
	a, b, planless = st[0], st[1], st[2]
	a.PlanTallies(rebuildPlan)
	b.PlanTallies(rebuildPlan)
	submit(t, a, 0, 3)
	return a, b, planless
}

// submit stores n responses to the baseline, each rating caf-1 3.
func submit(t *testing.T, s *Store, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		r := survey.Response{
			Reference: fmt.Sprintf("REBUILD-%05d", i), SurveyID: "iw", Version: "v", Round: "baseline",
			Answers: map[string]string{"caf-1": "3"}, Submitted: time.Now(), SubmissionKey: fmt.Sprint("key-", i),
		}
		if _, err := s.Submit(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// wantBaseline reads the baseline's tallies through s and wants n responses.
func wantBaseline(t *testing.T, s *Store, n int, why string) {
	t.Helper()
	got, err := s.Tallies(context.Background(), rebuildPlan, []string{"baseline"}, nil)
	if err != nil {
		t.Fatalf("%s: %v", why, err)
	}
	if c := got["baseline"]; c.Responses != n || c.Answers["caf-1"]["3"] != n {
		t.Errorf("%s: %d responses, %d rated 3; want %d", why, c.Responses, c.Answers["caf-1"]["3"], n)
	}
}

func stored(t *testing.T, s *Store, reference string) storedResponse {
	t.Helper()
	var d storedResponse
	if err := s.responses.FindOne(context.Background(), bson.D{{Key: "reference", Value: reference}}).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// The audit's race: instance A counts a response (step 2), instance B
// rebuilds the round, deleting that count, then A marks the response
// counted (step 3). The mark must not stick, or the count is lost.
func TestRebuildBetweenCountAndMark(t *testing.T) {
	ctx := context.Background()
	a, b, planless := twoWithPlan(t)
	wantBaseline(t, b, 3, "before")
	// An instance with no plan stores a response pending; A's catch-up
	// counts it, with B's rebuild between its two steps.
	submit(t, planless, 3, 1)
	d := stored(t, a, "REBUILD-00003")
	if err := a.count(ctx, rebuildPlan, d); err != nil {
		t.Fatal(err)
	}
	if err := b.rebuild(ctx, "iw", "baseline"); err != nil {
		t.Fatal(err)
	}
	if marked, err := a.markCounted(ctx, rebuildPlan, d); err != nil || marked {
		t.Fatalf("marked %v (%v), want false: a rebuild came between count and mark", marked, err)
	}
	wantBaseline(t, a, 4, "after a rebuild between count and mark")
	wantBaseline(t, b, 4, "read again on the other instance")
}

// A reader that read a pending response before it was deleted, and counts
// it only after the deletion's rebuild, must not leave it counted: its
// count goes into a document the rebuild has already cleared, so apply,
// finding the response gone, rebuilds the round again.
func TestCountAfterDeletionsRebuild(t *testing.T) {
	ctx := context.Background()
	a, b, planless := twoWithPlan(t)
	submit(t, planless, 3, 1) // pending
	d := stored(t, a, "REBUILD-00003")
	if err := b.DeleteResponse(ctx, "REBUILD-00003"); err != nil {
		t.Fatal(err)
	}
	wantBaseline(t, b, 3, "after the deletion")
	if err := a.apply(ctx, rebuildPlan, d); err != nil {
		t.Fatal(err)
	}
	wantBaseline(t, a, 3, "after a late count of the deleted response")
	wantBaseline(t, b, 3, "read again on the other instance")
}

// A deletion cut short after the delete (a crash) is repaired once its
// rebuild record has expired, by a read on any instance; so is a rebuild
// cut short between deleting the counts and making the responses pending.
func TestAbandonedRebuildRedone(t *testing.T) {
	ctx := context.Background()
	st := instances(t, 2)
	a, b := st[0], st[1]
	a.PlanTallies(rebuildPlan)
	submit(t, a, 0, 3)
	if _, err := a.beginRebuild(ctx, "iw", "baseline"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.responses.DeleteOne(ctx, bson.D{{Key: "reference", Value: "REBUILD-00000"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.tallies().DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	// a dies here. While its record is live, b leaves the round to it.
	b.now = func() time.Time { return time.Now().Add(rebuildLease + time.Minute) }
	wantBaseline(t, b, 2, "after a deletion cut short")
	if n, err := b.rebuilds().CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Errorf("rebuild records left: %d, %v", n, err)
	}
}

// Two instances with different survey files do not take turns to recount:
// the one that claimed the survey last keeps it, the other's reads fail
// with an error that says why, and change nothing.
func TestPlanConflict(t *testing.T) {
	ctx := context.Background()
	st := instances(t, 3)
	a, b := st[0], st[1]
	other := rebuildPlan
	other.Keys = []string{"caf-1", "caf-2"}
	a.PlanTallies(rebuildPlan)
	b.PlanTallies(other)
	submit(t, a, 0, 2)
	wantBaseline(t, a, 2, "a's first read")
	if _, err := b.Tallies(ctx, other, nil, nil); err != nil {
		t.Fatalf("b's first read: %v", err)
	}
	_, err := a.Tallies(ctx, rebuildPlan, nil, nil)
	if !errors.Is(err, errPlanConflict) {
		t.Fatalf("a's read after b claimed the survey: error %v, want errPlanConflict", err)
	}
	t.Logf("a: %v", err)
	var kept struct{ Fingerprint string }
	if err := a.responses.Database().Collection(tallyPlansCollection).FindOne(ctx, bson.D{{Key: "_id", Value: "iw"}}).Decode(&kept); err != nil || kept.Fingerprint != other.Fingerprint() {
		t.Errorf("recorded plan %q, %v; want b's", kept.Fingerprint, err)
	}
	if n, err := a.responses.CountDocuments(ctx, bson.D{{Key: "tallied", Value: other.Fingerprint()}}); err != nil || n != 2 {
		t.Errorf("%d responses counted under b's plan after a's read, %v; want 2", n, err)
	}
	// A restarted instance with a's files claims the survey back.
	c := st[2]
	c.PlanTallies(rebuildPlan)
	submit(t, b, 2, 1)
	wantBaseline(t, c, 3, "a restarted instance's read")
	if _, err := b.Tallies(ctx, other, nil, nil); !errors.Is(err, errPlanConflict) {
		t.Errorf("b's read after the restart: error %v, want errPlanConflict", err)
	}
}

// A response stored before tallies existed has no tallied field; it is
// counted, and marked, like one stored pending.
func TestResponseWithoutTalliedField(t *testing.T) {
	ctx := context.Background()
	s := instances(t, 1)[0]
	s.PlanTallies(rebuildPlan)
	_, err := s.responses.InsertOne(ctx, bson.D{{Key: "reference", Value: "OLD"}, {Key: "submission_key", Value: "old"}, {Key: "survey_id", Value: "iw"},
		{Key: "round", Value: "baseline"}, {Key: "answers", Value: bson.D{{Key: "caf-1", Value: "3"}}}, {Key: "submitted", Value: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	wantBaseline(t, s, 1, "a response with no tallied field")
	if d := stored(t, s, "OLD"); d.Tallied != rebuildPlan.Fingerprint() {
		t.Errorf("tallied = %q, want the plan's fingerprint", d.Tallied)
	}
}

// Recount finds a count spoilt behind the store's back and repairs it.
func TestRecountRepairs(t *testing.T) {
	ctx := context.Background()
	s := instances(t, 1)[0]
	s.PlanTallies(rebuildPlan)
	submit(t, s, 0, 3)
	if _, err := s.tallies().UpdateMany(ctx, bson.D{}, bson.D{{Key: "$inc", Value: bson.D{{Key: "responses", Value: 5}}}}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Recount(ctx, rebuildPlan, "baseline")
	if err != nil || res.Responses != 3 || res.Differences == 0 {
		t.Errorf("Recount = %+v, %v; want 3 responses and differences", res, err)
	}
	wantBaseline(t, s, 3, "after the repair")
}
