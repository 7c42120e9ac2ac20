package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// The ways a patient reader recovered single people's answers over time
// and across outputs (issue 22), tried again through the real service on
// both stores. The reader reads everything, again and again: the JSON API
// for every filter, the paired comparison, the contact lists page, the
// completion tables, the invitation links. What they read is handed to
// the auditor over time (disclosure.CheckReadings), with the people who
// came between two readings as groups of their own.

// closeRound closes a round as an administrator does, on the round's page.
func closeRound(t *testing.T, admin *browser, d *survey.Definition, round string) {
	t.Helper()
	base := "/staff/surveys/" + d.ID + "/rounds/" + round
	admin.postWithToken(base+"/close", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
}

// reader reads a round's JSON API for every filter of up to two breakdown
// answers, again and again, keeping what it read and which people had
// answered by then.
type reader struct {
	t        *testing.T
	b        *browser
	d        *survey.Definition
	round    string
	epochs   [][]member
	readings []disclosure.Reading
}

func (r *reader) submit(st store.Store, ms []member) {
	r.t.Helper()
	n := 0
	for _, e := range r.epochs {
		n += len(e)
	}
	submitMembers(r.t, st, r.d, r.round, ms, 1000*len(r.round)+n)
	r.epochs[len(r.epochs)-1] = append(r.epochs[len(r.epochs)-1], ms...)
}

// read reads every filter; it returns the round as the API gave it
// unfiltered.
func (r *reader) read() report.AggregateRound {
	r.t.Helper()
	_, layout := report.Problem(r.d, r.round, nil)
	reading := disclosure.Reading{Epoch: len(r.epochs)}
	var whole report.AggregateRound
	for _, f := range report.Filters(r.d, layout) {
		if strings.Contains(fmt.Sprint(f), report.NotAnswered) {
			continue
		}
		agg := apiFigures(r.t, r.b, r.d, r.round, f)
		if len(f) == 0 {
			whole = agg.Rounds[0]
		}
		reading.Figures = append(reading.Figures, report.FiguresOfAggregates(r.d, layout, agg, 0, f)...)
	}
	r.readings = append(r.readings, reading)
	r.epochs = append(r.epochs, nil)
	return whole
}

// leaks audits every reading together against the people who had answered
// at each.
func (r *reader) leaks() []disclosure.Leak {
	r.t.Helper()
	var problems []*disclosure.Problem
	for _, ms := range r.epochs {
		pr, _ := report.Problem(r.d, r.round, membersCells(r.d, r.round, ms))
		problems = append(problems, pr)
	}
	leaks, err := disclosure.CheckReadings(context.Background(), disclosure.EpochDim(problems), r.readings)
	if err != nil {
		r.t.Fatal(err)
	}
	return leaks
}

// membersCells are the cells members' responses are counted in.
func membersCells(d *survey.Definition, round string, ms []member) []report.CellCounts {
	rs := make([]survey.Response, len(ms))
	for i, m := range ms {
		rs[i] = memberResponse(d, round, m, i)
	}
	return publish.CellsOf(d, rs)
}

// TestTwoReadingsOfAnOpenRound is the first way: a board viewer reads the
// API, one organisation gains exactly one person within a step of the
// round, and the viewer reads again. Before, each reading was protected on
// its own, and the difference was that person's answers. Now an open
// round shows no figures, only a count rounded down to the minimum group;
// its figures come once, when it closes; and every reading, audited
// together, gives nobody away.
func TestTwoReadingsOfAnOpenRound(t *testing.T) {
	onBothStores(t, func(t *testing.T, e env) {
		d := bundled(t)
		svc := start(t, e)
		st := storeOf(t, e)
		r := &reader{t: t, b: staffBrowser(t, svc, "board-viewer", ""), d: d, round: "baseline", epochs: [][]member{nil}}
		r.submit(st, append(levels(7, member{sector: "health", org: "community-health-trust", role: "frontline"}),
			levels(6, member{sector: "education", org: "primary-school", role: "frontline"})...))
		first := r.read()
		// One more person in a new group, and four in an old one: a step.
		r.submit(st, append(levels(1, member{sector: "justice-crime-prevention", org: "police", role: "frontline", level: "5"}),
			levels(4, member{sector: "education", org: "primary-school", role: "frontline"})...))
		second := r.read()
		for i, got := range []report.AggregateRound{first, second} {
			if !got.Open || !got.Suppressed || got.Responses != nil {
				t.Errorf("reading %d of the open round: %+v, want open with no figures", i+1, got)
			}
		}
		closeRound(t, staffBrowser(t, svc, "admin", ""), d, "baseline")
		closed := r.read()
		if closed.Open || closed.Responses == nil || *closed.Responses != 18 || closed.AsOf == "" {
			t.Errorf("the closed round: %+v, want its 18 responses' figures", closed)
		}
		page := text(r.b.get("/r/"+d.ID+"?a=baseline").must(t, http.StatusOK).Body)
		if !strings.Contains(page, "figures made when it closed") {
			t.Errorf("the report does not say when the figures were made:\n%s", page)
		}
		for _, l := range r.leaks() {
			t.Errorf("leak over time: %v", l)
		}
	})
}

// TestOpenRoundSaysHowManyInSteps: the report of an open round says it is
// open and how many have answered, rounded down to the minimum group, so
// that two readings never say exactly how many answered between them.
func TestOpenRoundSaysHowManyInSteps(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	st := storeOf(t, e)
	b := staffBrowser(t, svc, "analyst", "")
	group := member{sector: "health", org: "community-health-trust", role: "frontline"}
	submitMembers(t, st, d, "baseline", levels(4, group), 0)
	page := text(b.get("/r/"+d.ID+"?a=baseline").must(t, http.StatusOK).Body)
	if !strings.Contains(page, "Baseline, autumn 2026: open. Its figures are published when it closes; fewer than 5 people have answered so far") {
		t.Errorf("with 4 responses the report says:\n%s", page)
	}
	submitMembers(t, st, d, "baseline", levels(8, group), 4)
	page = text(b.get("/r/"+d.ID+"?a=baseline").must(t, http.StatusOK).Body)
	if !strings.Contains(page, "at least 10 people have answered so far") {
		t.Errorf("with 12 responses the report says:\n%s", page)
	}
}

// TestPairsWithTheirRounds is the second way: eight people answered both
// rounds through invitations and one more answered the follow-up only.
// The follow-up's total less eight times the pairs' mean was that one
// person's score. Now the pairs are protected with both rounds' figures:
// with one unpaired person the paired comparison is hidden, and with five
// it is shown.
func TestPairsWithTheirRounds(t *testing.T) {
	onBothStores(t, func(t *testing.T, e env) {
		d := bundled(t)
		svc := start(t, e)
		st := storeOf(t, e)
		admin := staffBrowser(t, svc, "admin", "")
		var people []member
		for i := range 8 {
			people = append(people, member{sector: "health", org: "community-health-trust", role: "frontline", level: fmt.Sprint(1 + i%3), key: fmt.Sprint("person-", i)})
		}
		submitMembers(t, st, d, "baseline", people, 0)
		for i := range people {
			people[i].level = fmt.Sprint(2 + i%4)
		}
		submitMembers(t, st, d, "follow-up", append(people, member{sector: "health", org: "community-health-trust", role: "frontline", level: "5"}), 100)
		closeRound(t, admin, d, "baseline")
		closeRound(t, admin, d, "follow-up")
		paired := text(element(t, admin.get("/r/"+d.ID+"/views/changes?a=baseline&b=follow-up").must(t, http.StatusOK).Body, "table", "paired"))
		if strings.Contains(paired, "Yes (p") || strings.Contains(paired, " 8 ") || !strings.Contains(paired, "not shown") {
			t.Errorf("with one person unpaired, the paired comparison shows: %s", paired)
		}
		out := runAudit(t, e)
		if !strings.Contains(out, "pairs baseline and follow-up: 0 leaks") {
			t.Errorf("audit:\n%s", out)
		}
	})
}

// TestPairsShowInTheNormalOrder is the seventh: the baseline closes and is
// read; the follow-up is answered afterwards and closes. Before, the
// paired table used the baseline's publication time as the cut-off for
// both rounds, so the follow-up answers never counted. Now each round's
// own figures are its cut-off, and the pairs show.
func TestPairsShowInTheNormalOrder(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	st := storeOf(t, e)
	admin := staffBrowser(t, svc, "admin", "")
	var people []member
	for i := range 12 {
		people = append(people, member{sector: "education", org: "primary-school", role: "frontline", level: fmt.Sprint(1 + i%2), key: fmt.Sprint("p", i)})
	}
	submitMembers(t, st, d, "baseline", people, 0)
	closeRound(t, admin, d, "baseline")
	admin.get("/r/"+d.ID+"?a=baseline").must(t, http.StatusOK) // the Board reads the baseline
	for i := range people {
		people[i].level = fmt.Sprint(3 + i%3)
	}
	submitMembers(t, st, d, "follow-up", people, 100)
	changes := "/r/" + d.ID + "/views/changes?a=baseline&b=follow-up"
	if p := text(admin.get(changes).must(t, http.StatusOK).Body); strings.Contains(p, "Yes (p") {
		t.Errorf("pairs shown while the follow-up is open:\n%s", p)
	}
	closeRound(t, admin, d, "follow-up")
	paired := text(element(t, admin.get(changes).must(t, http.StatusOK).Body, "table", "paired"))
	if !strings.Contains(paired, "12") || !strings.Contains(paired, "Yes (p") {
		t.Errorf("the paired table after both rounds closed: %s", paired)
	}
}

// TestCoordinatorSeesNoLiveCounts is the third and fifth ways: with five
// addresses of their own and one colleague's on a contact list, a
// co-ordinator watched "Link not used yet" fall from 1 to 0 when the
// colleague answered; and the completion table against the contact lists
// page gave the size of a hidden group. Now neither page says, at any
// time, how many have answered while the round is open, nor how many
// reminders went.
func TestCoordinatorSeesNoLiveCounts(t *testing.T) {
	d := bundled(t)
	smtp := testenv.StartSMTP(t)
	e := withMail(sqliteEnv(t), smtp)
	svc := start(t, e)
	st := storeOf(t, e)
	co := staffBrowser(t, svc, "coordinator", "police")
	list := "email\n"
	for i := range 6 {
		list += fmt.Sprintf("person%d@example.org\n", i)
	}
	uploadContacts(t, co, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}}, list).must(t, http.StatusOK)
	before := text(co.get("/staff/contacts?survey="+d.ID).must(t, http.StatusOK).Body)
	submitMembers(t, st, d, "baseline", levels(5, member{sector: "justice-crime-prevention", org: "police", role: "frontline", invited: true}), 0)
	after := text(co.get("/staff/contacts?survey="+d.ID).must(t, http.StatusOK).Body)
	for _, p := range []string{before, after} {
		if strings.Contains(p, "Link not used yet") || strings.Contains(p, "reminders sent") {
			t.Errorf("the contact lists page counts who has answered:\n%s", p)
		}
	}
	reminded := co.postFrom("/staff/contacts?survey="+d.ID, "/staff/contacts/remind", url.Values{"survey": {d.ID}, "round": {"baseline"}}).must(t, http.StatusOK)
	if notice := text(reminded.Body); !strings.Contains(notice, "How many is not shown") {
		t.Errorf("after reminding: %s", notice)
	}
	inv := text(co.get("/staff/invitations?survey="+d.ID).must(t, http.StatusOK).Body)
	if !strings.Contains(inv, "shown when the round closes") {
		t.Errorf("completion while the round is open:\n%s", inv)
	}
}

