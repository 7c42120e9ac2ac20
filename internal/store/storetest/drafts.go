package storetest

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

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
