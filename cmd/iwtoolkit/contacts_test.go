package main

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/testenv"
)

// withMail points a service's environment at a real SMTP server on
// loopback, looked at often so that tests need not wait long.
func withMail(e env, smtp *testenv.SMTPServer) env {
	e["IWT_SMTP_HOST"], e["IWT_SMTP_PORT"], e["IWT_SMTP_TLS"] = smtp.Host, strconv.Itoa(smtp.Port), "none"
	e["IWT_SMTP_FROM"], e["IWT_MAIL_INTERVAL"] = "surveys@trust.example.gov.uk", "200ms"
	return e
}

// uploadContacts posts the contact list form with a file, as a browser does.
func uploadContacts(t *testing.T, b *browser, fields url.Values, csv string) page {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", csrfOf(t, b.get("/staff/contacts?survey="+fields.Get("survey"))))
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("contacts", "contacts.csv")
	fw.Write([]byte(csv))
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+"/staff/contacts", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// A long enough time for the service to send what it has queued, on a busy
// machine: a bound, not a speed.
const mailWait = 2 * time.Minute

var mailLink = regexp.MustCompile(`http://localhost:8080/i/([0-9a-f]{40})`)
var optOutLink = regexp.MustCompile(`http://localhost:8080(/o/[0-9a-f]+-[0-9a-f]+)`)

func TestContactsByEmail(t *testing.T) {
	t.Parallel()
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testContactsByEmail(t, newEnv(t)) })
	}
}

