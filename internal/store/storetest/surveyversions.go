package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
)

// surveyVersionTests are the contract for versions of survey files.
var surveyVersionTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"SurveyVersions", testSurveyVersions},
	{"ConcurrentSurveyPublishes", testConcurrentSurveyPublishes},
}

func testSurveyVersions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if n, err := s.SurveyPublishCount(ctx); err != nil || n != 0 {
		t.Fatalf("SurveyPublishCount of a new store = %d, %v; want 0", n, err)
	}
	if live, err := s.LiveSurveys(ctx); err != nil || len(live) != 0 {
		t.Fatalf("LiveSurveys of a new store = %v, %v; want none", live, err)
	}
	if _, err := s.SurveyVersion(ctx, "iw", "aaaaaaaaaaaa"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SurveyVersion of a new store: %v; want ErrNotFound", err)
	}
	v1 := store.SurveyVersion{SurveyID: "iw", Version: "aaaaaaaaaaaa", Text: "title: Integrated working — ünïcödé\n", MadeBy: "survey file", Made: t0.Add(123456 * time.Microsecond)}
	v2 := store.SurveyVersion{SurveyID: "iw", Version: "bbbbbbbbbbbb", Text: "title: Integrated working, second\n", MadeBy: "admin@example.org", Made: t0.Add(time.Hour)}
	other := store.SurveyVersion{SurveyID: "children", Version: "cccccccccccc", Text: "title: Children\n", MadeBy: "survey file", Made: t0}
	for _, v := range []store.SurveyVersion{v2, v1, other} {
		got, isNew, err := s.SaveSurveyVersion(ctx, v)
		if err != nil || !isNew || got.Text != v.Text {
			t.Fatalf("SaveSurveyVersion(%s) = %v, %v, %v; want it new", v.Version, got, isNew, err)
		}
	}
	v1.Made = v1.Made.Truncate(time.Millisecond)
	// The same version again (the same file uploaded twice) stores nothing
	// and returns the first.
	again := v1
	again.MadeBy, again.Made = "someone@example.org", t0.Add(2*time.Hour)
	got, isNew, err := s.SaveSurveyVersion(ctx, again)
	if err != nil || isNew {
		t.Fatalf("SaveSurveyVersion of a stored version = %v, %v; want not new", isNew, err)
	}
	if diff := cmp.Diff(v1, got); diff != "" {
		t.Errorf("SaveSurveyVersion of a stored version returns the stored one (-want +got):\n%s", diff)
	}
	if ids, err := s.SurveysWithVersions(ctx); err != nil || !slices.Equal(ids, []string{"children", "iw"}) {
		t.Errorf("SurveysWithVersions = %v, %v; want children, iw", ids, err)
	}
	all, err := s.SurveyVersionsOf(ctx, "iw")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.SurveyVersion{v1, v2}, all); diff != "" {
		t.Errorf("SurveyVersionsOf, oldest first (-want +got):\n%s", diff)
	}

	// Publishing: each publish takes the next number; the latest is live.
	if err := s.PublishSurvey(ctx, store.SurveyPublish{SurveyID: "iw", Version: "dddddddddddd", N: 1, By: "x", At: t0}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PublishSurvey of a version not stored: %v; want ErrNotFound", err)
	}
	p1 := store.SurveyPublish{SurveyID: "iw", Version: v1.Version, N: 1, By: "survey file", At: t0, Reason: "imported from the survey file"}
	p2 := store.SurveyPublish{SurveyID: "iw", Version: v2.Version, N: 2, By: "admin@example.org", At: t0.Add(2 * time.Hour), Reason: "reworded a question", Acknowledged: true}
	po := store.SurveyPublish{SurveyID: "children", Version: other.Version, N: 1, By: "survey file", At: t0, Reason: "first"}
	for _, p := range []store.SurveyPublish{p1, po, p2} {
		if err := s.PublishSurvey(ctx, p); err != nil {
			t.Fatalf("PublishSurvey(%s #%d): %v", p.SurveyID, p.N, err)
		}
	}
	if err := s.PublishSurvey(ctx, store.SurveyPublish{SurveyID: "iw", Version: v1.Version, N: 2, By: "late", At: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PublishSurvey with a number taken: %v; want ErrConflict", err)
	}
	if err := s.PublishSurvey(ctx, store.SurveyPublish{SurveyID: "iw", Version: v1.Version, N: 5, By: "early", At: t0}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("PublishSurvey with a number skipping ahead: %v; want ErrConflict", err)
	}
	pubs, err := s.SurveyPublishes(ctx, "iw")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.SurveyPublish{p1, p2}, pubs); diff != "" {
		t.Errorf("SurveyPublishes, oldest first (-want +got):\n%s", diff)
	}
	if got := store.StateOf(v2.Version, pubs); got != store.StateLive {
		t.Errorf("state of the latest published = %s; want live", got)
	}
	if got := store.StateOf(v1.Version, pubs); got != store.StateEarlier {
		t.Errorf("state of the one published before = %s; want earlier", got)
	}
	if got := store.StateOf("eeeeeeeeeeee", pubs); got != store.StateDraft {
		t.Errorf("state of one never published = %s; want draft", got)
	}
	live, err := s.LiveSurveys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.SurveyPublish{po, p2}, live); diff != "" {
		t.Errorf("LiveSurveys, in survey order (-want +got):\n%s", diff)
	}
	if n, err := s.SurveyPublishCount(ctx); err != nil || n != 3 {
		t.Errorf("SurveyPublishCount = %d, %v; want 3", n, err)
	}
	// A revert is a publish of an earlier version.
	p3 := store.SurveyPublish{SurveyID: "iw", Version: v1.Version, N: 3, By: "admin@example.org", At: t0.Add(3 * time.Hour), Reason: "back"}
	if err := s.PublishSurvey(ctx, p3); err != nil {
		t.Fatal(err)
	}
	if live, err := s.LiveSurveys(ctx); err != nil || len(live) != 2 || live[1] != p3 {
		t.Errorf("LiveSurveys after a revert = %v, %v; want iw's third publish", live, err)
	}
}

// Of publishes of one survey at once, from any number of instances, one
// takes each number: no two are live.
func testConcurrentSurveyPublishes(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	v := store.SurveyVersion{SurveyID: "iw", Version: "aaaaaaaaaaaa", Text: "x", MadeBy: "a", Made: t0}
	if _, _, err := s.SaveSurveyVersion(ctx, v); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.PublishSurvey(ctx, store.SurveyPublish{SurveyID: "iw", Version: v.Version, N: 1, By: "a", At: t0})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("PublishSurvey: %v; want nil or ErrConflict", err)
		}
	}
	if won != 1 {
		t.Errorf("%d publishes took number 1; want 1", won)
	}
	if c, err := s.SurveyPublishCount(ctx); err != nil || c != 1 {
		t.Errorf("SurveyPublishCount = %d, %v; want 1", c, err)
	}
}
