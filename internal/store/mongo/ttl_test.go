package mongo

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// ttlWait bounds the wait for the server to delete expired documents by
// itself. MongoDB's TTL monitor runs every 60 s (the stand-in's, pg_cron,
// about as often, measured 44 s); on a busy machine a pass can come late.
// It bounds a step of the test, not a speed: the test passes as soon as
// the documents are gone.
const ttlWait = 5 * time.Minute

// TestTTLExpiry stores an expired draft, session and rate-limit counter
// and waits for the server's TTL monitor to delete them, with nobody
// calling DeleteExpiredDrafts: the TTL indexes work, not only exist. A
// document that has not expired stays.
func TestTTLExpiry(t *testing.T) {
	t.Parallel() // mostly waiting
	s := instances(t, 1)[0]
	ctx := context.Background()
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	for _, d := range []survey.Draft{
		{Key: "expired", SurveyID: "iw", Round: "baseline", Updated: past.Add(-time.Hour), Expires: past},
		{Key: "live", SurveyID: "iw", Round: "baseline", Updated: past, Expires: future},
	} {
		if err := s.SaveDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, store.Session{TokenHash: "expired", AccountID: "a", Created: past.Add(-time.Hour), Expires: past}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Increment(ctx, "expired", past.Add(-time.Minute), past); err != nil {
		t.Fatal(err)
	}
	expired := []*mongo.Collection{s.drafts, s.sessions(), s.counters()}
	for _, c := range expired {
		specs, err := c.Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ttl := false
		for _, spec := range specs {
			ttl = ttl || spec.Name == "expires_ttl" && spec.ExpireAfterSeconds != nil && *spec.ExpireAfterSeconds == 0
		}
		if !ttl {
			t.Errorf("%s has no TTL index expires_ttl: %v", c.Name(), specs)
		}
	}
	began := time.Now()
	for {
		left := 0
		for _, c := range expired {
			n, err := c.CountDocuments(ctx, bson.D{{Key: "_id", Value: "expired"}})
			if err != nil {
				t.Fatal(err)
			}
			left += int(n)
		}
		if left == 0 {
			break
		}
		if time.Since(began) > ttlWait {
			t.Fatalf("%d of 3 expired documents still there after %v", left, ttlWait)
		}
		time.Sleep(time.Second)
	}
	t.Logf("the server deleted the expired draft, session and counter %v after they were stored", time.Since(began).Round(time.Second))
	if _, err := s.Draft(ctx, "live"); err != nil {
		t.Errorf("the draft that has not expired: %v", err)
	}
}