func testContactsByEmail(t *testing.T, e env) {
	ctx := context.Background()
	smtp := testenv.StartSMTP(t)
	svc := start(t, withMail(e, smtp))
	d := bundled(t)
	st := storeOf(t, e)
	coordinator := staffBrowser(t, svc, "coordinator", "police")
	contacts := func() int {
		n := 0
		if err := st.RoundContacts(ctx, d.ID, "baseline", func(store.ContactState) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Another organisation's list is refused, and nothing is stored.
	uploadContacts(t, coordinator, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"community-health-trust"}}, "email\nx@example.org\n").
		must(t, http.StatusForbidden)
	// A list with bad lines is refused whole, with their line numbers.
	bad := "\uFEFFemail,name\r\nann@example.org,Ann\r\nnot-an-address,Bob\r\nANN@example.org,Ann again\r\n"
	p := uploadContacts(t, coordinator, url.Values{"survey": {d.ID}, "round": {"baseline"}}, bad).must(t, http.StatusUnprocessableEntity)
	problems := text(element(t, p.Body, "div", "problems"))
	for _, want := range []string{"Line 3: this is not an email address", "Line 4: the same email address as line 2"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems %q do not say %q", problems, want)
		}
	}
	// A quote never closed: a clear message with its line, not a 500.
	p = uploadContacts(t, coordinator, url.Values{"survey": {d.ID}, "round": {"baseline"}}, "email,name\nann@example.org,\"Ann\nbob@example.org,Bob\n").must(t, http.StatusUnprocessableEntity)
	if problems := text(element(t, p.Body, "div", "problems")); !strings.Contains(problems, "Line 2: a quote (\") opened on this line is never closed") {
		t.Errorf("problems of an unclosed quote: %q", problems)
	}
	if n := contacts(); n != 0 {
		t.Fatalf("%d contacts stored from refused lists", n)
	}

	// The mail server refuses Dan's address for good.
	smtp.Reject("dan@example.org")
	good := "\uFEFFemail,name\r\nann@example.org,Ann\r\nbob@example.org,Bob\r\ncat@example.org,\r\ndan@example.org,Dan\r\n"
	p = uploadContacts(t, coordinator, url.Values{"survey": {d.ID}, "round": {"baseline"}}, good).must(t, http.StatusOK)
	if !strings.Contains(text(p.Body), "4 invitations queued") {
		t.Errorf("after the upload: %s", text(p.Body))
	}
	got := smtp.WaitFor(t, 3, mailWait)
	links, optOuts := map[string]string{}, map[string]string{}
	for _, m := range got {
		l, o := mailLink.FindStringSubmatch(m.Body), optOutLink.FindStringSubmatch(m.Body)
		if l == nil || o == nil {
			t.Fatalf("email to %s has no link or no opt-out link:\n%s", m.To, m.Body)
		}
		links[m.To], optOuts[m.To] = l[1], o[1]
	}
	if len(links) != 3 || links["ann@example.org"] == links["bob@example.org"] {
		t.Fatalf("links: %v", links)
	}

	// Ann's link works once: she answers through it.
	flow := "/s/" + d.ID + "/baseline"
	ann := newBrowser(t, svc.URL)
	if p := ann.get("/i/"+links["ann@example.org"]).must(t, http.StatusOK); p.URL.Path != flow {
		t.Fatalf("Ann's link led to %s", p.URL)
	}
	answerAll(t, ann, d, "baseline", nil)
	send(t, ann, flow)
	newBrowser(t, svc.URL).get("/i/"+links["ann@example.org"]).must(t, http.StatusGone)

	// Bob opts out, with one button, no reason asked.
	bob := newBrowser(t, svc.URL)
	form := bob.get(optOuts["bob@example.org"]).must(t, http.StatusOK)
	if !strings.Contains(form.Body, `id="stop_emails"`) {
		t.Fatalf("opt-out page: %s", text(form.Body))
	}
	if done := bob.postWithToken(optOuts["bob@example.org"], url.Values{}).must(t, http.StatusOK); !strings.Contains(done.Body, `id="opted_out"`) {
		t.Errorf("after opting out: %s", text(done.Body))
	}
	// Bob's link with its last character changed, to one it cannot already be.
	wrong := optOuts["bob@example.org"]
	last := "0"
	if strings.HasSuffix(wrong, last) {
		last = "1"
	}
	newBrowser(t, svc.URL).get(wrong[:len(wrong)-1]+last).must(t, http.StatusNotFound)

	// An administrator sets the round's reminder schedule on its page: a
	// bad one is shown again as typed, with what is wrong; a co-ordinator
	// cannot set one. Its first day is far off, so that none is due here.
	admin := staffBrowser(t, svc, "admin", "")
	base := "/staff/surveys/" + d.ID + "/rounds/baseline"
	setReminders := func(form url.Values) page {
		form.Set("csrf_token", csrfOf(t, admin.get(base)))
		return admin.post(base+"/reminders", form)
	}
	coordinator.post(base+"/reminders", url.Values{"csrf_token": {csrfOf(t, coordinator.get("/staff/contacts?survey="+d.ID))},
		"reminder_days": {"30"}, "most_reminders": {"2"}}).must(t, http.StatusForbidden)
	if got := text(element(t, admin.get(base).Body, "p", "reminder_schedule")); !strings.Contains(got, "Only when staff send them, at most 3 to one person (the service's default)") {
		t.Errorf("before any schedule is set, the round's page says %q", got)
	}
	for _, bad := range []struct{ days, most, field, says string }{
		{"7, fourteen", "2", "reminder_days", "whole numbers from 1 to 365"},
		{"7, 7", "2", "reminder_days", "each day once"},
		{"30, 60, 90", "2", "most_reminders", "at least the number of days in the schedule (3)"},
		{"30", "eleven", "most_reminders", "from 0 to 10"},
	} {
		p := setReminders(url.Values{"reminder_days": {bad.days}, "most_reminders": {bad.most}}).must(t, http.StatusUnprocessableEntity)
		if msg := text(element(t, p.Body, "p", bad.field+"_error")); !strings.Contains(msg, bad.says) || !strings.Contains(p.Body, `class="govuk-error-summary"`) {
			t.Errorf("schedule %q, at most %q: %q, want %q in an error summary", bad.days, bad.most, msg, bad.says)
		}
		if !strings.Contains(p.Body, `value="`+bad.days+`"`) || !strings.Contains(p.Body, `value="`+bad.most+`"`) {
			t.Errorf("schedule %q, at most %q: not kept in the form", bad.days, bad.most)
		}
	}
	p = setReminders(url.Values{"reminder_days": {"60 30"}, "most_reminders": {"2"}}).must(t, http.StatusOK)
	const schedule = "30 and 60 days after the invitation, at most 2 to one person, none once the round closes"
	if got := text(element(t, p.Body, "p", "reminder_schedule")); !strings.Contains(got, schedule) || strings.Contains(got, "survey file") {
		t.Errorf("the round's page says %q, want %q", got, schedule)
	}
	if got := text(element(t, coordinator.get("/staff/contacts?survey="+d.ID).Body, "dd", "schedule_baseline")); !strings.Contains(got, schedule) {
		t.Errorf("the contact lists page says %q, want %q", got, schedule)
	}

	// Dan's invitation was refused for good, and the page says why, in
	// words for a co-ordinator. (Wait until the queue has recorded it.)
	var summary string
	for deadline := time.Now().Add(mailWait); ; time.Sleep(50 * time.Millisecond) {
		summary = text(element(t, coordinator.get("/staff/contacts?survey="+d.ID).must(t, http.StatusOK).Body, "dl", "mail_baseline"))
		if strings.Contains(summary, "Invitations 3 sent, 0 waiting, 1 not sent") || time.Now().After(deadline) {
			break
		}
	}
	for _, want := range []string{"People on the list 4", "Invitations 3 sent, 0 waiting, 1 not sent", "Asked for no more emails 1"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the round's summary %q does not say %q", summary, want)
		}
	}
	page := coordinator.get("/staff/contacts?survey=" + d.ID)
	if why := text(element(t, page.Body, "table", "why_baseline")); !strings.Contains(why, "Invitation Not sent The mail server refused the address 1") || strings.Contains(why, "smtp") {
		t.Errorf("the reasons a co-ordinator reads: %q", why)
	}
	if why := text(element(t, admin.get("/staff/contacts?survey="+d.ID).Body, "table", "why_baseline")); !strings.Contains(why, store.ReasonRefused+"mail: smtp: refused with 550 5.1.1") {
		t.Errorf("the reasons an administrator reads: %q", why)
	}

	// Reminders go to Cat only: Ann answered, Bob opted out, Dan's address
	// was refused. How many were reminded is never said: it would say how
	// many have answered.
	p = coordinator.post("/staff/contacts/remind", url.Values{"csrf_token": {csrfOf(t, coordinator.get("/staff/contacts?survey="+d.ID))},
		"survey": {d.ID}, "round": {"baseline"}}).must(t, http.StatusOK)
	if notice := text(element(t, p.Body, "p", "notice")); !strings.Contains(notice, "How many is not shown") || strings.ContainsAny(notice, "0123456789") {
		t.Errorf("the notice after reminding says %q", notice)
	}
	got = smtp.WaitFor(t, 4, mailWait)
	if r := got[3]; r.To != "cat@example.org" || !strings.HasPrefix(r.Subject, "Reminder:") || !strings.Contains(r.Body, links["cat@example.org"]) {
		t.Errorf("reminder: to %s, %q\n%s", r.To, r.Subject, r.Body)
	}
	// The mail server has the reminder; the queue records it just after.
	for deadline := time.Now().Add(mailWait); ; time.Sleep(50 * time.Millisecond) {
		counts, err := st.MailCounts(ctx, d.ID, "baseline")
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(counts, store.MailCount{Organisation: "police", Kind: store.MailReminder, State: store.MailSent, N: 1}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reminder was not recorded as sent: %v", counts)
		}
	}
	page = coordinator.get("/staff/contacts?survey=" + d.ID)
	if got := text(element(t, page.Body, "dl", "mail_baseline")); !strings.Contains(got, "Who has answered Not shown, nor how many reminders went") || strings.Contains(got, "Reminders") {
		t.Errorf("the round's summary counts reminders or who answered: %q", got)
	}
	if why := text(element(t, page.Body, "table", "why_baseline")); strings.Contains(why, "Reminder") {
		t.Errorf("the reasons show reminders: %q", why)
	}
	if got := smtp.Received(); len(got) != 4 {
		t.Errorf("%d emails received, want 4: Dan was reminded though his address was refused", len(got))
	}
	// The audit log has counts, never an address.
	for _, a := range auditActions(t, e) {
		if strings.Contains(a, "ann@") || strings.Contains(a, "bob@") || strings.Contains(a, "cat@") || strings.Contains(a, "dan@") {
			t.Errorf("an address in the audit log: %q", a)
		}
	}
	if logs := svc.logs.String(); strings.Contains(logs, "ann@example.org") || strings.Contains(logs, "cat@example.org") || strings.Contains(logs, "dan@example.org") {
		t.Error("the service logged a contact's address")
	}

	// Only an administrator deletes a list before retention.
	coordinator.post("/staff/contacts/delete", url.Values{"csrf_token": {csrfOf(t, coordinator.get("/staff/contacts?survey="+d.ID))},
		"survey": {d.ID}, "round": {"baseline"}, "confirm": {"yes"}}).must(t, http.StatusForbidden)

	// The export has the contacts; the round's retention deletes them.
	if export := admin.get("/staff/export.jsonl").must(t, http.StatusOK); strings.Count(export.Body, `"type":"contact"`) != 4 {
		t.Errorf("the export has %d contacts, want 4", strings.Count(export.Body, `"type":"contact"`))
	}
	admin.postWithToken(base+"/close", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
	admin.postWithToken(base+"/delete-responses", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
	if n := contacts(); n != 0 {
		t.Errorf("%d contacts left after the round's retention deletion", n)
	}
	if counts, _ := st.MailCounts(ctx, d.ID, "baseline"); len(counts) != 0 {
		t.Errorf("messages left after the round's retention deletion: %v", counts)
	}
}

// TestInviteCommand adds a list from the command line (a bad one refused
// with FILE:line), reminds, and a service then sends it all.
func TestInviteCommand(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	badFile, goodFile := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "good.csv")
	os.WriteFile(badFile, []byte("email\nok@example.org\nnope\n"), 0o600)
	os.WriteFile(goodFile, []byte("\uFEFFEmail\r\nok@example.org\r\nother@example.org\r\n"), 0o600)
	args := []string{"invite", "--survey", "integrated-working", "--round", "baseline", "--organisation", "police", "--contacts"}
	var out bytes.Buffer
	err := run(ctx, append(args, badFile), e.getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), badFile+":3: this is not an email address") {
		t.Fatalf("invite with a bad list: %v", err)
	}
	// A quote never closed: its line, no panic, nothing stored.
	quoteFile := filepath.Join(dir, "quote.csv")
	os.WriteFile(quoteFile, []byte("email,name\nok@example.org,Ok\nbob@example.org,\"Bob\nother@example.org,Other\n"), 0o600)
	if err := run(ctx, append(args, quoteFile), e.getenv, &out, &out); err == nil || !strings.Contains(err.Error(), quoteFile+":3: a quote") {
		t.Fatalf("invite with an unclosed quote: %v", err)
	}
	if err := run(ctx, append(args, goodFile), e.getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"remind", "--survey", "integrated-working", "--round", "baseline"}, e.getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2 invitations queued") || !strings.Contains(out.String(), "0 reminders queued") {
		t.Errorf("output:\n%s", out.String())
	}
	smtp := testenv.StartSMTP(t)
	start(t, withMail(e, smtp))
	got := smtp.WaitFor(t, 2, mailWait)
	if got[0].To == got[1].To {
		t.Errorf("two emails to %s", got[0].To)
	}
}

