// Package storetest is the storage contract as a test suite. Each store's
// tests call Run with a Harness; the suite is the one definition of what a
// store must do.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Harness makes a fresh, empty place to store in (a folder, a database) and
// returns a function that opens a store there. Calling open again after
// Close reopens the same data. The harness cleans up after the test.
type Harness func(t *testing.T) (open func(t *testing.T) store.Store)

// Run runs the contract suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"SubmitRoundTrip", testSubmitRoundTrip},
		{"SubmitTwiceStoresOne", testSubmitTwiceStoresOne},
		{"SubmitConfirmedOnceStored", testSubmitConfirmedOnceStored}, // stored.go
		{"SubmitCancelled", testSubmitCancelled},                     // stored.go
		{"SubmitQueuesMail", testSubmitQueuesMail},                   // queued.go
		{"ReferenceConflict", testReferenceConflict},
		{"NotFound", testNotFound},
		{"Drafts", testDrafts},
		{"DraftsExpire", testDraftsExpire},
		{"Invitations", testInvitations},
		{"EachResponse", testEachResponse},
		{"Reopen", testReopen},
		{"ConcurrentSubmits", testConcurrentSubmits},
		{"ConcurrentDraftSaves", testConcurrentDraftSaves},                                 // drafts.go
		{"ConcurrentIncrements", testConcurrentIncrements},                                 // staff.go
		{"TalliesExact", testTalliesExact}, {"TalliesWithoutPlan", testTalliesWithoutPlan}, // tally.go
		{"ConcurrentTallies", testConcurrentTallies}, // tally.go
	}
	tests = append(tests, bulkTests...) // bulk.go
	tests = append(tests, staffTests...)
	tests = append(tests, adminTests...)
	tests = append(tests, definitionTests...)
	tests = append(tests, surveyVersionTests...) // surveyversions.go
	tests = append(tests, boardTests...)         // board.go
	tests = append(tests, publicationTests...)   // publications.go
	tests = append(tests, contactTests...)       // contacts.go
	tests = append(tests, summaryTests...)       // summary.go
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open := h(t)
			tt.fn(t, open)
		})
	}
}

var equateEmpty = cmpopts.EquateEmpty()

// Response returns a response with every field set; n makes it distinct.
func Response(n int, surveyID, round string, at time.Time) survey.Response {
	return survey.Response{
		Reference: fmt.Sprintf("REF%02d-%05d", n%100, n),
		SurveyID:  surveyID,
		Version:   "0123456789ab",
		Round:     round,
		Answers: map[string]string{
			"sector": "health", "role": "frontline", "topics": "caf sharing",
			"caf-1": "3", "caf-2": survey.DontKnow, "tac-1": fmt.Sprint(1 + n%5),
			"caf-comment": "Lead professional <b>role</b> & \"quotes\" — ünïcödé",
		},
		Submitted:     at.UTC().Truncate(time.Millisecond),
		SubmissionKey: fmt.Sprintf("key-%d", n),
		RespondentKey: fmt.Sprintf("person-%d", n),
	}
}

// t0 is the tests' "now": a week ahead of the real clock, to the minute,
// so that every time a test sets near it (an expiry a day before it, say)
// is still ahead of the real clock. MongoDB's TTL monitor deletes what
// expired by the real clock at any moment, and a fixed date that has
// passed made it delete drafts and sessions under the tests (a draft saved
// by eight goroutines was gone when read back, one run in many).
var t0 = time.Now().UTC().Add(7 * 24 * time.Hour).Truncate(time.Minute)

func testSubmitRoundTrip(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	want := Response(1, "iw", "baseline", t0)
	got, err := s.Submit(ctx, want)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
		t.Errorf("Submit returned (-want +got):\n%s", diff)
	}
	got, err = s.Response(ctx, want.Reference)
	if err != nil {
		t.Fatalf("Response: %v", err)
	}
	if diff := cmp.Diff(want, got, equateEmpty); diff != "" {
		t.Errorf("Response (-want +got):\n%s", diff)
	}
}

func testSubmitTwiceStoresOne(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	first := Response(1, "iw", "baseline", t0)
	if _, err := s.Submit(ctx, first); err != nil {
		t.Fatal(err)
	}
	again := first
	again.Reference = "OTHER-00001"
	got, err := s.Submit(ctx, again)
	if err != nil {
		t.Fatalf("second Submit: %v", err)
	}
	if got.Reference != first.Reference {
		t.Errorf("second Submit returned reference %q, want the first %q", got.Reference, first.Reference)
	}
	if n := count(t, s, "iw", nil); n != 1 {
		t.Errorf("stored %d responses, want 1", n)
	}
	if _, err := s.Response(ctx, again.Reference); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Response(second reference) error = %v, want ErrNotFound", err)
	}
	got, err = s.SubmittedResponse(ctx, first.SubmissionKey)
	if err != nil || got.Reference != first.Reference {
		t.Errorf("SubmittedResponse(key) = %q, %v; want the first response", got.Reference, err)
	}
}

