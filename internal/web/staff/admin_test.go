package staff_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/webtest"
)

// ukTime is a time as staff type it into the schedule form.
func ukTime(t *testing.T, at time.Time) string {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return at.In(london).Format("2/1/2006 15:04")
}

// TestAdminRounds runs a round through its states from the staff pages and
// checks what respondents then get, on both stores.
func TestAdminRounds(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		d := e.Survey("integrated-working")
		serve(t, e, respondents(t, e))
		admin := staffBrowser(t, e, auth.Admin, "")
		respondent := e.Browser()
		flow := "/s/" + d.ID + "/baseline"
		base := "/staff/surveys/" + d.ID + "/rounds/baseline"
		e.Respond(d, "baseline", respondent0, 0)

		cat := admin.Get("/staff/surveys").Must(http.StatusOK)
		rounds := webtest.Text(webtest.Element(t, cat.Body, "table", "rounds_"+d.ID))
		for _, want := range []string{"Baseline, autumn 2026 (baseline) Open 1", "Follow-up, autumn 2027 (follow-up) Open 0"} {
			if !strings.Contains(rounds, want) {
				t.Errorf("catalogue rounds of %s: %q, want %q", d.ID, rounds, want)
			}
		}
		if !strings.Contains(webtest.Text(cat.Body), d.Version) || !strings.Contains(webtest.Text(cat.Body), "Valid") {
			t.Errorf("catalogue does not show the version and validation state:\n%s", webtest.Text(cat.Body))
		}

		// Closing asks first, then respondents get 410.
		if p := admin.Get(base + "/close").Must(http.StatusOK); !strings.Contains(webtest.Text(p.Body), "Close Baseline, autumn 2026?") {
			t.Errorf("close confirmation: %s", webtest.Text(p.Body))
		}
		admin.PostFrom(base, base+"/close", nil).Must(http.StatusOK) // no confirm: back to the question
		if respondent.Get(flow).Status != http.StatusOK {
			t.Error("the round closed without confirmation")
		}
		p := admin.PostWithToken(base+"/close", url.Values{"confirm": {"yes"}}).Must(http.StatusOK)
		if p.URL.Path != base || !strings.Contains(webtest.Text(webtest.Element(t, p.Body, "dd", "round_status")), "Closed") {
			t.Errorf("after closing: at %s, status %q", p.URL.Path, webtest.Text(p.Body))
		}
		respondent.Get(flow).Must(http.StatusGone)
		respondent.Get(flow + "/check").Must(http.StatusGone)

		admin.PostFrom(base, base+"/open", nil).Must(http.StatusOK)
		respondent.Get(flow).Must(http.StatusOK)

		// A schedule opens and closes the round by time.
		now := e.Now
		schedule := func(opens, closes time.Time) webtest.Page {
			form := url.Values{}
			if !opens.IsZero() {
				form.Set("opens_at", ukTime(t, opens))
			}
			if !closes.IsZero() {
				form.Set("closes_at", ukTime(t, closes))
			}
			return admin.PostFrom(base, base+"/schedule", form)
		}
		schedule(now.Add(24*time.Hour), now.Add(48*time.Hour)).Must(http.StatusOK)
		respondent.Get(flow).Must(http.StatusGone)
		if s := webtest.Text(admin.Get(base).Body); !strings.Contains(s, "Scheduled: opens") {
			t.Errorf("round page after scheduling ahead: %s", s)
		}
		schedule(now.Add(-time.Hour), now.Add(time.Hour)).Must(http.StatusOK)
		respondent.Get(flow).Must(http.StatusOK)
		schedule(time.Time{}, now.Add(-time.Minute*2)).Must(http.StatusOK)
		respondent.Get(flow).Must(http.StatusGone)
		for _, bad := range []url.Values{{}, {"opens_at": {"tomorrow"}}, {"opens_at": {ukTime(t, now)}, "closes_at": {ukTime(t, now.Add(-time.Hour))}}} {
			admin.PostFrom(base, base+"/schedule", bad).Must(http.StatusUnprocessableEntity)
		}

		// Practice.
		admin.PostFrom(base, base+"/practice", url.Values{"practice": {"yes"}}).Must(http.StatusOK)
		states, err := e.Store.RoundStates(context.Background(), d.ID)
		if err != nil || len(states) != 1 || !states[0].Practice {
			t.Errorf("stored round states %+v, %v; want baseline marked practice", states, err)
		}
		if s := webtest.Text(webtest.Element(t, admin.Get("/staff/surveys").Body, "table", "rounds_"+d.ID)); !strings.Contains(s, "Practice") {
			t.Errorf("catalogue does not mark the practice round: %s", s)
		}

		// Adding a round: it starts closed.
		newRound := "/staff/surveys/" + d.ID + "/rounds/new"
		p = admin.PostWithToken(newRound, url.Values{"id": {"spring-2027"}, "label": {"Spring <2027>"}}).Must(http.StatusOK)
		if p.URL.Path != "/staff/surveys/"+d.ID+"/rounds/spring-2027" || !strings.Contains(p.Body, "Spring &lt;2027&gt;") {
			t.Errorf("after adding a round: at %s\n%s", p.URL, webtest.Text(p.Body))
		}
		respondent.Get("/s/" + d.ID + "/spring-2027").Must(http.StatusGone)
		admin.PostFrom(p.URL.Path, p.URL.Path+"/open", nil).Must(http.StatusOK)
		if s := webtest.Text(respondent.Get("/s/" + d.ID + "/spring-2027").Must(http.StatusOK).Body); !strings.Contains(s, "Spring <2027>") {
			t.Errorf("the added round's start page does not name it: %s", s)
		}
		for _, bad := range []url.Values{{"id": {"baseline"}, "label": {"Again"}}, {"id": {"spring-2027"}, "label": {"Again"}}, {"id": {"../x"}, "label": {"X"}}, {"id": {"ok"}, "label": {""}}} {
			admin.PostWithToken(newRound, bad).Must(http.StatusUnprocessableEntity)
		}
		admin.Get("/staff/surveys/nothing/rounds/baseline").Must(http.StatusNotFound)
		admin.Get("/staff/surveys/" + d.ID + "/rounds/nothing").Must(http.StatusNotFound)

		for _, want := range []string{"closed round " + d.ID + "/baseline", "opened round " + d.ID + "/baseline", "scheduled round " + d.ID + "/baseline: opens",
			"marked round as practice " + d.ID + "/baseline", "added round " + d.ID + "/spring-2027 (Spring <2027>)"} {
			hasAudit(t, e, want)
		}

		analyst := staffBrowser(t, e, auth.Analyst, "")
		analyst.Get("/staff/surveys").Must(http.StatusForbidden)
		analyst.Get(base).Must(http.StatusForbidden)
	})
}

