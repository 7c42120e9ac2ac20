// Package testenv gives tests the services they need. Only _test.go files
// import it, so that the MongoDB stand-in (FerretDB) it embeds is never
// linked into the service binary; linking_test.go checks that.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// standIn is the FerretDB instance shared by every test in one test binary:
// starting it takes a while, and each test gets its own database anyway.
var standIn struct {
	once   sync.Once
	uri    string
	dir    string
	err    error
	cancel context.CancelFunc
	done   chan struct{}
}

// MongoURI returns the URI of a MongoDB server for tests. It is MONGODB_URI
// when that is set (standIn false); otherwise it is FerretDB with the SQLite
// backend, started in this process the first time it is asked for (standIn
// true). FerretDB is slow with much data and loses concurrent updates to one
// document, so tests that need either check standIn.
func MongoURI(tb testing.TB) (uri string, standIn bool) {
	tb.Helper()
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		return uri, false
	}
	uri, err := startStandIn()
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return uri, true
}

func startStandIn() (string, error) {
	standIn.once.Do(func() {
		dir, err := os.MkdirTemp("", "iwtoolkit-ferretdb-")
		if err != nil {
			standIn.err = fmt.Errorf("start MongoDB stand-in: %w", err)
			return
		}
		f, err := ferretdb.New(&ferretdb.Config{
			Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
			Handler:   "sqlite",
			SQLiteURL: "file:" + dir + "/",
			// FerretDB logs every connection at INFO and, at WARN, each
			// command it lacks (endSessions on every disconnect). Errors
			// and panics still show.
			Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		})
		if err != nil {
			os.RemoveAll(dir)
			standIn.err = fmt.Errorf("start MongoDB stand-in: %w", err)
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			f.Run(ctx)
		}()
		standIn.uri = f.MongoDBURI() // New has already bound the port
		standIn.dir, standIn.cancel, standIn.done = dir, cancel, done
	})
	return standIn.uri, standIn.err
}

// Main runs a package's tests, then stops the MongoDB stand-in if they
// started it and removes its files. A package whose tests use MongoURI
// calls it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
//
// Without it the tests still pass, but the stand-in's temporary folder is
// left behind.
func Main(m *testing.M) int {
	code := m.Run()
	if standIn.cancel != nil {
		standIn.cancel()
		select {
		case <-standIn.done:
		case <-time.After(10 * time.Second):
		}
		os.RemoveAll(standIn.dir)
	}
	return code
}

// MongoDatabase returns a MongoDB server URI (see MongoURI) and the name of
// a database of its own for the test, which is dropped when the test ends.
func MongoDatabase(tb testing.TB) (uri, database string, standIn bool) {
	tb.Helper()
	uri, standIn = MongoURI(tb)
	database = databaseName(tb.Name())
	tb.Cleanup(func() {
		// The test's context is done by the time cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := dropDatabase(ctx, uri, database); err != nil {
			tb.Errorf("testenv: %v", err)
		}
	})
	return uri, database, standIn
}

// databaseName makes a database name from a test name: "t_", the test
// name in [a-z0-9_], and a random suffix so that reruns and parallel test
// binaries against one server never share a database; 63 bytes at most.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	const maxLen, prefix = 63, "t_"
	tail := "_" + hex.EncodeToString(suffix)
	name := b.String()
	if n := maxLen - len(prefix) - len(tail); len(name) > n {
		name = name[:n]
	}
	return prefix + name + tail
}

func dropDatabase(ctx context.Context, uri, database string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return fmt.Errorf("drop database %s: %w", database, err)
	}
	defer client.Disconnect(ctx)
	if err := client.Database(database).Drop(ctx); err != nil {
		return fmt.Errorf("drop database %s: %w", database, err)
	}
	return nil
}
