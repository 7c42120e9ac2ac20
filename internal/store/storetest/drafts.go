package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// savedForLater saves a draft as "save and come back later" does.
func savedForLater(t *testing.T, s store.Store, key string) survey.Draft {
	t.Helper()
	d := survey.Draft{
		Key: key, SurveyID: "iw", Round: "baseline",
		Answers: map[string]string{"sector": "youth"},
		Updated: t0, Expires: t0.Add(24 * time.Hour), RespondentKey: "person-1",
	}
	if err := s.SaveDraft(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// testTakeDraft checks that a draft is taken once, only for its own survey
// and round, and not once expired; a draft not taken is left alone. Takes
// here follow one another: see testConcurrentTakeDraft for takes at the
// same moment.
func testTakeDraft(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	d := savedForLater(t, s, "code")
	at := t0.Add(time.Hour)
	for _, other := range [][2]string{{"other", "baseline"}, {"iw", "follow-up"}} { // a code typed into another survey
		if _, err := s.TakeDraft(ctx, "code", other[0], other[1], at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TakeDraft for %v: error %v, want ErrNotFound", other, err)
		}
	}
	got, err := s.TakeDraft(ctx, "code", "iw", "baseline", at)
	if err != nil {
		t.Fatalf("TakeDraft: %v", err)
	}
	if diff := cmp.Diff(d, got, equateEmpty); diff != "" {
		t.Errorf("TakeDraft (-want +got):\n%s", diff)
	}
	if _, err := s.TakeDraft(ctx, "code", "iw", "baseline", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeDraft again: error %v, want ErrNotFound", err)
	}
	// Another instance, whose clock is behind, cannot take it either.
	if _, err := s.TakeDraft(ctx, "code", "iw", "baseline", at.Add(-time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeDraft again, with a clock behind: error %v, want ErrNotFound", err)
	}
	if _, err := s.Draft(ctx, "code"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the taken draft: error %v, want ErrNotFound", err)
	}
	savedForLater(t, s, "late")
	if _, err := s.TakeDraft(ctx, "late", "iw", "baseline", t0.Add(24*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeDraft of an expired draft: error %v, want ErrNotFound", err)
	}
	if _, err := s.TakeDraft(ctx, "nothing", "iw", "baseline", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TakeDraft of no draft: error %v, want ErrNotFound", err)
	}
}

// testConcurrentTakeDraft spends one resume code from many goroutines at
// once, many times: one take of each succeeds.
func testConcurrentTakeDraft(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const codes, takers = 20, 8
	for range codes {
		savedForLater(t, s, "code")
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for range takers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.TakeDraft(ctx, "code", "iw", "baseline", t0.Add(time.Hour))
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Error(err)
				}
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won++
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d of %d takes at once of one draft succeeded, want 1", won, takers)
		}
	}
}

// testConcurrentDraftSaves saves new drafts from several goroutines at
// once, as a respondent with two tabs open might: every save succeeds (the
// first of them racing to create the draft), and the draft is one of them.
func testConcurrentDraftSaves(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const drafts, savers = 20, 8
	for i := range drafts {
		key := fmt.Sprint("tabs-", i)
		var wg sync.WaitGroup
		for j := range savers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := survey.Draft{Key: key, SurveyID: "iw", Round: "baseline", Answers: map[string]string{"caf-1": fmt.Sprint(j)}, Updated: t0, Expires: t0.Add(time.Hour)}
				if err := s.SaveDraft(ctx, d); err != nil {
					t.Errorf("save %d of draft %s at once: %v", j+1, key, err)
				}
			}()
		}
		wg.Wait()
		d, err := s.Draft(ctx, key)
		if err != nil {
			t.Fatalf("draft %s after %d saves at once: %v", key, savers, err)
		}
		if n, err := strconv.Atoi(d.Answers["caf-1"]); err != nil || n < 0 || n >= savers {
			t.Errorf("draft %s after %d saves at once holds %v", key, savers, d.Answers)
		}
	}
}
