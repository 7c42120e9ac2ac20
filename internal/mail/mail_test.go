package mail_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/mongo"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// The tests send through a real SMTP server on loopback
// (testenv.StartSMTP) from real stores: the embedded one always, MongoDB
// when MONGODB_URI is set.

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	st      mail.Store
	full    store.Store
	surveys *survey.Catalogue
	d       *survey.Definition
	links   *mail.Links
	smtp    *testenv.SMTPServer
	clock   *clock
}

// eachStore runs fn on the embedded store and, when there is one, on MongoDB.
func eachStore(t *testing.T, fn func(t *testing.T, open func(t *testing.T) store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fn(t, func(t *testing.T) store.Store {
			s, err := sqlite.Open(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close(context.Background()) })
			return s
		})
	})
	t.Run("mongo", func(t *testing.T) {
		srv, database := testenv.MongoDatabase(t)
		fn(t, func(t *testing.T) store.Store {
			s, err := mongo.Open(context.Background(), srv.URI, database)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close(context.Background()) })
			return s
		})
	})
}

func newFixture(t *testing.T, st store.Store) *fixture {
	t.Helper()
	cat, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := cat.Survey("integrated-working")
	closes := t0.Add(30 * 24 * time.Hour)
	if err := st.SetRoundState(context.Background(), store.RoundState{SurveyID: d.ID, Round: "baseline", Open: true, ClosesAt: closes, Created: t0, Updated: t0}); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, full: st, surveys: cat, d: d, links: mail.NewLinks(st, "https://iwt.example.gov.uk"), smtp: testenv.StartSMTP(t), clock: &clock{t: t0}}
}

func (f *fixture) worker(t *testing.T, owner string) *mail.Worker {
	t.Helper()
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: f.smtp.Host, Port: f.smtp.Port, From: "survey@trust.example.gov.uk", TLS: "none", Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Worker{Store: f.st, Sender: sender, Surveys: f.surveys, Links: f.links, Owner: owner, Now: f.clock.Now,
		Backoff: func(int) time.Duration { return time.Minute }}
}

func (f *fixture) importList(t *testing.T, csv string) {
	t.Helper()
	rows, problems := mail.ParseContacts(strings.NewReader(csv))
	if len(problems) > 0 {
		t.Fatalf("ParseContacts: %v", problems)
	}
	problems, err := mail.Import{Survey: f.d, Round: "baseline", Organisation: "council-childrens-services", Rows: rows, Now: f.clock.Now()}.Add(context.Background(), f.st, f.links)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Import: %v %v", problems, err)
	}
}

