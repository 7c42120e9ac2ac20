package sqlite_test

import (
	"context"
	"testing"

	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/store/storetest"
)

func TestConcurrentTakeDraft(t *testing.T) {
	s, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	storetest.ConcurrentTakeDraft(t, s)
}