func testReferenceConflict(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	a := Response(1, "iw", "baseline", t0)
	b := Response(2, "iw", "baseline", t0)
	b.Reference = a.Reference
	if _, err := s.Submit(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Submit(ctx, b); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Submit with a taken reference: error = %v, want ErrConflict", err)
	}
	if n := count(t, s, "iw", nil); n != 1 {
		t.Errorf("stored %d responses, want 1", n)
	}
}

func testNotFound(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.Response(ctx, "NOPE0-NOPE0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Response: error = %v, want ErrNotFound", err)
	}
	if _, err := s.Draft(ctx, "no-such-key"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Draft: error = %v, want ErrNotFound", err)
	}
	if _, err := s.SubmittedResponse(ctx, "no-such-key"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SubmittedResponse: error = %v, want ErrNotFound", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func testDrafts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	d := survey.Draft{
		Key: "k1", SurveyID: "iw", Round: "baseline",
		Answers: map[string]string{"sector": "youth"},
		Updated: t0, Expires: t0.Add(24 * time.Hour),
		RespondentKey: "person-1", Invitation: "invitation-1",
	}
	if err := s.SaveDraft(ctx, d); err != nil {
		t.Fatalf("SaveDraft: %v", err)
	}
	d.Answers = map[string]string{"sector": "youth", "caf-1": "4", "caf-comment": "more training"}
	d.Updated, d.Expires = t0.Add(time.Minute), t0.Add(25*time.Hour)
	if err := s.SaveDraft(ctx, d); err != nil {
		t.Fatalf("SaveDraft again: %v", err)
	}
	got, err := s.Draft(ctx, "k1")
	if err != nil {
		t.Fatalf("Draft: %v", err)
	}
	if diff := cmp.Diff(d, got, equateEmpty); diff != "" {
		t.Errorf("Draft (-want +got):\n%s", diff)
	}
	other := survey.Draft{Key: "k2", SurveyID: "iw", Round: "baseline", Updated: t0}
	if err := s.SaveDraft(ctx, other); err != nil {
		t.Fatal(err)
	}
	r := Response(1, "iw", "baseline", t0)
	r.SubmissionKey = "k1"
	if _, err := s.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Draft(ctx, "k1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Draft after Submit: error = %v, want ErrNotFound", err)
	}
	if _, err := s.Draft(ctx, "k2"); err != nil {
		t.Errorf("another respondent's draft after Submit: %v", err)
	}
}

