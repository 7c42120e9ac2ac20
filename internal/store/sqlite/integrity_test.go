package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/store/storetest"
)

var integrityPlan = store.TallyPlan{SurveyID: "iw", Breakdowns: [6]string{"sector"}, Keys: []string{"caf-1", "tac-1"}}

// filled is a data folder with n responses to the baseline, counted, and
// the store closed.
func filled(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	s.PlanTallies(integrityPlan)
	for i := range n {
		if _, err := s.Submit(context.Background(), storetest.Response(i, "iw", "baseline", time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir
}

// overwritePage writes random bytes over the last 4 KB page of the
// b-tree given (a table or an index), as a failing disk might, with the
// store closed.
func overwritePage(t *testing.T, dir, btree string) {
	t.Helper()
	path := filepath.Join(dir, sqlite.FileName)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var page int64
	err = db.QueryRow(`SELECT max(pageno) FROM dbstat WHERE name = ?`, btree).Scan(&page)
	db.Close()
	if err != nil || page == 0 {
		t.Fatalf("no page of %s: %v", btree, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(13, uint64(page)))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	if _, err := f.WriteAt(garbage, (page-1)*4096); err != nil {
		t.Fatal(err)
	}
}

// A damaged file is refused at Open, saying what to do. Repair rebuilds it
// when what is damaged can be made again (the tallies, an index): it keeps
// the damaged file, and the figures are whole. Damaged responses it cannot
// mend, and it says to restore from a backup, leaving the file as it was.
func TestDamagedFileRefusedAndRepaired(t *testing.T) {
	for _, tt := range []struct {
		btree      string
		repairable bool
	}{
		{"tallies", true},
		{"sqlite_autoindex_responses_2", true}, // the unique index on submission_key
		{"responses", false},
	} {
		t.Run(tt.btree, func(t *testing.T) {
			ctx := context.Background()
			dir := filled(t, 300)
			overwritePage(t, dir, tt.btree)
			_, err := sqlite.Open(ctx, dir)
			if !errors.Is(err, store.ErrDamaged) {
				t.Fatalf("Open of a file with a page of %s overwritten: %v, want an error matching ErrDamaged", tt.btree, err)
			}
			for _, want := range []string{"is damaged (quick_check: ", "restore it from a backup", "iwtoolkit recount --all"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Open's error does not say %q: %v", want, err)
				}
			}

			res, err := sqlite.Repair(ctx, dir)
			if !tt.repairable {
				if err == nil || !strings.Contains(err.Error(), "restore the file from a backup") {
					t.Errorf("Repair of damaged responses: %v, want it to say to restore from a backup", err)
				}
				if _, err := sqlite.Open(ctx, dir); !errors.Is(err, store.ErrDamaged) {
					t.Errorf("after a failed Repair, Open: %v, want the damaged file still refused", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Repair: %v", err)
			}
			if len(res.Problems) == 0 || res.Rows["responses"] != 300 {
				t.Errorf("Repair = %+v, want the problems found and 300 responses copied", res)
			}
			if _, err := os.Stat(res.Kept); err != nil {
				t.Errorf("the damaged file was not kept: %v", err)
			}
			s := openIn(t, dir)
			s.PlanTallies(integrityPlan)
			storetest.TalliesMatchResponses(t, s, integrityPlan, "baseline")
			if got := countOf(t, s); got != 300 {
				t.Errorf("after Repair %d responses counted, want 300", got)
			}
			s.Close(ctx)
			if again, err := sqlite.Repair(ctx, dir); err != nil || len(again.Problems) > 0 {
				t.Errorf("Repair of the repaired file = %+v, %v; want nothing to do", again, err)
			}
		})
	}
}

func countOf(t *testing.T, s *sqlite.Store) int {
	t.Helper()
	got, err := s.Tallies(context.Background(), integrityPlan, []string{"baseline"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got["baseline"].Responses
}

// Damage inside a value, where quick_check does not look: a tally row's
// counts that cannot be decoded. Reading the figures fails with an error
// matching ErrDamaged; Recount counts them again from the responses.
func TestDamagedCountsRecounted(t *testing.T) {
	ctx := context.Background()
	dir := filled(t, 40)
	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE tallies SET counts = x'ffffffff'`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s := openIn(t, dir) // quick_check finds nothing
	s.PlanTallies(integrityPlan)
	if _, err := s.Tallies(ctx, integrityPlan, []string{"baseline"}, nil); !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("Tallies with counts that cannot be decoded: %v, want an error matching ErrDamaged", err)
	}
	res, err := s.Recount(ctx, integrityPlan, "baseline")
	if err != nil || res.Responses != 40 || res.Differences == 0 {
		t.Fatalf("Recount = %+v, %v; want 40 responses, and differences repaired", res, err)
	}
	storetest.TalliesMatchResponses(t, s, integrityPlan, "baseline")
}

// A backup taken while the store is open and being written is a whole,
// consistent copy that opens as a store; an existing file is not
// overwritten.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := filled(t, 100)
	s := openIn(t, dir)
	s.PlanTallies(integrityPlan)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // the service, still taking responses
		defer wg.Done()
		for i := 100; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Submit(ctx, storetest.Response(i, "iw", "baseline", time.Now())); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	to := filepath.Join(t.TempDir(), "copy.db")
	res, err := sqlite.Backup(ctx, dir, to)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if res.Responses < 100 || res.Bytes == 0 {
		t.Errorf("Backup = %+v, want at least the 100 responses stored before", res)
	}
	if _, err := sqlite.Backup(ctx, dir, to); err == nil {
		t.Error("a second backup to the same file overwrote it")
	}
	restored := t.TempDir()
	if err := os.Rename(to, filepath.Join(restored, sqlite.FileName)); err != nil {
		t.Fatal(err)
	}
	r := openIn(t, restored)
	r.PlanTallies(integrityPlan)
	storetest.TalliesMatchResponses(t, r, integrityPlan, "baseline")
	if got := countOf(t, r); got != res.Responses {
		t.Errorf("the restored copy counts %d responses, the backup said %d", got, res.Responses)
	}
}
