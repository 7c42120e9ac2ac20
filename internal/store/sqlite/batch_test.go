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
	s := fillingStore(t)
	var (
		mu    sync.Mutex
		acked []string
	)
	failures := writeUntilRefused(5, func(i int) error {
		r := survey.Response{
			Reference: fmt.Sprintf("R%d", i), SurveyID: "iw", Version: "1", Round: "baseline",
			Answers:   map[string]string{"comment": strings.Repeat(fmt.Sprintf("words %d; ", i), 50+(i%7)*100)},
			Submitted: time.Now(), SubmissionKey: fmt.Sprintf("key-%d", i),
		}
		_, err := s.Submit(ctx, r)
		if err == nil {
			mu.Lock()
			acked = append(acked, r.Reference)
			mu.Unlock()
		}
		return err
	})
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

// fillingStore is a store on a 1 MB disk with a page cache of two pages,
// so that SQLite writes to the disk part of the way through a group of
// writes, which is where the disk fills.
func fillingStore(t *testing.T) *Store {
	t.Helper()
	s := openStore(t, tmpfs.Mount(t, "1m").Dir)
	if _, err := s.write.ExecContext(context.Background(), `PRAGMA cache_size = 2`); err != nil {
		t.Fatal(err)
	}
	return s
}

// writeUntilRefused runs write(i) for i = 0, 1, 2… from 24 goroutines at
// once, each stopping once it has been refused maxRefused times, and
// returns every refusal.
func writeUntilRefused(maxRefused int, write func(i int) error) []error {
	const writers = 24
	var (
		mu      sync.Mutex
		refused []error
		wg      sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, n := w, 0; n < maxRefused && i < 100000; i += writers {
				if err := write(i); err != nil {
					n++
					mu.Lock()
					refused = append(refused, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return refused
}

// A group of writes in which some fail: each that failed is undone alone,
// and every other is committed and told so, as when each had its own
// transaction. The group first runs its writes together, and on a
// failure runs again with a savepoint a write (batch.go, commit); a write
// that blocks the batcher makes the others wait, so that they form one
// group.
func TestGroupWithFailuresUndoesOnlyThose(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	started, release := make(chan struct{}), make(chan struct{})
	blocking := make(chan error, 1)
	go func() {
		blocking <- s.batch.do(ctx, nil, func(ctx context.Context, tx *txn) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	const writes = 20
	var wg sync.WaitGroup
	results := make([]error, writes)
	for i := range writes {
		wg.Go(func() {
			results[i] = s.batch.do(ctx, nil, func(ctx context.Context, tx *txn) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO counters (key, n, expires) VALUES (?, 1, 0)`, fmt.Sprint("k", i)); err != nil {
					return err
				}
				if i%3 == 1 {
					return fmt.Errorf("write %d fails after its insert", i)
				}
				return nil
			})
		})
	}
	for len(s.batch.jobs) < writes {
		time.Sleep(time.Millisecond) // waiting for the writes to queue, not timing them
	}
	close(release)
	wg.Wait()
	if err := <-blocking; err != nil {
		t.Fatal(err)
	}
	for i, err := range results {
		var n int
		qerr := s.read.QueryRowContext(ctx, `SELECT count(*) FROM counters WHERE key = ?`, fmt.Sprint("k", i)).Scan(&n)
		if qerr != nil {
			t.Fatal(qerr)
		}
		switch failed := i%3 == 1; {
		case failed && (err == nil || n != 0):
			t.Errorf("write %d failed: told %v, %d rows stored; want its error and none", i, err, n)
		case !failed && (err != nil || n != 1):
			t.Errorf("write %d succeeded: told %v, %d rows stored; want no error and one", i, err, n)
		}
	}
}