// TestAdminErasureAndRetention deletes one response by its reference and
// then a round's responses, each after a confirmation, on both stores.
func TestAdminErasureAndRetention(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		d := e.Survey("integrated-working")
		serve(t, e, respondents(t, e))
		ref := e.Respond(d, "baseline", respondent0, 0)
		kept := e.Respond(d, "baseline", respondent0, 1)
		admin := staffBrowser(t, e, auth.Admin, "")
		st := e.Store

		admin.PostWithToken("/staff/erasure", url.Values{"reference": {"NOPE0-NOPE0"}}).Must(http.StatusUnprocessableEntity)
		confirm := admin.PostWithToken("/staff/erasure", url.Values{"reference": {" " + strings.ToLower(ref) + " "}}).Must(http.StatusOK)
		if s := webtest.Text(confirm.Body); !strings.Contains(s, "Delete response "+ref+"?") || strings.Contains(s, "Private words") {
			t.Errorf("erasure confirmation: %s", s)
		}
		if _, err := st.Response(context.Background(), ref); err != nil {
			t.Fatalf("the response went before confirmation: %v", err)
		}
		done := admin.PostFrom("/staff/erasure", "/staff/erasure", url.Values{"reference": {ref}, "confirm": {"yes"}}).Must(http.StatusOK)
		if !strings.Contains(webtest.Text(done.Body), "Response "+ref+" was deleted") {
			t.Errorf("after erasure: %s", webtest.Text(done.Body))
		}
		if _, err := st.Response(context.Background(), ref); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Response after erasure: %v, want ErrNotFound", err)
		}
		if _, err := st.Response(context.Background(), kept); err != nil {
			t.Errorf("another response went too: %v", err)
		}
		hasAudit(t, e, "deleted response (erasure) "+ref+" ("+d.ID+"/baseline)")
		for _, a := range e.AuditLog() {
			if strings.Contains(a, "Private words") {
				t.Errorf("the audit log holds answers: %s", a)
			}
		}

		// Retention: refused while the round is open, then confirmed.
		base := "/staff/surveys/" + d.ID + "/rounds/baseline"
		admin.Get(base + "/delete-responses").Must(http.StatusConflict)
		admin.PostWithToken(base+"/close", url.Values{"confirm": {"yes"}}).Must(http.StatusOK)
		if s := webtest.Text(admin.Get(base + "/delete-responses").Must(http.StatusOK).Body); !strings.Contains(s, "Delete all 1 responses to Baseline, autumn 2026?") {
			t.Errorf("retention confirmation: %s", s)
		}
		admin.PostWithToken(base+"/delete-responses", url.Values{"confirm": {"yes"}}).Must(http.StatusOK)
		if n, err := st.CountResponses(context.Background(), d.ID, "baseline"); err != nil || n != 0 {
			t.Errorf("%d responses left after the retention delete (%v)", n, err)
		}
		hasAudit(t, e, "deleted responses of round (retention) "+d.ID+"/baseline: 1 responses")
	})
}

