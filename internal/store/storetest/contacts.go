package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

var contactTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"Contacts", testContacts},
	{"MailLeases", testMailLeases},
	{"ConcurrentMailClaims", testConcurrentMailClaims},
	{"OptOut", testOptOut},
	{"DeleteContacts", testDeleteContacts},
	{"Alerts", testAlerts},
}

// contactList makes n contacts of a round and organisation, each with an
// invitation and a queued invitation message due at t0.
func contactList(prefix, round, org string, n int) ([]store.Contact, []survey.Invitation, []store.MailMessage) {
	var cs []store.Contact
	var invs []survey.Invitation
	var msgs []store.MailMessage
	for i := range n {
		id := fmt.Sprintf("%s-%03d", prefix, i)
		inv := survey.Invitation{Key: "inv-" + id, SurveyID: "iw", Round: round, Organisation: org, RespondentKey: "rk-" + id, Created: t0}
		c := store.Contact{ID: id, SurveyID: "iw", Round: round, Organisation: org, Email: id + "@example.org", Name: "Zoë " + id,
			InvitationKey: inv.Key, Created: t0.Add(time.Duration(i) * time.Millisecond)}
		if i%2 == 1 {
			c.Language = "cy" // every other contact's emails are in Welsh
		}
		m := store.MailMessage{ID: store.MailID(id, 0), ContactID: id, SurveyID: "iw", Round: round, Organisation: org, Kind: store.MailInvitation, NextAttempt: t0, Created: t0}
		cs, invs, msgs = append(cs, c), append(invs, inv), append(msgs, m)
	}
	return cs, invs, msgs
}

func roundContacts(t *testing.T, s store.Store, round string) []store.ContactState {
	t.Helper()
	var out []store.ContactState
	if err := s.RoundContacts(context.Background(), "iw", round, func(c store.ContactState) error { out = append(out, c); return nil }); err != nil {
		t.Fatalf("RoundContacts: %v", err)
	}
	return out
}

func mc(org, kind, state string, n int) store.MailCount {
	return store.MailCount{Organisation: org, Kind: kind, State: state, N: n}
}

func testContacts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	cs, invs, msgs := contactList("a", "baseline", "org-a", 3)
	if err := s.AddContacts(ctx, cs, invs, msgs); err != nil {
		t.Fatalf("AddContacts: %v", err)
	}
	got, err := s.Contact(ctx, cs[1].ID)
	if err != nil || !cmp.Equal(got, cs[1]) {
		t.Errorf("Contact = %+v, %v; want %+v", got, err, cs[1])
	}
	if _, err := s.Contact(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Contact(nobody): %v, want ErrNotFound", err)
	}
	if _, used, err := s.Invitation(ctx, invs[0].Key); err != nil || used {
		t.Errorf("Invitation of a contact: used %v, %v", used, err)
	}
	// A response through the second contact's invitation makes it used.
	r := Response(1, "iw", "baseline", t0)
	r.Invitation = invs[1].Key
	if _, err := s.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	states := roundContacts(t, s, "baseline")
	if len(states) != 3 {
		t.Fatalf("RoundContacts gave %d, want 3", len(states))
	}
	for i, st := range states {
		if !cmp.Equal(st.Contact, cs[i]) || st.Used != (i == 1) || !st.Pending || st.Reminders != 0 {
			t.Errorf("contact %d: %+v", i, st)
		}
	}
	// A reminder queued once, however many times it is asked for.
	rem := store.MailMessage{ID: store.MailID(cs[0].ID, 1), ContactID: cs[0].ID, SurveyID: "iw", Round: "baseline", Organisation: "org-a", Kind: store.MailReminder, NextAttempt: t0, Created: t0}
	for want := 1; want >= 0; want-- {
		if n, err := s.QueueMail(ctx, []store.MailMessage{rem}); err != nil || n != want {
			t.Errorf("QueueMail = %d, %v; want %d", n, err, want)
		}
	}
	if st := roundContacts(t, s, "baseline")[0]; st.Reminders != 1 {
		t.Errorf("reminders = %d, want 1", st.Reminders)
	}
	counts, err := s.MailCounts(ctx, "iw", "baseline")
	want := []store.MailCount{mc("org-a", store.MailInvitation, store.MailQueued, 3), mc("org-a", store.MailReminder, store.MailQueued, 1)}
	if err != nil || !cmp.Equal(counts, want) {
		t.Errorf("MailCounts = %v, %v; want %v", counts, err, want)
	}
	var all []store.Contact
	if err := s.AllContacts(ctx, func(c store.Contact) error { all = append(all, c); return nil }); err != nil || !cmp.Equal(all, cs) {
		t.Errorf("AllContacts = %v, %v", all, err)
	}
	// A list whose ids clash stores none of itself.
	bad, badInvs, badMsgs := contactList("b", "baseline", "org-a", 2)
	bad = append(bad, cs[0])
	if err := s.AddContacts(ctx, bad, badInvs, badMsgs); err == nil {
		t.Error("AddContacts with a clashing id: no error")
	}
	if n := len(roundContacts(t, s, "baseline")); n != 3 {
		t.Errorf("after a refused list: %d contacts, want 3", n)
	}
	if _, _, err := s.Invitation(ctx, badInvs[0].Key); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("invitation of a refused list: %v, want ErrNotFound", err)
	}
}