func drain(t *testing.T, w *mail.Worker) mail.Result {
	t.Helper()
	var all mail.Result
	for {
		res, err := w.Once(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if res == (mail.Result{}) {
			return all
		}
		all.Sent, all.Failed, all.Retried = all.Sent+res.Sent, all.Failed+res.Failed, all.Retried+res.Retried
	}
}

var linkPattern = regexp.MustCompile(`https://iwt\.example\.gov\.uk/i/([0-9a-f]{40})`)

func TestParseContacts(t *testing.T) {
	good := "\uFEFFName,Email\r\nZoë Brown,Zoe.Brown@Example.org\r\n\"Smith, Jo\",jo@example.org\r\n,,\r\n"
	rows, problems := mail.ParseContacts(strings.NewReader(good))
	want := []mail.Row{{Line: 2, Email: "zoe.brown@example.org", Name: "Zoë Brown"}, {Line: 3, Email: "jo@example.org", Name: "Smith, Jo"}}
	if len(problems) > 0 || !slices.Equal(rows, want) {
		t.Errorf("good list: %v %v", rows, problems)
	}
	bad := "email,name\nok@example.org,A\nnot an address,B\nOK@example.org,C\n,D\nx@localhost,E\nb@example.org," + strings.Repeat("n", 201) + "\n"
	rows, problems = mail.ParseContacts(strings.NewReader(bad))
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	wantProblems := []string{
		"line 3: this is not an email address",
		"line 4: the same email address as line 2",
		"line 5: there is no email address",
		"line 6: this is not an email address",
		"line 7: the name is longer than 200 characters",
	}
	if rows != nil || !slices.Equal(got, wantProblems) {
		t.Errorf("bad list: rows %v, problems\n%s\nwant\n%s", rows, strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
	}
	var long strings.Builder
	long.WriteString("email\n")
	for i := range mail.MaxContacts + 1 {
		fmt.Fprintf(&long, "p%d@example.org\n", i)
	}
	if _, problems := mail.ParseContacts(strings.NewReader(long.String())); len(problems) != 1 || problems[0].Line != mail.MaxContacts+2 {
		t.Errorf("too many rows: %v", problems)
	}
	if _, problems := mail.ParseContacts(strings.NewReader("name\nJo\n")); len(problems) != 1 || problems[0].Line != 1 {
		t.Errorf("no email column: %v", problems)
	}
	if _, problems := mail.ParseContacts(strings.NewReader("email\n\xff@example.org\n")); len(problems) != 1 {
		t.Errorf("not UTF-8: %v", problems)
	}
}

// TestContactLanguages: a language column gives each person's emails a
// language, by code or name; one the service has no words in, or the
// survey is not written in, is a problem of its line.
func TestContactLanguages(t *testing.T) {
	list := "email,name,language\na@example.org,A,cy\nb@example.org,B,Polish\nc@example.org,C,\nd@example.org,D,English\ne@example.org,E,CYMRAEG\nf@example.org,F,klingon\n"
	rows, problems := mail.ParseContacts(strings.NewReader(list))
	if len(problems) != 1 || problems[0].String() != `line 7: the service has no language "klingon": use en (English), cy (Cymraeg) or pl (Polski), or leave it empty for English` {
		t.Errorf("problems: %v, rows %v", problems, rows)
	}
	rows, problems = mail.ParseContacts(strings.NewReader(strings.TrimSuffix(list, "f@example.org,F,klingon\n")))
	var langs []string
	for _, r := range rows {
		langs = append(langs, r.Language)
	}
	if len(problems) > 0 || !slices.Equal(langs, []string{"cy", "pl", "", "", "cy"}) {
		t.Errorf("languages %q, problems %v", langs, problems)
	}

	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	f := newFixture(t, st)
	// integrated-working is in English only.
	got, err := mail.Import{Survey: f.d, Round: "baseline", Organisation: "police", Rows: rows[:1], Now: f.clock.Now()}.Add(context.Background(), f.st, f.links)
	if err != nil || len(got) != 1 || !strings.Contains(got[0].String(), "line 2: "+f.d.Title+" is not written in Cymraeg: use en (English), or leave the language empty for English") {
		t.Errorf("a language the survey is not written in: %v, %v", got, err)
	}

	// young-people is in English and Polish: Polish people get Polish
	// email, with a link that opens the survey in Polish.
	yp, _ := f.surveys.Survey("young-people")
	closes := time.Date(2026, 12, 18, 17, 0, 0, 0, time.UTC)
	if err := st.SetRoundState(context.Background(), store.RoundState{SurveyID: yp.ID, Round: "baseline", Open: true, ClosesAt: closes, Created: t0, Updated: t0}); err != nil {
		t.Fatal(err)
	}
	pl := []mail.Row{{Line: 2, Email: "ola@example.org", Language: "pl"}, {Line: 3, Email: "sam@example.org"}}
	got, err = mail.Import{Survey: yp, Round: "baseline", Organisation: "police", Rows: pl, Now: f.clock.Now()}.Add(context.Background(), f.st, f.links)
	if err != nil || len(got) > 0 {
		t.Fatalf("Import: %v %v", got, err)
	}
	drain(t, f.worker(t, "one"))
	byTo := map[string]testenv.Email{}
	for _, e := range f.smtp.Received() {
		byTo[e.To] = e
	}
	ola, sam := byTo["ola@example.org"], byTo["sam@example.org"]
	if ola.Subject != "Prosimy o odpowiedź: "+yp.In("pl").Title || !strings.Contains(ola.Body, "Ankieta zostanie zamknięta 18 grudnia 2026 o godz. 17:00") ||
		!regexp.MustCompile(`/i/[0-9a-f]{40}\?lang=pl\n`).MatchString(ola.Body) || !strings.Contains(ola.Body, yp.In("pl").HowAnswersAreUsed[:20]) {
		t.Errorf("the Polish email: %q\n%s", ola.Subject, ola.Body)
	}
	if sam.Subject != "Please answer: "+yp.Title || strings.Contains(sam.Body, "?lang=") || !strings.Contains(sam.Body, "The survey closes on 18 December 2026 at 17:00 (UK time).") {
		t.Errorf("the English email: %q\n%s", sam.Subject, sam.Body)
	}
}

func TestSendRetryRemindOptOut(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		f.importList(t, "email,name\nzoe@example.org,Zoë\njo@example.org,Jo\nsam@example.org,\n")

		// The mail server refuses the first message, then takes them.
		f.smtp.Refuse(1)
		w := f.worker(t, "one")
		if res := drain(t, w); res.Sent != 2 || res.Retried != 1 {
			t.Fatalf("first pass: %+v, want 2 sent and 1 to retry", res)
		}
		f.clock.Add(time.Minute)
		if res := drain(t, w); res.Sent != 1 {
			t.Fatalf("after the retry delay: %+v, want 1 sent", res)
		}
		got := f.smtp.Received()
		if len(got) != 3 {
			t.Fatalf("%d emails received, want 3", len(got))
		}
		tokens := map[string]string{} // address → token
		for _, e := range got {
			m := linkPattern.FindStringSubmatch(e.Body)
			if m == nil {
				t.Fatalf("no invitation link in:\n%s", e.Body)
			}
			if _, ok := tokens[e.To]; ok {
				t.Errorf("%s was sent two invitations", e.To)
			}
			tokens[e.To] = m[1]
			if e.Subject != "Please answer: "+f.d.Title || !strings.Contains(e.Body, "/o/") || !strings.Contains(e.Body, "The survey closes on 2 December 2026") {
				t.Errorf("email to %s:\nSubject: %s\n%s", e.To, e.Subject, e.Body)
			}
		}
		if len(slices.Compact(slices.Sorted(func(yield func(string) bool) {
			for _, v := range tokens {
				yield(v)
			}
		}))) != 3 {
			t.Errorf("links are not distinct: %v", tokens)
		}
		if !strings.Contains(got[0].Body, "Hello Zoë") && !strings.Contains(got[1].Body, "Hello Zoë") && !strings.Contains(got[2].Body, "Hello Zoë") {
			t.Error("no email greets Zoë by name")
		}
		// Each link is a working invitation of the round.
		for _, token := range tokens {
			inv, used, err := f.full.Invitation(ctx, survey.DraftKey(token))
			if err != nil || used || inv.Round != "baseline" || inv.Organisation != "council-childrens-services" {
				t.Errorf("invitation of a link: %+v used %v %v", inv, used, err)
			}
		}

		// Zoë answers; Jo opts out; only Sam is reminded.
		r := survey.Response{Reference: "REF-1", SurveyID: f.d.ID, Version: f.d.Version, Round: "baseline", Answers: map[string]string{},
			Submitted: t0, SubmissionKey: "k1", RespondentKey: "p1", Invitation: survey.DraftKey(tokens["zoe@example.org"])}
		if _, err := f.full.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
		var jo store.ContactState
		f.st.RoundContacts(ctx, f.d.ID, "baseline", func(c store.ContactState) error {
			if c.Email == "jo@example.org" {
				jo = c
			}
			return nil
		})
		optOut, _ := f.links.OptOutPath(ctx, jo.ID)
		id, ok, err := f.links.CheckOptOut(ctx, optOut)
		if err != nil || !ok || id != jo.ID {
			t.Fatalf("CheckOptOut = %q %v %v", id, ok, err)
		}
		if _, ok, _ := f.links.CheckOptOut(ctx, jo.ID+"-00"); ok {
			t.Error("a forged opt-out link was accepted")
		}
		if err := f.st.OptOut(ctx, id, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now())
		if err != nil || rem.Queued != 1 || rem.Unused != 2 || rem.OptedOut != 1 {
			t.Fatalf("Remind = %+v, %v; want 1 queued of 2 unused, 1 opted out", rem, err)
		}
		if again, _ := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now()); again.Queued != 0 {
			t.Errorf("a second Remind before the first was sent queued %d", again.Queued)
		}
		if res := drain(t, w); res.Sent != 1 {
			t.Fatalf("reminders: %+v", res)
		}
		got = f.smtp.Received()
		if len(got) != 4 || got[3].To != "sam@example.org" || got[3].Subject != "Reminder: "+f.d.Title || !strings.Contains(got[3].Body, tokens["sam@example.org"]) {
			t.Errorf("reminder: %+v", got[len(got)-1])
		}
		counts, _ := f.st.MailCounts(ctx, f.d.ID, "baseline")
		want := []store.MailCount{
			{Organisation: "council-childrens-services", Kind: store.MailInvitation, State: store.MailSent, N: 3},
			{Organisation: "council-childrens-services", Kind: store.MailReminder, State: store.MailSent, N: 1},
		}
		if !slices.Equal(counts, want) {
			t.Errorf("MailCounts = %v, want %v", counts, want)
		}
	})
}

