package mongo_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// TestSummariesBackfilled: responses stored before the summaries were
// kept (their fields and the layouts removed here) get theirs when the
// store opens (in the background), two instances at once, and EachAnswers then agrees with
// EachResponse, also after an erasure.
func TestSummariesBackfilled(t *testing.T) {
	ctx := context.Background()
	srv, database := testenv.MongoDatabase(t)
	s := mustOpen(t, srv.URI, database)
	rng := rand.New(rand.NewPCG(17, 28))
	var rs []survey.Response
	for n := range 24 {
		rs = append(rs, storetest.SummaryResponse(rng, n, []string{"baseline", "follow-up"}[n%2], time.Now().Add(time.Duration(n%3)*time.Second)))
	}
	if _, err := s.SubmitMany(ctx, rs); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	client, err := driver.Connect(options.Client().ApplyURI(srv.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database(database)
	unset := bson.D{{Key: "$unset", Value: bson.D{{Key: "layout", Value: ""}, {Key: "closed", Value: ""}}}}
	if _, err := db.Collection("responses").UpdateMany(ctx, bson.D{}, unset); err != nil {
		t.Fatal(err)
	}
	if err := db.Collection("answer_layouts").Drop(ctx); err != nil {
		t.Fatal(err)
	}
	// Without summaries, every response is read whole.
	s = mustOpenNoBackfill(t, srv.URI, database, db)
	storetest.CheckAnswers(t, s, "iw", nil)
	s.Close(ctx)
	if _, err := db.Collection("responses").UpdateMany(ctx, bson.D{}, unset); err != nil {
		t.Fatal(err)
	}
	if err := db.Collection("answer_layouts").Drop(ctx); err != nil {
		t.Fatal(err)
	}

	// Two instances start at once.
	stores := make([]*mongo.Store, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i] = mustOpen(t, srv.URI, database) })
	}
	wg.Wait()
	for _, st := range stores {
		if err := st.WaitSummaries(ctx); err != nil {
			t.Fatalf("backfill: %v", err)
		}
	}
	s = stores[0]
	missing, err := db.Collection("responses").CountDocuments(ctx, bson.D{{Key: "layout", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil || missing != 0 {
		t.Errorf("after the backfill: %d responses without a summary, %v; want none", missing, err)
	}
	storetest.CheckAnswers(t, s, "iw", nil)
	storetest.CheckAnswers(t, stores[1], "iw", []string{"follow-up"})
	if err := s.DeleteResponse(ctx, rs[1].Reference); err != nil {
		t.Fatal(err)
	}
	storetest.CheckAnswers(t, s, "iw", nil)
	left, err := db.Collection("responses").CountDocuments(ctx, bson.D{{Key: "reference", Value: rs[1].Reference}})
	if err != nil || left != 0 {
		t.Errorf("an erased response: %d documents, %v; want none", left, err)
	}
}

// mustOpenNoBackfill opens a store whose backfill is marked done, so
// that the responses keep no summary.
func mustOpenNoBackfill(t *testing.T, uri, database string, db *driver.Database) *mongo.Store {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Collection("answer_layouts").InsertOne(ctx, bson.D{{Key: "_id", Value: int64(0)}}); err != nil {
		t.Fatal(err)
	}
	return mustOpen(t, uri, database)
}
