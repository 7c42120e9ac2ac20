package main

import (
	"database/sql"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"iwtoolkit/internal/store/sqlite"
)

// overwriteLastPage writes random bytes over the last 4 KB page of the
// embedded store's tallies, as a failing disk might, with the service
// stopped. (Which b-tree a file's very last page holds depends on the
// order things were written; in a seeded store it is the tallies'.)
func overwriteLastPage(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, sqlite.FileName)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var page int64
	err = db.QueryRow(`SELECT max(pageno) FROM dbstat WHERE name = 'tallies'`).Scan(&page)
	db.Close()
	if err != nil || page == 0 {
		t.Fatalf("no page of the tallies: %v", err)
	}
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(4, 4))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(garbage, (page-1)*4096); err != nil {
		t.Fatal(err)
	}
}

// A damaged embedded store is noticed and repaired: the service refuses to
// start on it, saying what to do; `recount --all` rebuilds it from the
// responses; the service then serves the same figures.
func TestDamagedStoreRefusedThenRepaired(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
	}
	closeRound(t, staffBrowser(t, svc, "admin", ""), d, "baseline")
	api := "/api/surveys/" + d.ID + "/report?a=baseline"
	before := reportFigures(t, staffBrowser(t, svc, "analyst", ""), api)
	svc.stop()

	overwriteLastPage(t, e["IWT_DATA_DIR"])
	code, _, stderr := runBinary(t, e, "", "serve")
	if code != 1 || !strings.Contains(stderr, "is damaged (quick_check: ") || !strings.Contains(stderr, "iwtoolkit recount --all") {
		t.Fatalf("serve on a damaged file: exit %d, said:\n%s\nwant exit 1, saying it is damaged and what to do", code, stderr)
	}
	code, stdout, stderr := runBinary(t, e, "", "recount", "--all")
	if code != 0 || !strings.Contains(stdout, "is damaged") || !strings.Contains(stdout, "rebuilt it") || !strings.Contains(stdout, "responses 5") {
		t.Fatalf("recount --all of the damaged file: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("recount --all:\n%s", stdout)

	svc = start(t, e)
	after := reportFigures(t, staffBrowser(t, svc, "analyst", ""), api)
	if n := after.Rounds[0].Responses; n == nil || *n != 5 || before.Rounds[0].Responses == nil {
		t.Fatalf("the report after the repair counts %v responses, want 5", n)
	}
	if got, want := after.Strands, before.Strands; len(got) != len(want) {
		t.Errorf("the report after the repair has %d strands, before %d", len(got), len(want))
	}
}

// Damage the start-up check cannot see (inside a tally's counts) found
// while serving: the report answers 503, readiness turns off, and the
// damage is logged once however many requests meet it.
func TestDamageWhileServing(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
	}
	closeRound(t, staffBrowser(t, svc, "admin", ""), d, "baseline")
	analyst := staffBrowser(t, svc, "analyst", "")
	api := "/api/surveys/" + d.ID + "/report?a=baseline"
	analyst.get("/readyz").must(t, http.StatusOK)
	// The report is first read after the damage: its publication is made
	// from the tallies then (a publication made before would be read
	// without the tallies, and the damage found at the next step).

	db, err := sql.Open("sqlite", filepath.Join(e["IWT_DATA_DIR"], sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE tallies SET counts = x'ffffffff'`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if p := analyst.get(api); p.Status != http.StatusServiceUnavailable {
			t.Errorf("the report with its tallies damaged: %d, want 503", p.Status)
		}
		if p := analyst.get("/readyz"); p.Status != http.StatusServiceUnavailable || !strings.Contains(p.Body, "damaged") {
			t.Errorf("/readyz with the store damaged: %d %q, want 503 saying so", p.Status, p.Body)
		}
	}
	logs := svc.logs.String()
	if n := strings.Count(logs, "the store's data is damaged"); n != 1 {
		t.Errorf("the damage was logged %d times, want once:\n%s", n, logs)
	}
}

// `iwtoolkit backup` copies the embedded store while the service runs;
// the copy, put in place of a data folder's file, serves the same
// responses.
func TestBackupCommand(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
	}
	to := filepath.Join(t.TempDir(), "backup.db")
	code, stdout, stderr := runBinary(t, e, "", "backup", "--to", to)
	if code != 0 || !strings.Contains(stdout, "backed up 5 responses to "+to) {
		t.Fatalf("backup while the service runs: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runBinary(t, e, "", "backup", "--to", to); code == 0 || !strings.Contains(stderr, "exists already") {
		t.Errorf("a second backup to the same file: exit %d\n%s", code, stderr)
	}
	restored := sqliteEnv(t)
	if err := os.Rename(to, filepath.Join(restored["IWT_DATA_DIR"], sqlite.FileName)); err != nil {
		t.Fatal(err)
	}
	if got := responses(t, restored, d.ID); len(got) != 5 {
		t.Errorf("the restored copy holds %d responses, want 5", len(got))
	}
}
