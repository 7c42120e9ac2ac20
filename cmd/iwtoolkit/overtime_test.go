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

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// The ways a patient reader recovered single people's answers over time
// and across outputs (issue 22), tried again through the real service on
// both stores, where they need more than the reports: the contact lists
// page, the invitation links, the audit command. The ways through the
// reports alone (two readings of an open round, its count in steps, pairs
// in the normal order) are tested beside them, with the auditor over time
// (internal/web/reports/overtime_test.go).

// closeRound closes a round as an administrator does, on the round's page.
func closeRound(t *testing.T, admin *browser, d *survey.Definition, round string) {
	t.Helper()
	base := "/staff/surveys/" + d.ID + "/rounds/" + round
	admin.postWithToken(base+"/close", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
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
