package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/store"
)

// testSubmitQueuesMail: the mail a response raises (a child's
// safeguarding alert) is stored with it, and claimed once: whoever claims,
// from two instances at once, and however often; a repeated submit, or
// one refused, queues nothing; erasing the response leaves its alert
// queued, as erasing does once the alert is queued; deleting a round's
// contacts deletes its alerts.
func testSubmitQueuesMail(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	a, b := open(t), open(t)
	alert := func(ref string) store.MailMessage {
		return store.MailMessage{ID: "alert/" + ref, SurveyID: "iw", Round: "baseline", Kind: store.MailAlert, NextAttempt: t0, Created: t0}
	}
	// A round's contacts deleted, for all its organisations, take its
	// alerts with them, those stored with a response just now too.
	closed := Response(5, "iw", "follow-up", t0)
	closedAlert := alert(closed.Reference)
	closedAlert.Round = closed.Round
	if _, err := a.Submit(ctx, closed, closedAlert); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteContacts(ctx, "iw", closed.Round, ""); err != nil {
		t.Fatalf("DeleteContacts: %v", err)
	}

	r := Response(1, "iw", "baseline", t0)
	if _, err := a.Submit(ctx, r, alert(r.Reference)); err != nil {
		t.Fatalf("Submit with an alert: %v", err)
	}
	again := Response(2, "iw", "baseline", t0) // the same draft sent again
	again.SubmissionKey = r.SubmissionKey
	if got, err := b.Submit(ctx, again, alert(again.Reference)); err != nil || got.Reference != r.Reference {
		t.Fatalf("Submit again = %s, %v; want the first, %s", got.Reference, err, r.Reference)
	}
	taken := Response(3, "iw", "baseline", t0) // a reference taken
	taken.Reference = r.Reference
	if _, err := a.Submit(ctx, taken, alert("REF03-00003")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Submit with a reference taken: %v, want ErrConflict", err)
	}
	erased := Response(4, "iw", "baseline", t0)
	if _, err := b.Submit(ctx, erased, alert(erased.Reference)); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteResponse(ctx, erased.Reference); err != nil {
		t.Fatalf("DeleteResponse: %v", err)
	}

	// Four workers on two instances claim at once, each pass after the
	// first finding nothing new to queue; and again after every lease
	// has run out.
	var mu sync.Mutex
	claimed := map[string]int{}
	for _, now := range []time.Time{t0, t0.Add(2 * time.Hour)} {
		var wg sync.WaitGroup
		for w, s := range []store.Store{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.ClaimMail(ctx, fmt.Sprintf("worker-%d", w), now, time.Hour, 1)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					claimed[got[0].ID]++
					mu.Unlock()
					got[0].State = store.MailSent
					if err := s.FinishMail(ctx, got[0], now); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
	}
	want := map[string]int{"alert/" + r.Reference: 1, "alert/" + erased.Reference: 1}
	if fmt.Sprint(claimed) != fmt.Sprint(want) {
		t.Errorf("claimed %v, want each alert once: %v", claimed, want)
	}
	// Queued, an alert is not queued again.
	if n, err := a.QueueMail(ctx, []store.MailMessage{alert(r.Reference)}); err != nil || n != 0 {
		t.Errorf("QueueMail of a queued alert = %d, %v; want 0", n, err)
	}
}
