// Package testenv gives tests the services they need. Only _test.go files
// import it, so it is never linked into the service binary;
// linking_test.go checks that.
//
// The MongoDB tests run against the server at MONGODB_URI. .ci/run starts
// the stand-in in ../shared/mongo-standin (FerretDB v2 on PostgreSQL with
// DocumentDB) and sets it; without MONGODB_URI the MongoDB tests skip,
// saying how to run them, unless IWT_MONGODB_TESTS=required, when they
// fail.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// NoMongoDB is what a MongoDB test says when it skips for want of a server.
const NoMongoDB = "MONGODB_URI not set, so the MongoDB tests skip: run them with MONGODB_URI=mongodb://… go test ./... " +
	"(a stand-in: bash ../shared/mongo-standin/setup.sh start --port 27117 --data /tmp/mdb, as .ci/run does)"

// Server is the MongoDB server the tests use.
type Server struct {
	URI string
	// StandIn is true when the server is FerretDB (its buildInfo has a
	// ferretdb document): the stand-in, which is correct but slow under
	// concurrent load, so load tests size themselves for it and say so.
	StandIn bool
	// Version is what buildInfo reports (the stand-in reports a MongoDB
	// version too), with FerretDB's own after it when StandIn.
	Version string
}

// server is the answer for MONGODB_URI, found once per test binary.
var server struct {
	once sync.Once
	s    Server
	err  error
}

// Mongo returns the MongoDB server for tests at MONGODB_URI. Without it the
// test skips with NoMongoDB (fails when IWT_MONGODB_TESTS=required); a
// server that does not answer fails the test.
func Mongo(tb testing.TB) Server {
	tb.Helper()
	uri := os.Getenv("MONGODB_URI")
	if uri == "" {
		if os.Getenv("IWT_MONGODB_TESTS") == "required" {
			tb.Fatal("IWT_MONGODB_TESTS=required but " + NoMongoDB)
		}
		tb.Skip(NoMongoDB)
	}
	server.once.Do(func() { server.s, server.err = identify(uri) })
	if server.err != nil {
		tb.Fatalf("testenv: %v", server.err)
	}
	return server.s
}

// identify asks the server at uri what it is.
func identify(uri string) (Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return Server{}, fmt.Errorf("MONGODB_URI: %w", err)
	}
	defer client.Disconnect(ctx)
	var info struct {
		Version  string `bson:"version"`
		FerretDB *struct {
			Version string `bson:"version"`
		} `bson:"ferretdb"`
	}
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return Server{}, fmt.Errorf("MONGODB_URI: buildInfo: %w (is the server running?)", err)
	}
	s := Server{URI: uri, Version: info.Version}
	if info.FerretDB != nil {
		s.StandIn = true
		s.Version += ", FerretDB " + info.FerretDB.Version
	}
	return s, nil
}

// SizeFor returns onMongo, or onStandIn on the stand-in, saying so in the
// test's log: what the stand-in is too slow for is a matter of load, not of
// correctness, and a run on a real MongoDB takes the full size.
func (s Server) SizeFor(tb testing.TB, what string, onMongo, onStandIn int) int {
	tb.Helper()
	if !s.StandIn {
		return onMongo
	}
	tb.Logf("on the MongoDB stand-in (%s): %d %s, not the %d of a real MongoDB, for its speed", s.Version, onStandIn, what, onMongo)
	return onStandIn
}

// MongoDatabase returns the test's MongoDB server (see Mongo) and the name
// of a database of its own, which is dropped when the test ends.
func MongoDatabase(tb testing.TB) (s Server, database string) {
	tb.Helper()
	s = Mongo(tb)
	database = databaseName(tb.Name())
	tb.Cleanup(func() {
		// The test's context is done by the time cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := dropDatabase(ctx, s.URI, database); err != nil {
			tb.Errorf("testenv: %v", err)
		}
	})
	return s, database
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
