package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/testenv"
)

// TestContract runs the storage contract, its concurrent parts included,
// against MONGODB_URI (the stand-in in CI); without it, it skips.
func TestContract(t *testing.T) {
	t.Parallel()     // beside TestTTLExpiry's wait
	testenv.Mongo(t) // skips here, once, without MONGODB_URI
	storetest.Run(t, func(t *testing.T) func(t *testing.T) store.Store {
		srv, database := testenv.MongoDatabase(t)
		return func(t *testing.T) store.Store {
			t.Helper()
			return mustOpen(t, srv.URI, database)
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
	// A bound, not a speed: Open must give up with its 1 s context rather
	// than wait for a server that never answers; a busy machine may be late.
	if took := time.Since(start); took > 30*time.Second {
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