// TestTwoWorkers is two instances sending one queue, each with its own
// store connection: every person gets one email.
func TestTwoWorkers(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		f := newFixture(t, open(t))
		var list strings.Builder
		list.WriteString("email\n")
		const n = 30
		for i := range n {
			fmt.Fprintf(&list, "person%d@example.org\n", i)
		}
		f.importList(t, list.String())
		other := *f
		other.st = open(t)
		workers := []*mail.Worker{f.worker(t, "a"), other.worker(t, "b")}
		for _, w := range workers {
			w.Batch = 2
		}
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); drain(t, w) }()
		}
		wg.Wait()
		got := f.smtp.Received()
		seen := map[string]bool{}
		for _, e := range got {
			if seen[e.To] {
				t.Errorf("%s got two emails", e.To)
			}
			seen[e.To] = true
		}
		if len(seen) != n {
			t.Errorf("%d people got an email, want %d", len(seen), n)
		}
	})
}

// TestClosedRoundGetsNothing: no reminders or invitations after a round closes.
func TestClosedRoundGetsNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		f.importList(t, "email\na@example.org\n")
		f.clock.Add(31 * 24 * time.Hour) // past the closing date
		w := f.worker(t, "one")
		if res := drain(t, w); res.Failed != 1 || len(f.smtp.Received()) != 0 {
			t.Errorf("after closing: %+v, %d emails", res, len(f.smtp.Received()))
		}
		if rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now()); err != nil || rem.Queued != 0 {
			t.Errorf("Remind after closing = %+v, %v", rem, err)
		}
	})
}

