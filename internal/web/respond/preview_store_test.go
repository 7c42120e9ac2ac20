package respond

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// The preview's memory keeps at most its limit of drafts and answers sent,
// letting go of what expired first and then of the oldest; answers sent
// leave no draft, and a second send of one draft gives the first.
func TestPreviewStoreKeepsLittle(t *testing.T) {
	ctx := context.Background()
	p := newPreviewStore(nil, time.Hour, 3)
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	draft := func(key string, updated time.Time) survey.Draft {
		return survey.Draft{Key: key, SurveyID: "s", Round: "r", Answers: map[string]string{"q": key}, Updated: updated, Expires: updated.Add(time.Hour)}
	}
	for i, key := range []string{"a", "b", "c"} {
		if err := p.SaveDraft(ctx, draft(key, at.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	// Full: "a", the oldest, goes.
	if err := p.SaveDraft(ctx, draft("d", at.Add(5*time.Minute))); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Draft(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the oldest draft is kept beyond the limit: %v", err)
	}
	// A copy: changing what was read changes nothing kept.
	d, err := p.Draft(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	d.Answers["q"] = "changed"
	if again, _ := p.Draft(ctx, "b"); again.Answers["q"] != "b" {
		t.Errorf("the draft kept changed with the copy read: %v", again.Answers)
	}
	// Sending "b": no draft left, the same answers for a second send.
	r := survey.Response{Reference: "REF-1", SurveyID: "s", Round: "r", SubmissionKey: "b", Answers: d.Answers, Submitted: at.Add(6 * time.Minute)}
	if _, err := p.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	r2 := r
	r2.Reference = "REF-2"
	if got, _ := p.Submit(ctx, r2); got.Reference != "REF-1" {
		t.Errorf("a second send gave %s, want the first, REF-1", got.Reference)
	}
	if _, err := p.Draft(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the draft sent is kept: %v", err)
	}
	if got, err := p.SubmittedResponse(ctx, "b"); err != nil || got.Reference != "REF-1" {
		t.Errorf("sent from draft b: %+v, %v", got, err)
	}
	// Two hours on, everything has expired and goes before anything new.
	later := at.Add(3 * time.Hour)
	for i := range 3 {
		if err := p.SaveDraft(ctx, draft(fmt.Sprint("new", i), later)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.drafts) + len(p.responses); n != 3 {
		t.Errorf("%d kept, want 3", n)
	}
	if _, err := p.Response(ctx, "REF-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the answers sent two hours ago are kept: %v", err)
	}
	if len(p.sent) != 0 || len(p.kept) != 0 {
		t.Errorf("left behind: %v %v", p.sent, p.kept)
	}
	// Nothing else is kept, counted or queued.
	if n, _ := p.Increment(ctx, "k", later, later); n != 0 {
		t.Errorf("Increment counted %d", n)
	}
}
