package mongo_test

import (
	"testing"

	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/testenv"
)

// TestConcurrentIncrements runs on a real MongoDB only: the stand-in loses
// concurrent updates to one document (docs/architecture.md).
func TestConcurrentIncrements(t *testing.T) {
	uri, database, standIn := testenv.MongoDatabase(t)
	if standIn {
		t.Skip("the MongoDB stand-in loses concurrent updates to one document; set MONGODB_URI to run this")
	}
	storetest.ConcurrentIncrements(t, mustOpen(t, uri, database))
}
