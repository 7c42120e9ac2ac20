package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/store/storetest"
)

// TestRecountRepairs spoils a kept count behind the store's back and
// checks that Recount finds and repairs it.
func TestRecountRepairs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	p := store.TallyPlan{SurveyID: "iw", Breakdowns: [6]string{"sector"}, Keys: []string{"caf-1"}}
	s.PlanTallies(p)
	for i := range 10 {
		if _, err := s.Submit(ctx, storetest.Response(i, "iw", "baseline", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE tallies SET responses = responses + 3`); err != nil {
		t.Fatal(err)
	}
	for want := range []int{1, 0} {
		res, err := s.Recount(ctx, p, "baseline")
		if err != nil {
			t.Fatal(err)
		}
		if res.Responses != 10 || res.Differences != 1-want {
			t.Errorf("Recount = %+v, want 10 responses and %d differences", res, 1-want)
		}
	}
	got, err := s.Tallies(ctx, p, []string{"baseline"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := got["baseline"].Responses; n != 10 {
		t.Errorf("after repair %d responses counted, want 10", n)
	}
}