// TestLinksAreNotAnOracle is the fourth way: anyone holding a CSV of links
// could open each one and learn from 410 or 303 who had answered. Now
// only administrators make files of links (they can read every response
// anyway); a co-ordinator is refused and sent to contact lists, where the
// service emails each person their own link.
func TestLinksAreNotAnOracle(t *testing.T) {
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	co := staffBrowser(t, svc, "coordinator", "police")
	page := co.get("/staff/invitations?survey="+d.ID).must(t, http.StatusOK)
	if !strings.Contains(text(page.Body), "upload a contact list") || strings.Contains(page.Body, `action="/staff/invitations"`) {
		t.Errorf("a co-ordinator's invitations page:\n%s", text(page.Body))
	}
	co.postFrom("/staff/invitations?survey="+d.ID, "/staff/invitations", url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"3"}}).must(t, http.StatusForbidden)
	admin := staffBrowser(t, svc, "admin", "")
	links := admin.postFrom("/staff/invitations?survey="+d.ID, "/staff/invitations", url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"3"}}).must(t, http.StatusOK)
	if !strings.Contains(links.Body, "/i/") {
		t.Errorf("an administrator's links: %q", links.Body)
	}
}

// runAudit runs iwtoolkit audit on a service's store and returns what it
// printed; it fails t if it finds a leak.
func runAudit(t *testing.T, e env) string {
	t.Helper()
	var out strings.Builder
	if err := run(context.Background(), []string{"audit"}, e.getenv, &out, &out); err != nil {
		t.Fatalf("audit: %v\n%s", err, out.String())
	}
	return out.String()
}

