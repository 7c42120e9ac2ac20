package mongo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// A deletion cut short after the delete, before the rebuild of the round's
// tallies (a crash), is repaired by the next read: the round was marked
// dirty first.
func TestDirtyRoundRebuiltAfterCutShortDelete(t *testing.T) {
	uri, database, _ := testenv.MongoDatabase(t)
	ctx := context.Background()
	s, err := Open(ctx, uri, database)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	p := store.TallyPlan{SurveyID: "iw", Keys: []string{"caf-1"}}
	s.PlanTallies(p)
	for i := range 3 {
		r := survey.Response{
			Reference: fmt.Sprintf("DIRTY-%05d", i), SurveyID: "iw", Version: "v", Round: "baseline",
			Answers: map[string]string{"caf-1": "3"}, Submitted: time.Now(), SubmissionKey: fmt.Sprint("key-", i),
		}
		if _, err := s.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.markDirty(ctx, "iw", "baseline"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.responses.DeleteOne(ctx, bson.D{{Key: "reference", Value: "DIRTY-00000"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Tallies(ctx, p, []string{"baseline"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := got["baseline"]; c == nil || c.Responses != 2 || c.Answers["caf-1"]["3"] != 2 {
		t.Errorf("after a cut-short delete, tallies %+v, want 2 responses", c)
	}
	// The mark is cleared once the round is rebuilt.
	var plan struct{ Dirty []string }
	if err := s.responses.Database().Collection(tallyPlansCollection).FindOne(ctx, bson.D{{Key: "_id", Value: "iw"}}).Decode(&plan); err != nil || len(plan.Dirty) != 0 {
		t.Errorf("dirty rounds after the rebuild: %v, %v", plan.Dirty, err)
	}
}
