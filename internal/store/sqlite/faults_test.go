package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/store/storetest"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv/tmpfs"
)

// TestDiskFull fills a small disk with submissions and drafts until a write
// fails, and checks that the failure is store.ErrUnavailable with SQLite's
// message, that nothing is lost or doubled or miscounted, and that writes
// work again once there is space.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	disk := tmpfs.Mount(t, "1m")
	s, err := sqlite.Open(ctx, disk.Dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	s.PlanTallies(killPlan)

	// Drafts and submissions, until 30 writes have failed: the first finds
	// the disk full, and the rest check that a failed write leaves nothing
	// behind that stops the next (an open transaction, a half response).
	var stored []survey.Response
	var failures []error
	for i := 0; len(failures) < 30; i++ {
		if i > 100000 {
			t.Fatal("a 1 MB disk never filled")
		}
		r := storetest.Response(i, "iw", "baseline", time.Now())
		r.Answers["caf-comment"] = strings.Repeat(fmt.Sprintf("comment %d; ", i), 20)
		r.Answers["caf-1"] = fmt.Sprint(1 + i%5)
		var err error
		if i%3 == 0 {
			err = s.SaveDraft(ctx, survey.Draft{Key: fmt.Sprintf("draft-%d", i), SurveyID: "iw", Round: "baseline", Answers: r.Answers, Updated: time.Now(), Expires: time.Now().Add(time.Hour)})
		} else {
			var got survey.Response
			if got, err = s.Submit(ctx, r); err == nil {
				stored = append(stored, got)
			}
		}
		if err != nil {
			failures = append(failures, err)
		}
	}
	for _, err := range failures {
		if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "database or disk is full") {
			t.Fatalf("a write on the full disk failed with %q; want store.ErrUnavailable saying the disk is full", err)
		}
	}
	t.Logf("%d responses stored; then: %v; last: %v", len(stored), failures[0], failures[len(failures)-1])

	// Reads still work on the full disk.
	checkIntact(t, s, disk.Dir, stored)

	disk.Resize(t, "4m")
	for i := range 20 {
		r := storetest.Response(200000+i, "iw", "baseline", time.Now())
		got, err := s.Submit(ctx, r)
		if err != nil {
			t.Fatalf("submit after space was freed: %v", err)
		}
		stored = append(stored, got)
	}
	if err := s.SaveDraft(ctx, survey.Draft{Key: "after", SurveyID: "iw", Round: "baseline", Updated: time.Now(), Expires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("save draft after space was freed: %v", err)
	}
	checkIntact(t, s, disk.Dir, stored)
}

// checkIntact checks that the database passes SQLite's integrity check,
// holds each of the stored responses exactly once and no others, and that
// its tallies equal a recount.
func checkIntact(t *testing.T, s *sqlite.Store, dir string, stored []survey.Response) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("PRAGMA integrity_check = %q, %v; want ok", integrity, err)
	}

	want := map[string]bool{}
	for _, r := range stored {
		want[r.Reference] = true
	}
	seen := map[string]int{}
	if err := s.EachResponse(ctx, "iw", []string{"baseline"}, func(r survey.Response) error {
		seen[r.Reference]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for ref, n := range seen {
		if n != 1 || !want[ref] {
			t.Errorf("response %s is stored %d times; its Submit succeeded: %v", ref, n, want[ref])
		}
	}
	for ref := range want {
		if seen[ref] == 0 {
			t.Errorf("response %s was stored (Submit succeeded) but is not in the database", ref)
		}
	}

	storetest.TalliesMatchResponses(t, s, killPlan, "baseline")
}

// TestOpenOnFullDisk: the database cannot be set up on a full disk, new or
// not (SQLite needs room for its shared-memory file even to read), and
// Open says that the disk is full. It opens once there is room again.
func TestOpenOnFullDisk(t *testing.T) {
	ctx := context.Background()
	disk := tmpfs.Mount(t, "1m")
	fresh := filepath.Join(disk.Dir, "fresh")
	if err := os.Mkdir(fresh, 0o750); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(disk.Dir, "existing")
	s, err := sqlite.Open(ctx, existing)
	if err != nil {
		t.Fatal(err)
	}
	r := storetest.Response(1, "iw", "baseline", time.Now())
	if _, err := s.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	disk.Fill(t)

	for _, dir := range []string{fresh, existing} {
		_, err = sqlite.Open(ctx, dir)
		want := "sqlite: cannot set up the database in " + dir + ": the disk is full: "
		if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Open on a full disk: %v\nwant store.ErrUnavailable beginning %q", err, want)
		}
		t.Logf("Open on a full disk: %v", err)
	}

	disk.Free(t)
	s, err = sqlite.Open(ctx, existing)
	if err != nil {
		t.Fatalf("Open once there is room again: %v", err)
	}
	defer s.Close(ctx)
	if _, err := s.Response(ctx, r.Reference); err != nil {
		t.Errorf("the response stored before the disk filled: %v", err)
	}
}

// TestOpenReadOnly: a data folder on a read-only disk is refused at once,
// in words that say so, and nothing in it is created or changed.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	disk := tmpfs.Mount(t, "2m")
	s, err := sqlite.Open(ctx, disk.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(ctx, storetest.Response(1, "iw", "baseline", time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	disk.ReadOnly(t)
	before := listing(t, disk.Dir)

	_, err = sqlite.Open(ctx, disk.Dir)
	want := "sqlite: data directory " + disk.Dir + " is not writable: "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "read-only file system") {
		t.Fatalf("Open on a read-only disk: %v\nwant an error beginning %q", err, want)
	}
	t.Logf("Open on a read-only disk: %v", err)
	if after := listing(t, disk.Dir); after != before {
		t.Errorf("Open on a read-only disk changed the folder:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// A folder that would have to be made there cannot be.
	sub := filepath.Join(disk.Dir, "data")
	_, err = sqlite.Open(ctx, sub)
	want = "sqlite: data directory " + sub + " cannot be created: mkdir " + sub + ": read-only file system"
	if err == nil || err.Error() != want {
		t.Errorf("Open of a new folder on a read-only disk: %v\nwant %q", err, want)
	}
}

// TestOpenCannotCreate: a data folder whose parent is a file.
func TestOpenCannotCreate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "data")
	_, err := sqlite.Open(context.Background(), dir)
	want := "sqlite: data directory " + dir + " cannot be created: mkdir " + file + ": not a directory"
	if err == nil || err.Error() != want {
		t.Errorf("Open under a file: %v\nwant %q", err, want)
	}
}

// listing is each file in dir with its size and modification time.
func listing(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s\n", e.Name(), info.Size(), info.ModTime().Format(time.RFC3339Nano))
	}
	return b.String()
}