// TestAuditSeesStaffRoundsAndStops is the sixth: the auditor read only the
// survey file's rounds, printed nothing for minutes and ignored SIGTERM.
// Now it audits every round, staff's too, says what it is checking, and
// stops on SIGTERM at once.
func TestAuditSeesStaffRoundsAndStops(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	st := storeOf(t, e)
	admin := staffBrowser(t, svc, "admin", "")
	admin.postFrom("/staff/surveys/"+d.ID+"/rounds/new", "/staff/surveys/"+d.ID+"/rounds/new",
		url.Values{"id": {"spring-2027-pulse"}, "label": {"Spring 2027 pulse"}}).must(t, http.StatusOK)
	submitMembers(t, st, d, "spring-2027-pulse", append(levels(9, member{sector: "health", org: "community-health-trust", role: "frontline"}),
		levels(3, member{sector: "justice-crime-prevention", org: "police", role: "frontline"})...), 0)
	closeRound(t, admin, d, "spring-2027-pulse")
	admin.get("/r/"+d.ID+"?a=spring-2027-pulse").must(t, http.StatusOK)
	out := runAudit(t, e)
	if !strings.Contains(out, "checking integrated-working spring-2027-pulse") || !strings.Contains(out, "integrated-working spring-2027-pulse (12 responses") {
		t.Errorf("the audit does not check the staff round:\n%s", out)
	}
	svc.stop()
	st.Close(context.Background())
	// SIGTERM: a second process, stopped as soon as it says it is checking.
	cmd := binaryCmd(e, "audit")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if _, err := stdout.Read(buf); err != nil {
		t.Fatalf("the audit said nothing: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Errorf("audit after SIGTERM: %v", err)
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the audit did not stop within 2 minutes of SIGTERM")
	}
}
