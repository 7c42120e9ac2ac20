package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
)

// A target stored before targets could be on questions and indicators
// (migration 14's table, keyed by survey and strand) reads, after the
// migration, as a target on that strand.
func TestTargetsStoredBeforeQuestionsKeepWorking(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	// Put the database back as it was before migration 16, with one
	// strand target in the old table.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	by := time.Date(2028, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`DROP TABLE board_targets`,
		`CREATE TABLE board_targets (survey_id TEXT NOT NULL, strand TEXT NOT NULL, kind TEXT NOT NULL, value REAL NOT NULL,
			by_date INTEGER NOT NULL, round TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (survey_id, strand))`,
		`INSERT INTO board_targets VALUES ('iw', 'caf', 'mean', 3.5, ` + strconv.FormatInt(by.UnixMilli(), 10) + `, 'baseline', 0)`,
		`DELETE FROM schema_migrations WHERE version = 16`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	st := openIn(t, dir)
	got, err := st.Targets(ctx, "iw")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].On != store.OnStrand || got[0].Subject != "caf" || got[0].Kind != store.TargetMean || got[0].Value != 3.5 || !got[0].By.Equal(by) || got[0].Round != "baseline" {
		t.Errorf("the old target reads as %+v", got)
	}
}