func testEachResponse(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	// Submitted out of time order, in three rounds and two surveys.
	rounds := []string{"baseline", "follow-up", "practice"}
	for i := 0; i < 12; i++ {
		r := Response(i, "iw", rounds[i%3], t0.Add(time.Duration(11-i)*time.Hour))
		if _, err := s.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Submit(ctx, Response(99, "other", "baseline", t0)); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := s.EachResponse(ctx, "iw", []string{"baseline", "follow-up"}, func(r survey.Response) error {
		got = append(got, r.Round+"/"+r.Reference)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 10; i >= 0; i-- { // oldest first
		if i%3 != 2 {
			r := Response(i, "iw", rounds[i%3], t0)
			want = append(want, r.Round+"/"+r.Reference)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EachResponse (-want +got):\n%s", diff)
	}
	if n := count(t, s, "iw", nil); n != 12 {
		t.Errorf("EachResponse over all rounds: %d responses, want 12", n)
	}
	stop := errors.New("stop")
	calls := 0
	err = s.EachResponse(ctx, "iw", nil, func(survey.Response) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachResponse with fn failing: error %v after %d calls, want stop after 1", err, calls)
	}
}

func testReopen(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	r := Response(7, "iw", "follow-up", t0)
	if _, err := s.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(ctx, survey.Draft{Key: "kept", SurveyID: "iw", Round: "follow-up", Updated: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = open(t)
	got, err := s.Response(ctx, r.Reference)
	if err != nil {
		t.Fatalf("Response after reopening: %v", err)
	}
	if diff := cmp.Diff(r, got, equateEmpty); diff != "" {
		t.Errorf("Response after reopening (-want +got):\n%s", diff)
	}
	if _, err := s.Draft(ctx, "kept"); err != nil {
		t.Errorf("Draft after reopening: %v", err)
	}
}

func testConcurrentSubmits(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Submit(ctx, Response(w*each+i, "iw", "baseline", t0)); err != nil {
					errs <- err
				}
				// Every worker also submits the one shared draft.
				dup := Response(1000+w*each+i, "iw", "follow-up", t0)
				dup.SubmissionKey = "shared"
				got, err := s.Submit(ctx, dup)
				if err != nil {
					errs <- err
				} else if got.SubmissionKey != "shared" {
					errs <- fmt.Errorf("shared submit returned key %q", got.SubmissionKey)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, s, "iw", []string{"baseline"}); n != workers*each {
		t.Errorf("stored %d distinct responses, want %d", n, workers*each)
	}
	if n := count(t, s, "iw", []string{"follow-up"}); n != 1 {
		t.Errorf("stored %d responses from one shared draft, want 1", n)
	}
}

func count(t *testing.T, s store.Store, surveyID string, rounds []string) int {
	t.Helper()
	n := 0
	if err := s.EachResponse(context.Background(), surveyID, rounds, func(survey.Response) error { n++; return nil }); err != nil {
		t.Fatalf("EachResponse: %v", err)
	}
	return n
}

func testDraftsExpire(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	for i, expires := range []time.Time{t0.Add(-time.Hour), t0.Add(-time.Millisecond), t0, t0.Add(time.Hour)} {
		d := survey.Draft{Key: fmt.Sprintf("k%d", i), SurveyID: "iw", Round: "baseline", Updated: t0.Add(-48 * time.Hour), Expires: expires}
		if err := s.SaveDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpiredDrafts(ctx, t0)
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredDrafts = %d, %v; want the 2 that expired before t0", n, err)
	}
	for i, want := range []error{store.ErrNotFound, store.ErrNotFound, nil, nil} {
		if _, err := s.Draft(ctx, fmt.Sprintf("k%d", i)); !errors.Is(err, want) {
			t.Errorf("draft k%d: error %v, want %v", i, err, want)
		}
	}
}

func testInvitations(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	invs := []survey.Invitation{
		{Key: "inv-1", SurveyID: "iw", Round: "baseline", Organisation: "police", RespondentKey: "person-a", Created: t0},
		{Key: "inv-2", SurveyID: "iw", Round: "baseline", Organisation: "police", RespondentKey: "person-b", Created: t0.Add(time.Second)},
		{Key: "inv-3", SurveyID: "iw", Round: "baseline", Organisation: "school", RespondentKey: "person-c", Created: t0.Add(2 * time.Second)},
		{Key: "inv-4", SurveyID: "iw", Round: "follow-up", Organisation: "police", RespondentKey: "person-a", Created: t0.Add(3 * time.Second)},
	}
	if err := s.CreateInvitations(ctx, invs); err != nil {
		t.Fatal(err)
	}
	var listed []survey.Invitation
	if err := s.Invitations(ctx, "iw", "baseline", func(inv survey.Invitation) error { listed = append(listed, inv); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(invs[:3], listed); diff != "" {
		t.Errorf("Invitations (-want +got):\n%s", diff)
	}

	r := Response(1, "iw", "baseline", t0)
	r.Invitation, r.RespondentKey = "inv-1", "person-a"
	first, err := s.Submit(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	// The same draft sent again is the same response.
	if again, err := s.Submit(ctx, r); err != nil || again.Reference != first.Reference {
		t.Errorf("repeated submit through an invitation: %v, %v", again.Reference, err)
	}
	// Another draft through the same invitation is refused, and not stored.
	other := Response(2, "iw", "baseline", t0)
	other.Invitation = "inv-1"
	if _, err := s.Submit(ctx, other); !errors.Is(err, store.ErrInvitationUsed) {
		t.Errorf("second response through one invitation: error %v, want ErrInvitationUsed", err)
	}
	if _, err := s.Response(ctx, other.Reference); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused response was stored: %v", err)
	}
	got, used, err := s.Invitation(ctx, "inv-1")
	if err != nil || !used || got.RespondentKey != "person-a" {
		t.Errorf("Invitation(inv-1) = %+v, used %v, %v", got, used, err)
	}
	if _, used, _ := s.Invitation(ctx, "inv-2"); used {
		t.Error("inv-2 counted as used")
	}
	if _, _, err := s.Invitation(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown invitation: %v", err)
	}
	c, err := s.Completion(ctx, "iw", "baseline")
	want := []survey.Completion{{Organisation: "police", Invited: 2, Responded: 1}, {Organisation: "school", Invited: 1}}
	if diff := cmp.Diff(want, c); err != nil || diff != "" {
		t.Errorf("Completion (-want +got):\n%s %v", diff, err)
	}
}
