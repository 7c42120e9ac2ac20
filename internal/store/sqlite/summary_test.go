package sqlite_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/survey"
)

// TestSummariesBackfilled: responses stored before the summaries were
// kept (the schema before migration 17, made here by undoing it) get
// theirs when the store opens, and EachAnswers then reads them from the
// index alone and agrees with EachResponse; an erased response leaves no
// summary.
func TestSummariesBackfilled(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(17, 28))
	var rs []survey.Response
	for n := range 24 {
		rs = append(rs, storetest.SummaryResponse(rng, n, []string{"baseline", "follow-up"}[n%2], time.Now().Add(time.Duration(n%3)*time.Second)))
	}
	if _, err := s.SubmitMany(ctx, rs); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)

	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DROP INDEX responses_closed`,
		`ALTER TABLE responses DROP COLUMN layout`,
		`ALTER TABLE responses DROP COLUMN closed`,
		`DROP TABLE answer_layouts`,
		`DELETE FROM schema_migrations WHERE version IN (17, 18)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s = openIn(t, dir)
	storetest.CheckAnswers(t, s, "iw", nil)
	storetest.CheckAnswers(t, s, "iw", []string{"follow-up"})
	if err := s.DeleteResponse(ctx, rs[1].Reference); err != nil {
		t.Fatal(err)
	}
	storetest.CheckAnswers(t, s, "iw", nil)

	db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var missing, left int
	if err := db.QueryRow(`SELECT count(*) FROM responses WHERE layout IS NULL OR closed IS NULL`).Scan(&missing); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM responses INDEXED BY responses_closed WHERE survey_id = 'iw' AND id > 0`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if missing != 0 || left != len(rs)-1 {
		t.Errorf("after the backfill and an erasure: %d responses without a summary (want 0), %d summaries in the index (want %d)", missing, left, len(rs)-1)
	}
	// The read of a round's summaries is the index's alone, in its order.
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT id, round, layout, closed, submitted, respondent_key, invitation FROM responses INDEXED BY responses_closed WHERE survey_id = ? AND round IN (?) ORDER BY submitted, id`, "iw", "baseline")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if p := strings.Join(plan, "; "); !strings.Contains(p, "COVERING INDEX responses_closed") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("the read of summaries: %s; want the covering index, no sort", p)
	}
}
