package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv/tmpfs"
)

// Writes committed in groups, on a disk that fills while they run: SQLite
// rolls back a whole transaction when it cannot write, so every write of
// that group must be told it failed. Every response acknowledged is
// stored, every failure says the disk is full, and the database is whole.
// A tiny page cache makes SQLite spill to disk part of the way through a
// group, where the disk fills. (Found by review: before the fix, a group
// carried on after SQLite had rolled it back, and acknowledged writes
// were lost.)
func TestDiskFillsDuringGroups(t *testing.T) {
	ctx := context.Background()
	disk := tmpfs.Mount(t, "1m")
	s, err := Open(ctx, disk.Dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	if _, err := s.write.ExecContext(ctx, `PRAGMA cache_size = 2`); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		acked    []string
		failures []error
		wg       sync.WaitGroup
	)
	const writers = 24
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, failed := w, 0; failed < 5 && i < 100000; i += writers {
				r := survey.Response{
					Reference: fmt.Sprintf("R%d", i), SurveyID: "iw", Version: "1", Round: "baseline",
					Answers:   map[string]string{"comment": strings.Repeat(fmt.Sprintf("words %d; ", i), 50+(i%7)*100)},
					Submitted: time.Now(), SubmissionKey: fmt.Sprintf("key-%d", i),
				}
				_, err := s.Submit(ctx, r)
				mu.Lock()
				if err == nil {
					acked = append(acked, r.Reference)
				} else {
					failed++
					failures = append(failures, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) == 0 {
		t.Fatal("the disk never filled")
	}
	for _, err := range failures {
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("a write on the filling disk failed with %q; want store.ErrUnavailable", err)
		}
	}
	for _, ref := range acked {
		if _, err := s.Response(ctx, ref); err != nil {
			t.Errorf("response %s was acknowledged but is not stored: %v", ref, err)
		}
	}
	var check string
	if err := s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity check: %q, %v", check, err)
	}
	t.Logf("%d responses acknowledged, %d writes refused; first refusal: %v", len(acked), len(failures), failures[0])
}