// TestScheduledReminders: reminder_days sends one reminder per entry.
func TestScheduledReminders(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		d := *f.d
		d.Email = &survey.Email{ReminderDays: []int{7, 14}}
		f.d = &d
		f.importList(t, "email\na@example.org\n")
		w := f.worker(t, "one")
		cat := survey.NewCatalogue(f.d)
		w.Surveys = cat
		drain(t, w)
		for _, step := range []struct {
			days int
			want int
		}{{6, 0}, {1, 1}, {1, 0}, {6, 1}, {30, 0}} {
			f.clock.Add(time.Duration(step.days) * 24 * time.Hour)
			n, err := mail.ScheduledReminders(ctx, f.st, cat, f.clock.Now())
			if err != nil || n != step.want {
				t.Errorf("at day %v: queued %d, %v; want %d", f.clock.Now().Sub(t0).Hours()/24, n, err, step.want)
			}
			drain(t, w)
		}
	})
}

// TestRoundSchedule: a schedule staff set for a round replaces the survey
// file's; a reminder on demand counts towards it and towards the most;
// none go once the round has closed, on the schedule or on demand.
func TestRoundSchedule(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		d := *f.d
		d.Email = &survey.Email{ReminderDays: []int{1}} // replaced by the round's
		f.d = &d
		cat := survey.NewCatalogue(f.d)
		states, err := f.st.RoundStates(ctx, d.ID)
		if err != nil || len(states) != 1 {
			t.Fatal(states, err)
		}
		st := states[0]
		st.Reminders = store.Reminders{Set: true, Days: []int{3, 10}, Most: 3}
		if err := f.full.SetRoundState(ctx, st); err != nil {
			t.Fatal(err)
		}
		f.importList(t, "email\na@example.org\nb@example.org\n")
		w := f.worker(t, "one")
		w.Surveys = cat
		drain(t, w)
		scheduled := func(days, want int) {
			t.Helper()
			f.clock.Add(time.Duration(days) * 24 * time.Hour)
			n, err := mail.ScheduledReminders(ctx, f.st, cat, f.clock.Now())
			if err != nil || n != want {
				t.Errorf("at day %v: %d queued, %v; want %d", f.clock.Now().Sub(t0).Hours()/24, n, err, want)
			}
			drain(t, w)
		}
		scheduled(1, 0) // the file's day 1 is not in force
		rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now())
		if err != nil || rem.Queued != 2 {
			t.Fatalf("Remind on day 1 = %+v, %v; want 2", rem, err)
		}
		drain(t, w)
		scheduled(2, 0) // day 3: the reminder by hand counted towards it
		scheduled(7, 2) // day 10
		if rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now()); err != nil || rem.Queued != 2 {
			t.Fatalf("the third Remind = %+v, %v; want 2", rem, err)
		}
		drain(t, w)
		if rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now()); err != nil || rem.Queued != 0 || rem.AtMost != 2 {
			t.Errorf("a fourth Remind with at most 3 = %+v, %v; want none queued and 2 at the most", rem, err)
		}

		// A longer schedule in a round that closes first sends nothing after.
		st.Reminders = store.Reminders{Set: true, Days: []int{3, 10, 40}, Most: 5}
		if err := f.full.SetRoundState(ctx, st); err != nil {
			t.Fatal(err)
		}
		scheduled(30, 0) // day 40: the round closed on day 30
		if rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now()); err != nil || rem.Queued != 0 {
			t.Errorf("Remind after the round closed = %+v, %v", rem, err)
		}
		if got := len(f.smtp.Received()); got != 2+6 {
			t.Errorf("%d emails received, want 2 invitations and 6 reminders", got)
		}
	})
}