func testMailLeases(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	cs, invs, msgs := contactList("m", "baseline", "org-a", 2)
	msgs[1].NextAttempt = t0.Add(time.Hour) // not due yet
	if err := s.AddContacts(ctx, cs, invs, msgs); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimMail(ctx, "one", t0, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != msgs[0].ID || got[0].Owner != "one" || got[0].Attempts != 1 || !got[0].LeasedUntil.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ClaimMail = %+v, %v", got, err)
	}
	if again, err := s.ClaimMail(ctx, "two", t0.Add(time.Second), time.Minute, 10); err != nil || len(again) != 0 {
		t.Errorf("ClaimMail while leased = %+v, %v; want none", again, err)
	}
	// The lease runs out: another worker takes it, and the first can no
	// longer record an outcome.
	late, err := s.ClaimMail(ctx, "two", t0.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(late) != 1 || late[0].Attempts != 2 {
		t.Fatalf("ClaimMail after the lease = %+v, %v", late, err)
	}
	stale := got[0]
	stale.State = store.MailSent
	if err := s.FinishMail(ctx, stale, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("FinishMail by a lost lease: %v, want ErrConflict", err)
	}
	// A refusal: retried later, not before.
	retry := late[0]
	retry.State, retry.Reason, retry.NextAttempt = store.MailQueued, "421 try later", t0.Add(10*time.Minute)
	if err := s.FinishMail(ctx, retry, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if early, _ := s.ClaimMail(ctx, "two", t0.Add(5*time.Minute), time.Minute, 10); len(early) != 0 {
		t.Errorf("claimed before its retry time: %+v", early)
	}
	// Those waiting are counted by why the last attempt failed.
	counts, err := s.MailCounts(ctx, "iw", "baseline")
	waiting := []store.MailCount{mc("org-a", store.MailInvitation, store.MailQueued, 1), mc("org-a", store.MailInvitation, store.MailQueued, 1)}
	waiting[1].Reason = "421 try later"
	if err != nil || !cmp.Equal(counts, waiting) {
		t.Errorf("MailCounts while one waits to be tried again = %v, %v; want %v", counts, err, waiting)
	}
	due, err := s.ClaimMail(ctx, "three", t0.Add(2*time.Hour), time.Minute, 10)
	if err != nil || len(due) != 2 || due[0].ID != msgs[0].ID || due[0].Reason != "421 try later" || due[0].Attempts != 3 {
		t.Fatalf("ClaimMail when due = %+v, %v", due, err)
	}
	due[0].State = store.MailSent
	due[1].State, due[1].Reason = store.MailFailed, store.ReasonRefused+"550 no such mailbox"
	for _, m := range due {
		if err := s.FinishMail(ctx, m, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if more, _ := s.ClaimMail(ctx, "three", t0.Add(48*time.Hour), time.Minute, 10); len(more) != 0 {
		t.Errorf("claimed a finished message: %+v", more)
	}
	// A message sent after a failure is counted as sent, with no reason.
	counts, err = s.MailCounts(ctx, "iw", "baseline")
	want := []store.MailCount{mc("org-a", store.MailInvitation, store.MailFailed, 1), mc("org-a", store.MailInvitation, store.MailSent, 1)}
	want[0].Reason = store.ReasonRefused + "550 no such mailbox"
	if err != nil || !cmp.Equal(counts, want) {
		t.Errorf("MailCounts = %v, %v; want %v", counts, err, want)
	}
	if st := roundContacts(t, s, "baseline"); st[0].Pending || st[1].Pending {
		t.Errorf("finished messages still pending: %+v", st)
	}
	// The address refused for good is known as such; the one sent after a
	// refusal for now is not.
	if st := roundContacts(t, s, "baseline"); st[0].Refused || !st[1].Refused {
		t.Errorf("refused: %v and %v, want false and true", st[0].Refused, st[1].Refused)
	}
}

// testConcurrentMailClaims is two instances on one store, each with
// workers claiming at the same moment: every message is claimed once.
func testConcurrentMailClaims(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	a, b := open(t), open(t)
	const n = 40
	cs, invs, msgs := contactList("c", "baseline", "org-a", n)
	if err := a.AddContacts(ctx, cs, invs, msgs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	claimed := map[string]string{}
	var wg sync.WaitGroup
	for w, s := range []store.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("worker-%d", w)
			for {
				got, err := s.ClaimMail(ctx, owner, t0, time.Hour, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, m := range got {
					mu.Lock()
					if prev, ok := claimed[m.ID]; ok {
						t.Errorf("%s claimed by %s and %s", m.ID, prev, owner)
					}
					claimed[m.ID] = owner
					mu.Unlock()
					m.State = store.MailSent
					if err := s.FinishMail(ctx, m, t0); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d messages claimed, want %d", len(claimed), n)
	}
}

func testOptOut(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	cs, invs, msgs := contactList("o", "baseline", "org-a", 2)
	if err := s.AddContacts(ctx, cs, invs, msgs); err != nil {
		t.Fatal(err)
	}
	if err := s.OptOut(ctx, cs[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.OptOut(ctx, "nobody", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OptOut(nobody): %v, want ErrNotFound", err)
	}
	if c, _ := s.Contact(ctx, cs[0].ID); !c.OptedOut {
		t.Error("contact not opted out")
	}
	got, err := s.ClaimMail(ctx, "w", t0, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ContactID != cs[1].ID {
		t.Errorf("ClaimMail after an opt-out = %+v, %v", got, err)
	}
	rem := store.MailMessage{ID: store.MailID(cs[0].ID, 1), ContactID: cs[0].ID, SurveyID: "iw", Round: "baseline", Organisation: "org-a", Kind: store.MailReminder, NextAttempt: t0, Created: t0}
	if n, err := s.QueueMail(ctx, []store.MailMessage{rem}); err != nil || n != 0 {
		t.Errorf("QueueMail to an opted-out contact = %d, %v; want 0", n, err)
	}
	counts, _ := s.MailCounts(ctx, "iw", "baseline")
	want := []store.MailCount{mc("org-a", store.MailInvitation, store.MailFailed, 1), mc("org-a", store.MailInvitation, store.MailQueued, 1)}
	want[0].Reason = "opted out"
	if !cmp.Equal(counts, want) {
		t.Errorf("MailCounts = %v; want %v", counts, want)
	}
}

func testDeleteContacts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	for _, l := range []struct{ prefix, round, org string }{{"d", "baseline", "org-a"}, {"e", "baseline", "org-b"}, {"f", "follow-up", "org-a"}} {
		cs, invs, msgs := contactList(l.prefix, l.round, l.org, 2)
		if err := s.AddContacts(ctx, cs, invs, msgs); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.DeleteContacts(ctx, "iw", "baseline", "org-b"); err != nil || n != 2 {
		t.Errorf("DeleteContacts(org-b) = %d, %v; want 2", n, err)
	}
	if n := len(roundContacts(t, s, "baseline")); n != 2 {
		t.Errorf("baseline has %d contacts, want 2", n)
	}
	if n, err := s.DeleteContacts(ctx, "iw", "baseline", ""); err != nil || n != 2 {
		t.Errorf("DeleteContacts(all) = %d, %v; want 2", n, err)
	}
	if n := len(roundContacts(t, s, "baseline")); n != 0 {
		t.Errorf("baseline has %d contacts after deletion", n)
	}
	if counts, _ := s.MailCounts(ctx, "iw", "baseline"); len(counts) != 0 {
		t.Errorf("messages left after deletion: %v", counts)
	}
	if _, _, err := s.Invitation(ctx, "inv-d-000"); err != nil {
		t.Errorf("the invitation went with its contact: %v", err)
	}
	if n := len(roundContacts(t, s, "follow-up")); n != 2 {
		t.Errorf("another round lost contacts: %d left", n)
	}
}

// testAlerts checks the messages with no contact (safeguarding alerts):
// queued once whatever the contact lists hold, claimed and finished like
// any message, left out of a round's counts of contacts' email, and
// deleted with the round's contacts of all organisations.
func testAlerts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	alert := store.MailMessage{ID: "alert/REF1", SurveyID: "iw", Round: "baseline", Kind: store.MailAlert, NextAttempt: t0, Created: t0}
	for i, want := range []int{1, 0} { // a second queueing (a repeated send) adds nothing
		if n, err := s.QueueMail(ctx, []store.MailMessage{alert}); err != nil || n != want {
			t.Fatalf("QueueMail(alert) #%d = %d, %v; want %d", i+1, n, err, want)
		}
	}
	if counts, err := s.MailCounts(ctx, "iw", "baseline"); err != nil || len(counts) != 0 {
		t.Errorf("MailCounts with only an alert = %v, %v; want none", counts, err)
	}
	got, err := s.ClaimMail(ctx, "w1", t0, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].ID != alert.ID || got[0].Kind != store.MailAlert || got[0].ContactID != "" {
		t.Fatalf("ClaimMail = %+v, %v; want the alert", got, err)
	}
	got[0].State = store.MailSent
	if err := s.FinishMail(ctx, got[0], t0); err != nil {
		t.Fatalf("FinishMail(alert): %v", err)
	}
	// A coordinator's deletion (one organisation) keeps it; the round's
	// deletion removes it, so it can be queued again.
	if _, err := s.DeleteContacts(ctx, "iw", "baseline", "org-a"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.QueueMail(ctx, []store.MailMessage{alert}); err != nil || n != 0 {
		t.Errorf("QueueMail after one organisation's deletion = %d, %v; want 0 (still there)", n, err)
	}
	if _, err := s.DeleteContacts(ctx, "iw", "baseline", ""); err != nil {
		t.Fatal(err)
	}
	if n, err := s.QueueMail(ctx, []store.MailMessage{alert}); err != nil || n != 1 {
		t.Errorf("QueueMail after the round's deletion = %d, %v; want 1 (it was deleted)", n, err)
	}
}
