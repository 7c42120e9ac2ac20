package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/testenv"
)

// TestSafeguardingAlert walks a child's flagged answer to the safeguarding
// lead's inbox on a real SMTP server: the alert is sent at once (the
// send wakes the mail worker, whose interval here is an hour), holds
// no answer and no reference, only the link to sign in; an unflagged
// answer sends nothing; the child's confirmation says who may read it and
// where to get help now; and the queueing, the sending and who then read
// the answer are in the audit log.
func TestSafeguardingAlert(t *testing.T) {
	smtp := testenv.StartSMTP(t)
	e := withMail(sqliteEnv(t), smtp)
	e["IWT_MAIL_INTERVAL"] = "1h" // the send wakes the worker: an alert does not wait for its next pass
	svc := start(t, e)
	d, ok := bundledCatalogue(t).Survey("children")
	if !ok {
		t.Fatal("no children survey in surveys/")
	}
	flow := "/s/" + d.ID + "/baseline"
	send := func(comment string) page {
		b := newBrowser(t, svc.URL)
		answerAll(t, b, d, "baseline", url.Values{"anything-else-comment": {comment}})
		return b.postWithToken(flow+"/check", url.Values{}).must(t, http.StatusOK)
	}
	quiet := send("I like my school and my friends")
	const words = "The big boys at the park hit me and I am scared to go there"
	done := send(words)
	ref := done.URL.Query().Get("ref")
	if ref == "" {
		t.Fatalf("sending led to %s", done.URL)
	}

	// The confirmation, flagged or not, says who may read it and where to
	// get help now, in the survey's words.
	for name, p := range map[string]page{"flagged": done, "not flagged": quiet} {
		got := text(p.Body)
		for _, want := range []string{"A grown-up whose job is to keep children safe may read what you wrote", "Childline", "0800 1111", "A teacher or another grown-up at school"} {
			if !strings.Contains(got, want) {
				t.Errorf("%s confirmation lacks %q: %s", name, want, got)
			}
		}
	}

	// The lead's inbox has the alert, and nothing of the answer.
	got := smtp.WaitFor(t, 1, mailWait)
	m := got[0]
	if m.To != "safeguarding-lead@example.org" || !strings.Contains(m.Body, "http://localhost:8080/staff/safeguarding") {
		t.Errorf("alert to %s:\n%s", m.To, m.Body)
	}
	for _, leak := range []string{"boys", "park", "hit", "scared", ref} {
		if strings.Contains(strings.ToLower(m.Subject+m.Body), strings.ToLower(leak)) {
			t.Errorf("the alert holds %q:\n%s\n%s", leak, m.Subject, m.Body)
		}
	}
	// The alert's sending is audited; by then any message queued for the
	// unflagged answer, sent before it, would have arrived too.
	deadline := time.Now().Add(mailWait)
	for !slices.ContainsFunc(auditActions(t, e), func(s string) bool { return strings.HasPrefix(s, "sent safeguarding alert children/baseline "+ref) }) {
		if time.Now().After(deadline) {
			t.Fatalf("no audit of the alert's sending:\n%s", strings.Join(auditActions(t, e), "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := len(smtp.Received()); n != 1 {
		t.Errorf("%d emails sent, want the one alert", n)
	}

	// An administrator reads it: who read which answer is in the log.
	staffBrowser(t, svc, "admin", "").get("/staff/safeguarding").must(t, http.StatusOK)
	log := strings.Join(auditActions(t, e), "\n")
	for _, want := range []string{"queued safeguarding alert children/baseline " + ref, "sent safeguarding alert children/baseline " + ref + " to the survey's safeguarding lead", "viewed safeguarding review 1 flagged answers: " + ref} {
		if !strings.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, log)
		}
	}
	if strings.Count(log, "queued safeguarding alert") != 1 || strings.Contains(log, "scared") {
		t.Errorf("audit log, want one alert queued and no answer:\n%s", log)
	}
}
