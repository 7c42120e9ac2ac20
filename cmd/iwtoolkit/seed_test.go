package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"iwtoolkit/internal/store/sqlite"
)

// TestSeedThenRecount seeds the embedded store, checks that a recount
// finds the tallies exact, seeds it again (over more than one batch) and
// checks again, spoils them behind the store's back, and checks
// that recount reports and repairs the difference.
func TestSeedThenRecount(t *testing.T) {
	ctx := context.Background()
	e := sqliteEnv(t)
	var out bytes.Buffer
	if err := run(ctx, []string{"seed", "--responses", "60", "--survey", "integrated-working"}, e.getenv, &out, &out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	recount := func() string {
		t.Helper()
		out.Reset()
		if err := run(ctx, []string{"recount", "--survey", "integrated-working", "--round", "baseline"}, e.getenv, &out, &out); err != nil {
			t.Fatalf("recount: %v\n%s", err, out.String())
		}
		return out.String()
	}
	if got := recount(); !strings.Contains(got, "the tallies equal a recount") {
		t.Errorf("recount after seed: %q", got)
	}
	// Seeding again adds to the store (it once failed on the references
	// the first run had taken), and the tallies stay exact.
	out.Reset()
	if err := run(ctx, []string{"seed", "--responses", "2500", "--survey", "integrated-working"}, e.getenv, &out, &out); err != nil {
		t.Fatalf("seed again: %v\n%s", err, out.String())
	}
	if got := recount(); !strings.Contains(got, "the tallies equal a recount") {
		t.Errorf("recount after seeding again: %q", got)
	}
	db, err := sql.Open("sqlite", filepath.Join(e["IWT_DATA_DIR"], sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored int
	if err := db.QueryRow(`SELECT count(*) FROM responses`).Scan(&stored); err != nil || stored != 2560 {
		t.Errorf("%d responses stored (%v), want 2560", stored, err)
	}
	if _, err := db.Exec(`UPDATE tallies SET responses = responses + 1 WHERE round = 'baseline'`); err != nil {
		t.Fatal(err)
	}
	if got := recount(); !strings.Contains(got, "differed from a recount and were repaired") {
		t.Errorf("recount after spoiling: %q", got)
	}
	if got := recount(); !strings.Contains(got, "the tallies equal a recount") {
		t.Errorf("recount after repair: %q", got)
	}
	out.Reset()
	if err := run(ctx, []string{"seed"}, e.getenv, &out, &out); err != errUsage {
		t.Errorf("seed without --responses: %v, want usage error", err)
	}
}
