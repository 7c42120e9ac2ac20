package respond_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/testenv"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/webtest"
)

// A child whose flagged answers were stored is told they were sent, and
// their safeguarding alert reaches the lead once, because the alert is
// stored in the same write as the answers. The store is broken behind the
// service, as an outage breaks it between two writes. Before, the answers
// were stored and the alert was then queued apart: with the mail queue's
// table gone, the child was told "not sent" of stored answers. Now that
// send stores neither, and says so; sent again with the queue back but
// the audit log's table gone (the one write left after storing), the
// child is confirmed, and the mail worker is woken to send the alert at
// once; and once the mail server is back up the alert is delivered, once,
// however often the worker runs.
func TestAlertStoredWithTheAnswers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := webtest.SQLiteIn(t, dir)
	var wakes atomic.Int32 // the mail worker woken to send an alert at once
	serveWith(t, e, func(o *respond.Options) { o.Queued = func() { wakes.Add(1) } })
	d := e.Survey("children")
	flow := "/s/" + d.ID + "/baseline"
	const words = "The big boys at the park hit me and I am scared to go there"
	b := e.Browser()
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		form := answer(d, sec, answers, webtest.Respondent{Level: "3"}, 0)
		if sec.ID == "anything-else" {
			form.Set("anything-else-comment", words)
		}
		b.PostWithToken(flow+"/section/"+sec.ID, form).Must(http.StatusOK)
	}
	stored, rename := behindTheService(t, e, dir, d.ID)
	sendNow := func(broken string) {
		t.Helper()
		p := b.PostFrom(flow+"/resume", flow+"/check", nil)
		told := p.Status == http.StatusOK && p.URL.Path == flow+"/done"
		if n := stored(); told != (n == 1) {
			t.Fatalf("with the %s table gone: told sent %v, %d stored (status %d at %s): %s", broken, told, n, p.Status, p.URL.Path, p.Text())
		}
	}

	rename("mail", "mail_away")
	sendNow("mail queue's")
	rename("mail_away", "mail")
	rename("audit", "audit_away")
	sendNow("audit log's")
	rename("audit_away", "audit")
	ref := send(t, b, flow) // the confirmation, whichever send stored it
	if n := stored(); n != 1 {
		t.Fatalf("%d responses stored, want 1", n)
	}
	if n := wakes.Load(); n != 1 {
		t.Errorf("the mail worker woken %d times, want once, for the send that stored the answers", n)
	}

	smtp := testenv.StartSMTP(t)
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: smtp.Host, Port: smtp.Port, From: "survey@example.org", TLS: "none", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	w := &mail.Worker{Store: e.Store, Sender: sender, Surveys: e.Surveys, Links: e.Links, Owner: "test", Now: e.Clock,
		Backoff: func(int) time.Duration { return 0 }}
	pass := func() mail.Result {
		t.Helper()
		res, err := w.Once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	smtp.Down(true)
	if res := pass(); res.Retried != 1 {
		t.Errorf("with the mail server down: %+v, want the alert kept to retry", res)
	}
	smtp.Down(false)
	if res := pass(); res.Sent != 1 {
		t.Errorf("with the mail server up: %+v, want the alert sent", res)
	}
	for range 2 {
		if res := pass(); res != (mail.Result{}) {
			t.Errorf("once sent: %+v, want nothing more", res)
		}
	}
	got := smtp.Received()
	if len(got) != 1 || got[0].To != "safeguarding-lead@example.org" {
		t.Fatalf("emails: %+v, want the one alert to the lead", got)
	}
	for _, leak := range []string{"boys", "scared", ref} {
		if strings.Contains(got[0].Subject+got[0].Body, leak) {
			t.Errorf("the alert holds %q:\n%s", leak, got[0].Body)
		}
	}
}