// TestServerDownThenBack: with the mail server unreachable every attempt is
// kept for later; a worker that stopped mid-send leaves its lease to run
// out; when the server is back everything is sent once.
func TestServerDownThenBack(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		f.importList(t, "email\na@example.org\nb@example.org\nc@example.org\n")
		// Nothing listens on port 1 (tcpmux, which nobody runs): a connection
		// is refused, as by a server that is down. Not the port of a server
		// started and stopped here: a listener elsewhere (another package's
		// test, run alongside) could be given that port in between.
		const deadPort = 1
		down, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: deadPort, From: "survey@trust.example.gov.uk", TLS: "none", Timeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		w := f.worker(t, "one")
		w.Sender = down
		if res := drain(t, w); res.Retried != 3 || res.Sent+res.Failed != 0 {
			t.Fatalf("with the server down: %+v, want 3 to retry", res)
		}
		// An instance claims one and stops before sending it.
		f.clock.Add(time.Minute)
		if got, err := f.st.ClaimMail(ctx, "stopped", f.clock.Now(), mail.DefaultLease, 1); err != nil || len(got) != 1 {
			t.Fatalf("claim by the instance that stops: %v %v", got, err)
		}
		back := f.worker(t, "two")
		if res := drain(t, back); res.Sent != 2 {
			t.Fatalf("with the server back: %+v, want the 2 not leased sent", res)
		}
		f.clock.Add(mail.DefaultLease)
		if res := drain(t, back); res.Sent != 1 {
			t.Fatalf("after the stopped instance's lease: %+v, want 1 sent", res)
		}
		seen := map[string]int{}
		for _, e := range f.smtp.Received() {
			seen[e.To]++
		}
		if len(seen) != 3 || seen["a@example.org"] != 1 || seen["b@example.org"] != 1 || seen["c@example.org"] != 1 {
			t.Errorf("received: %v", seen)
		}
	})
}

// TestPermanentRefusal: a 5xx refusal is not retried.
func TestPermanentRefusal(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		f.importList(t, "email\nrefused@example.org\n")
		f.smtp.Reject("refused@example.org")
		if res := drain(t, f.worker(t, "one")); res.Failed != 1 {
			t.Fatalf("%+v, want 1 failed", res)
		}
		counts, _ := f.st.MailCounts(ctx, f.d.ID, "baseline")
		if len(counts) != 1 || counts[0].State != store.MailFailed || mail.ReasonInWords(counts[0].Reason) != "The mail server refused the address" {
			t.Errorf("counts %v", counts)
		}
		// An address refused for good is not reminded.
		if rem, err := mail.Remind(ctx, f.st, f.d, "baseline", "", f.clock.Now()); err != nil || rem.Queued != 0 || rem.Refused != 1 {
			t.Errorf("Remind after a refusal for good = %+v, %v; want none queued, 1 refused", rem, err)
		}
	})
}