// TestAdminExport reads the whole export and checks it holds each kind of
// record, ends with its end record, and holds no password hash.
func TestAdminExport(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	d := e.Survey("integrated-working")
	serve(t, e)
	ref := e.Respond(d, "baseline", respondent0, 0)
	admin := staffBrowser(t, e, auth.Admin, "")
	staffBrowser(t, e, auth.Analyst, "").Get("/staff/export.jsonl").Must(http.StatusForbidden)

	export := admin.Get("/staff/export.jsonl")
	if export.Status != http.StatusOK || !strings.HasPrefix(export.Header.Get("Content-Type"), "application/jsonl") ||
		!strings.Contains(export.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q %q", export.Status, export.Header.Get("Content-Type"), export.Header.Get("Content-Disposition"))
	}
	types := map[string]int{}
	var last map[string]any
	sc := bufio.NewScanner(strings.NewReader(export.Body))
	sc.Buffer(nil, 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		line := sc.Text()
		if strings.Contains(line, "argon2") || strings.Contains(line, "password") {
			t.Errorf("export line holds a password hash: %s", line)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v", lines, err)
		}
		types[rec["type"].(string)]++
		if rec["type"] == "response" && (rec["reference"] != ref || !strings.Contains(line, "Private words about my team")) {
			t.Errorf("response record %s", line)
		}
		last = rec
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"export": 1, "survey": 6, "round": 12, "response": 1, "account": 2, "end": 1}
	for k, n := range want {
		if types[k] != n {
			t.Errorf("%d %s records, want %d (all: %v)", types[k], k, n, types)
		}
	}
	if types["audit"] < 3 {
		t.Errorf("%d audit records, want the sign-ins and the export", types["audit"])
	}
	if last["type"] != "end" || int(last["records"].(float64)) != lines {
		t.Errorf("last record %v, want end with %d records", last, lines)
	}
	hasAudit(t, e, "exported everything")
}

// TestAdminDisableUser disables an account: its open session stops working
// and it cannot sign in; enabling it again lets it in.
func TestAdminDisableUser(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	admin := staffBrowser(t, e, auth.Admin, "")
	analyst := e.Browser()
	a := signIn(t, e, analyst, auth.Analyst, "")
	email := a.Email
	confirm := admin.PostFrom("/staff/users", "/staff/users/disable", url.Values{"account": {a.ID}}).Must(http.StatusOK)
	if !strings.Contains(webtest.Text(confirm.Body), "Disable the account of") {
		t.Errorf("disable confirmation: %s", webtest.Text(confirm.Body))
	}
	admin.PostFrom("/staff/users", "/staff/users/disable", url.Values{"account": {a.ID}, "confirm": {"yes"}}).Must(http.StatusOK)
	if p := analyst.Get("/staff"); p.URL.Path != "/staff/sign-in" {
		t.Errorf("a disabled account's session still works: at %s", p.URL)
	}
	again := e.Browser()
	again.PostWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {webtest.Password}}).Must(http.StatusUnauthorized)
	hasAudit(t, e, "disabled user "+email)
	admin.PostFrom("/staff/users", "/staff/users/disable", url.Values{"account": {a.ID}, "enable": {"yes"}, "confirm": {"yes"}}).Must(http.StatusOK)
	again.PostWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {webtest.Password}}).Must(http.StatusOK)

	self, _ := e.Store.Accounts(context.Background())
	for _, x := range self {
		if x.Role == "admin" {
			admin.PostFrom("/staff/users", "/staff/users/disable", url.Values{"account": {x.ID}, "confirm": {"yes"}}).Must(http.StatusConflict)
		}
	}
}

// TestChangeOwnPassword needs the current password, and then the new one
// signs in and the old one does not.
func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	b := e.Browser()
	email := signIn(t, e, b, auth.BoardViewer, "").Email
	// A second browser signed in with the old password is signed out by
	// the change.
	elsewhere := e.Browser()
	elsewhere.PostWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {webtest.Password}}).Must(http.StatusOK)
	const newPassword = "a brand new password"
	b.PostWithToken("/staff/password", url.Values{"current": {"wrong password!"}, "password": {newPassword}, "confirm_password": {newPassword}}).Must(http.StatusUnprocessableEntity)
	b.PostWithToken("/staff/password", url.Values{"current": {webtest.Password}, "password": {newPassword}, "confirm_password": {"different"}}).Must(http.StatusUnprocessableEntity)
	p := b.PostWithToken("/staff/password", url.Values{"current": {webtest.Password}, "password": {newPassword}, "confirm_password": {newPassword}}).Must(http.StatusOK)
	if !strings.Contains(webtest.Text(p.Body), "Your password was changed") {
		t.Errorf("after changing: %s", webtest.Text(p.Body))
	}
	if p := b.Get("/staff").Must(http.StatusOK); p.URL.Path != "/staff" {
		t.Errorf("the browser that changed the password was signed out: at %s", p.URL.Path)
	}
	if p := elsewhere.Get("/staff").Must(http.StatusOK); p.URL.Path != "/staff/sign-in" {
		t.Errorf("another browser stayed signed in after the password changed: at %s", p.URL.Path)
	}
	other := e.Browser()
	other.PostWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {webtest.Password}}).Must(http.StatusUnauthorized)
	other.PostWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {newPassword}}).Must(http.StatusOK)
	log := e.AuditLog()
	for _, want := range []string{email + " changed own password", email + " password change refused: wrong current password"} {
		if !slices.Contains(log, want) {
			t.Errorf("no audit entry %q", want)
		}
	}
}