// TestContactsInTheirLanguage: a person listed with Polish gets their
// email in Polish; its link opens the survey in Polish, and its opt-out
// page is in Polish.
func TestContactsInTheirLanguage(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	smtp := testenv.StartSMTP(t)
	svc := start(t, withMail(e, smtp))
	yp, _ := bundledCatalogue(t).Survey("young-people")
	admin := staffBrowser(t, svc, "admin", "")
	page := admin.get("/staff/contacts?survey="+yp.ID).must(t, http.StatusOK)
	if hint := text(element(t, page.Body, "p", "languages_hint")); !strings.Contains(hint, "also written in pl (Polski)") {
		t.Errorf("the upload form does not say the survey is in Polish: %q", hint)
	}
	p := uploadContacts(t, admin, url.Values{"survey": {yp.ID}, "round": {"baseline"}, "organisation": {"schools"}},
		"email,language\nola@example.org,Polish\n").must(t, http.StatusOK)
	if !strings.Contains(text(p.Body), "1 invitation queued") {
		t.Fatalf("after the upload: %s", text(p.Body))
	}
	m := smtp.WaitFor(t, 1, mailWait)[0]
	if !strings.HasPrefix(m.Subject, "Prosimy o odpowiedź: ") {
		t.Errorf("subject %q is not Polish", m.Subject)
	}
	link := regexp.MustCompile(`http://localhost:8080(/i/[0-9a-f]{40}\?lang=pl)`).FindStringSubmatch(m.Body)
	optOut := optOutLink.FindStringSubmatch(m.Body)
	if link == nil || optOut == nil {
		t.Fatalf("no Polish link or no opt-out link in:\n%s", m.Body)
	}
	ola := newBrowser(t, svc.URL)
	start := ola.get(link[1]).must(t, http.StatusOK)
	if !strings.Contains(start.Body, `<html lang="pl"`) || !strings.Contains(start.Body, yp.In("pl").Title) {
		t.Errorf("the link opened %s, not in Polish", start.URL)
	}
	// With reminders turned off for the round there is no button to send them.
	if !strings.Contains(admin.get("/staff/contacts?survey="+yp.ID).Body, `id="remind_baseline"`) {
		t.Error("no reminder button on an open round")
	}
	base := "/staff/surveys/" + yp.ID + "/rounds/baseline"
	admin.post(base+"/reminders", url.Values{"csrf_token": {csrfOf(t, admin.get(base))}, "reminder_days": {""}, "most_reminders": {"0"}}).must(t, http.StatusOK)
	if p := admin.get("/staff/contacts?survey=" + yp.ID); strings.Contains(p.Body, `id="remind_baseline"`) || !strings.Contains(text(element(t, p.Body, "dd", "schedule_baseline")), "None") {
		t.Errorf("with reminders turned off: %s", text(element(t, p.Body, "dl", "mail_baseline")))
	}
	stop := newBrowser(t, svc.URL).get(optOut[1]).must(t, http.StatusOK)
	if !strings.Contains(stop.Body, `<html lang="pl"`) || !strings.Contains(text(stop.Body), "Rezygnacja z wiadomości") {
		t.Errorf("the opt-out page is not in Polish: %s", text(stop.Body))
	}
}