// TestTransportSecurity sends over STARTTLS and over TLS from the first
// byte, signing in, to a server whose certificate comes from an authority
// the service is told to trust (IWT_SMTP_CA_FILE). A wrong password, or a
// server whose authority is not trusted, keeps the message for later
// instead of failing it, as staff put the setting right.
func TestTransportSecurity(t *testing.T) {
	for _, mode := range []string{"starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			st, err := sqlite.Open(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close(context.Background()) })
			f := newFixture(t, st)
			f.smtp = testenv.StartSMTPWith(t, testenv.SMTPOptions{TLS: mode, Username: "iwt", Password: "correct horse"})
			other := testenv.StartSMTPWith(t, testenv.SMTPOptions{TLS: mode}) // its own authority
			f.importList(t, "email\na@example.org\n")
			sender := func(password, caFile string) mail.Sender {
				s, err := mail.NewSMTP(mail.SMTPConfig{Host: f.smtp.Host, Port: f.smtp.Port, From: "survey@trust.example.gov.uk", TLS: mode,
					Username: "iwt", Password: password, CAFile: caFile, Timeout: time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			w := f.worker(t, "one")
			for _, bad := range []struct {
				name     string
				password string
				caFile   string
			}{{"a wrong password", "wrong", f.smtp.CAFile}, {"an authority not trusted", "correct horse", other.CAFile}, {"the system's authorities only", "correct horse", ""}} {
				w.Sender = sender(bad.password, bad.caFile)
				if res := drain(t, w); res.Retried != 1 {
					t.Errorf("with %s: %+v, want 1 kept for later", bad.name, res)
				}
				f.clock.Add(time.Minute)
			}
			w.Sender = sender("correct horse", f.smtp.CAFile)
			if res := drain(t, w); res.Sent != 1 {
				t.Fatalf("with the right settings: %+v, want 1 sent", res)
			}
			got := f.smtp.Received()
			if len(got) != 1 || !got[0].TLS || got[0].To != "a@example.org" || f.smtp.SignedIn() != 1 {
				t.Errorf("received %+v, signed in %d times; want one email over TLS after one sign-in", got, f.smtp.SignedIn())
			}
		})
	}
	if _, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", From: "survey@trust.example.gov.uk", TLS: "none", Username: "iwt", Password: "x"}); err == nil {
		t.Error("a password over a connection without TLS was allowed")
	}
	if _, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", From: "survey@trust.example.gov.uk", CAFile: "mail_test.go"}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a CA file with no certificate: %v", err)
	}
}

// TestAlertAddress: an alert about a survey that names no safeguarding
// lead goes to the service's address, after the round has closed too;
// with neither it is given up with its reason, and both are audited
// without an address.
func TestAlertAddress(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx := context.Background()
		f := newFixture(t, open(t))
		r := survey.Response{SurveyID: f.d.ID, Round: "baseline", Reference: "REFAB-12345", Submitted: t0}
		if n, err := f.st.QueueMail(ctx, []store.MailMessage{mail.Alert(r)}); err != nil || n != 1 {
			t.Fatalf("QueueMail(alert) = %d, %v", n, err)
		}
		f.clock.Add(31 * 24 * time.Hour) // past the closing date
		w := f.worker(t, "one")
		if res := drain(t, w); res.Failed != 1 || len(f.smtp.Received()) != 0 {
			t.Errorf("with no address: %+v, %d emails", res, len(f.smtp.Received()))
		}
		r.Reference = "REFCD-12345"
		if _, err := f.st.QueueMail(ctx, []store.MailMessage{mail.Alert(r)}); err != nil {
			t.Fatal(err)
		}
		w.Safeguarding = "dsl@trust.example.gov.uk"
		drain(t, w)
		got := f.smtp.Received()
		if len(got) != 1 || got[0].To != w.Safeguarding || !strings.Contains(got[0].Body, "https://iwt.example.gov.uk/staff/safeguarding") || strings.Contains(got[0].Body, r.Reference) {
			t.Fatalf("alert emails: %+v", got)
		}
		log, err := f.full.AuditLog(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var entries []string
		for _, e := range log {
			entries = append(entries, e.Action+" "+e.Target)
		}
		all := strings.Join(entries, "\n")
		for _, want := range []string{"safeguarding alert not sent integrated-working/baseline REFAB-12345: not sent: no safeguarding address",
			"sent safeguarding alert integrated-working/baseline REFCD-12345 to the service's safeguarding address"} {
			if !strings.Contains(all, want) {
				t.Errorf("audit log lacks %q:\n%s", want, all)
			}
		}
		if strings.Contains(all, "dsl@") {
			t.Errorf("audit log holds the address:\n%s", all)
		}
	})
}

// TestWakeSendsAlertAtOnce: an alert stored with its response (on
// MongoDB, carried in the response's document until a claim moves it) is
// sent as soon as the worker is woken, not at its next interval, here an
// hour away; woken again, nothing more is sent.
func TestWakeSendsAlertAtOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		f := newFixture(t, open(t))
		w := f.worker(t, "one")
		w.Safeguarding = "dsl@trust.example.gov.uk"
		done := make(chan struct{})
		go func() { defer close(done); w.Run(ctx, time.Hour) }()
		t.Cleanup(func() { cancel(); <-done })
		r := survey.Response{SurveyID: f.d.ID, Round: "baseline", Reference: "REFAB-12345", Submitted: t0, SubmissionKey: "k", Answers: map[string]string{}}
		if _, err := f.full.Submit(ctx, r, mail.Alert(r)); err != nil {
			t.Fatal(err)
		}
		w.Wake()
		w.Wake() // one pass asked for, however often
		if got := f.smtp.WaitFor(t, 1, 2*time.Minute); got[0].To != w.Safeguarding {
			t.Errorf("sent %+v, want the alert", got)
		}
		w.Wake()
		if _, err := f.full.Submit(ctx, r, mail.Alert(r)); err != nil { // sent again: stores nothing
			t.Fatal(err)
		}
		other := r
		other.Reference, other.SubmissionKey = "REFCD-12345", "k2"
		if _, err := f.full.Submit(ctx, other, mail.Alert(other)); err != nil {
			t.Fatal(err)
		}
		w.Wake()
		f.smtp.WaitFor(t, 2, 2*time.Minute)
		cancel()
		<-done
		if res := drain(t, w); res != (mail.Result{}) || len(f.smtp.Received()) != 2 {
			t.Errorf("after the two alerts: %+v, %d sent; want nothing more", res, len(f.smtp.Received()))
		}
	})
}

// TestContactNames: a list with a quote never closed is refused with its
// line and nothing else (no panic); every name people have is emailed,
// quotes, apostrophes, accents and all, and a name wrapped over two lines
// in a spreadsheet is one line; a control character is refused with that
// reason at upload.
func TestContactNames(t *testing.T) {
	for _, tc := range []struct{ csv, want string }{
		{"email,name\nann@example.org,Ann\nbob@example.org,\"Bob\ncat@example.org,Cat\n", "line 3: a quote (\") opened on this line is never closed"},
		{"email,name\nann@example.org,\"Ann \x01\"\n", "line 2: the name has a control character"},
	} {
		rows, problems := mail.ParseContacts(strings.NewReader(tc.csv))
		if rows != nil || len(problems) != 1 || !strings.HasPrefix(problems[0].String(), tc.want) {
			t.Errorf("ParseContacts(%q) = %v, %v; want one problem %q", tc.csv, rows, problems, tc.want)
		}
	}
	names := map[string]string{
		"shiv@example.org":  `Siobhán "Shiv" O'Neill`,
		"dai@example.org":   "Dafydd ap Gruffudd",
		"wrap@example.org":  "Mary-Jane Smith",
		"slash@example.org": `Back\slash`,
	}
	csv := "email,name\nshiv@example.org,\"Siobhán \"\"Shiv\"\" O'Neill\"\ndai@example.org,Dafydd ap Gruffudd\nwrap@example.org,\"Mary-Jane\nSmith\"\nslash@example.org,Back\\slash\n"
	eachStore(t, func(t *testing.T, open func(t *testing.T) store.Store) {
		f := newFixture(t, open(t))
		f.importList(t, csv)
		if res := drain(t, f.worker(t, "one")); res.Sent != len(names) {
			t.Fatalf("sent %+v, want %d", res, len(names))
		}
		for _, m := range f.smtp.Received() {
			if m.ToName != names[m.To] || !strings.Contains(m.Body, names[m.To]) {
				t.Errorf("to %s: header name %q, want %q; body:\n%s", m.To, m.ToName, names[m.To], m.Body)
			}
		}
	})
}
