package main

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

	"iwtoolkit/internal/store"
)

// postFrom posts a form to action with the CSRF token of the page at
// from, as a browser submitting a form on that page would.
func (b *browser) postFrom(from, action string, form url.Values) page {
	b.t.Helper()
	f := url.Values{"csrf_token": {csrfOf(b.t, b.get(from))}}
	for k, v := range form {
		f[k] = v
	}
	return b.post(action, f)
}

// hasAudit fails the test unless an audit entry ("actor action target")
// contains want.
func hasAudit(t *testing.T, e env, want string) {
	t.Helper()
	log := auditActions(t, e)
	if !slices.ContainsFunc(log, func(a string) bool { return strings.Contains(a, want) }) {
		t.Errorf("no audit entry with %q in\n%s", want, strings.Join(log, "\n"))
	}
}

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
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) {
			d := bundled(t)
			svc := start(t, newEnv(t))
			admin := staffBrowser(t, svc, "admin", "")
			respondent := newBrowser(t, svc.URL)
			flow := "/s/" + d.ID + "/baseline"
			base := "/staff/surveys/" + d.ID + "/rounds/baseline"
			respond(t, svc.URL, d, "baseline", respondent0, 0)

			cat := admin.get("/staff/surveys").must(t, http.StatusOK)
			rounds := text(element(t, cat.Body, "table", "rounds_"+d.ID))
			for _, want := range []string{"Baseline, autumn 2026 (baseline) Open 1", "Follow-up, autumn 2027 (follow-up) Open 0"} {
				if !strings.Contains(rounds, want) {
					t.Errorf("catalogue rounds of %s: %q, want %q", d.ID, rounds, want)
				}
			}
			if !strings.Contains(text(cat.Body), d.Version) || !strings.Contains(text(cat.Body), "Valid") {
				t.Errorf("catalogue does not show the version and validation state:\n%s", text(cat.Body))
			}

			// Closing asks first, then respondents get 410.
			if p := admin.get(base+"/close").must(t, http.StatusOK); !strings.Contains(text(p.Body), "Close Baseline, autumn 2026?") {
				t.Errorf("close confirmation: %s", text(p.Body))
			}
			admin.postFrom(base, base+"/close", nil).must(t, http.StatusOK) // no confirm: back to the question
			if respondent.get(flow).Status != http.StatusOK {
				t.Error("the round closed without confirmation")
			}
			p := admin.postWithToken(base+"/close", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
			if p.URL.Path != base || !strings.Contains(text(element(t, p.Body, "dd", "round_status")), "Closed") {
				t.Errorf("after closing: at %s, status %q", p.URL.Path, text(p.Body))
			}
			respondent.get(flow).must(t, http.StatusGone)
			respondent.get(flow+"/check").must(t, http.StatusGone)

			admin.postFrom(base, base+"/open", nil).must(t, http.StatusOK)
			respondent.get(flow).must(t, http.StatusOK)

			// A schedule opens and closes the round by time.
			now := time.Now()
			schedule := func(opens, closes time.Time) page {
				form := url.Values{}
				if !opens.IsZero() {
					form.Set("opens_at", ukTime(t, opens))
				}
				if !closes.IsZero() {
					form.Set("closes_at", ukTime(t, closes))
				}
				return admin.postFrom(base, base+"/schedule", form)
			}
			schedule(now.Add(24*time.Hour), now.Add(48*time.Hour)).must(t, http.StatusOK)
			respondent.get(flow).must(t, http.StatusGone)
			if s := text(admin.get(base).Body); !strings.Contains(s, "Scheduled: opens") {
				t.Errorf("round page after scheduling ahead: %s", s)
			}
			schedule(now.Add(-time.Hour), now.Add(time.Hour)).must(t, http.StatusOK)
			respondent.get(flow).must(t, http.StatusOK)
			schedule(time.Time{}, now.Add(-time.Minute*2)).must(t, http.StatusOK)
			respondent.get(flow).must(t, http.StatusGone)
			for _, bad := range []url.Values{{}, {"opens_at": {"tomorrow"}}, {"opens_at": {ukTime(t, now)}, "closes_at": {ukTime(t, now.Add(-time.Hour))}}} {
				admin.postFrom(base, base+"/schedule", bad).must(t, http.StatusUnprocessableEntity)
			}

			// Practice.
			admin.postFrom(base, base+"/practice", url.Values{"practice": {"yes"}}).must(t, http.StatusOK)
			states, err := storeOf(t, svc.env).RoundStates(context.Background(), d.ID)
			if err != nil || len(states) != 1 || !states[0].Practice {
				t.Errorf("stored round states %+v, %v; want baseline marked practice", states, err)
			}
			if s := text(element(t, admin.get("/staff/surveys").Body, "table", "rounds_"+d.ID)); !strings.Contains(s, "Practice") {
				t.Errorf("catalogue does not mark the practice round: %s", s)
			}

			// Adding a round: it starts closed.
			newRound := "/staff/surveys/" + d.ID + "/rounds/new"
			p = admin.postWithToken(newRound, url.Values{"id": {"spring-2027"}, "label": {"Spring <2027>"}}).must(t, http.StatusOK)
			if p.URL.Path != "/staff/surveys/"+d.ID+"/rounds/spring-2027" || !strings.Contains(p.Body, "Spring &lt;2027&gt;") {
				t.Errorf("after adding a round: at %s\n%s", p.URL, text(p.Body))
			}
			respondent.get("/s/"+d.ID+"/spring-2027").must(t, http.StatusGone)
			admin.postFrom(p.URL.Path, p.URL.Path+"/open", nil).must(t, http.StatusOK)
			if s := text(respondent.get("/s/"+d.ID+"/spring-2027").must(t, http.StatusOK).Body); !strings.Contains(s, "Spring <2027>") {
				t.Errorf("the added round's start page does not name it: %s", s)
			}
			for _, bad := range []url.Values{{"id": {"baseline"}, "label": {"Again"}}, {"id": {"spring-2027"}, "label": {"Again"}}, {"id": {"../x"}, "label": {"X"}}, {"id": {"ok"}, "label": {""}}} {
				admin.postWithToken(newRound, bad).must(t, http.StatusUnprocessableEntity)
			}
			admin.get("/staff/surveys/nothing/rounds/baseline").must(t, http.StatusNotFound)
			admin.get("/staff/surveys/"+d.ID+"/rounds/nothing").must(t, http.StatusNotFound)

			for _, want := range []string{"closed round " + d.ID + "/baseline", "opened round " + d.ID + "/baseline", "scheduled round " + d.ID + "/baseline: opens",
				"marked round as practice " + d.ID + "/baseline", "added round " + d.ID + "/spring-2027 (Spring <2027>)"} {
				hasAudit(t, svc.env, want)
			}

			analyst := staffBrowser(t, svc, "analyst", "")
			analyst.get("/staff/surveys").must(t, http.StatusForbidden)
			analyst.get(base).must(t, http.StatusForbidden)
		})
	}
}

var respondent0 = respondent{Level: "3", Comment: "Private words about my team"}

// TestAdminErasureAndRetention deletes one response by its reference and
// then a round's responses, each after a confirmation, on both stores.
func TestAdminErasureAndRetention(t *testing.T) {
	t.Parallel()
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) {
			d := bundled(t)
			svc := start(t, newEnv(t))
			ref := respond(t, svc.URL, d, "baseline", respondent0, 0)
			kept := respond(t, svc.URL, d, "baseline", respondent0, 1)
			admin := staffBrowser(t, svc, "admin", "")
			st := storeOf(t, svc.env)

			admin.postWithToken("/staff/erasure", url.Values{"reference": {"NOPE0-NOPE0"}}).must(t, http.StatusUnprocessableEntity)
			confirm := admin.postWithToken("/staff/erasure", url.Values{"reference": {" " + strings.ToLower(ref) + " "}}).must(t, http.StatusOK)
			if s := text(confirm.Body); !strings.Contains(s, "Delete response "+ref+"?") || strings.Contains(s, "Private words") {
				t.Errorf("erasure confirmation: %s", s)
			}
			if _, err := st.Response(context.Background(), ref); err != nil {
				t.Fatalf("the response went before confirmation: %v", err)
			}
			done := admin.postFrom("/staff/erasure", "/staff/erasure", url.Values{"reference": {ref}, "confirm": {"yes"}}).must(t, http.StatusOK)
			if !strings.Contains(text(done.Body), "Response "+ref+" was deleted") {
				t.Errorf("after erasure: %s", text(done.Body))
			}
			if _, err := st.Response(context.Background(), ref); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Response after erasure: %v, want ErrNotFound", err)
			}
			if _, err := st.Response(context.Background(), kept); err != nil {
				t.Errorf("another response went too: %v", err)
			}
			hasAudit(t, svc.env, "deleted response (erasure) "+ref+" ("+d.ID+"/baseline)")
			for _, a := range auditActions(t, svc.env) {
				if strings.Contains(a, "Private words") {
					t.Errorf("the audit log holds answers: %s", a)
				}
			}

			// Retention: refused while the round is open, then confirmed.
			base := "/staff/surveys/" + d.ID + "/rounds/baseline"
			admin.get(base+"/delete-responses").must(t, http.StatusConflict)
			admin.postWithToken(base+"/close", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
			if s := text(admin.get(base+"/delete-responses").must(t, http.StatusOK).Body); !strings.Contains(s, "Delete all 1 responses to Baseline, autumn 2026?") {
				t.Errorf("retention confirmation: %s", s)
			}
			admin.postWithToken(base+"/delete-responses", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
			if n, err := st.CountResponses(context.Background(), d.ID, "baseline"); err != nil || n != 0 {
				t.Errorf("%d responses left after the retention delete (%v)", n, err)
			}
			hasAudit(t, svc.env, "deleted responses of round (retention) "+d.ID+"/baseline: 1 responses")
		})
	}
}

// TestAdminExport reads the whole export and checks it holds each kind of
// record, ends with its end record, and holds no password hash.
func TestAdminExport(t *testing.T) {
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	ref := respond(t, svc.URL, d, "baseline", respondent0, 0)
	admin := staffBrowser(t, svc, "admin", "")
	staffBrowser(t, svc, "analyst", "").get("/staff/export.jsonl").must(t, http.StatusForbidden)

	resp, err := admin.client.Get(svc.URL + "/staff/export.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/jsonl") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	types := map[string]int{}
	var last map[string]any
	sc := bufio.NewScanner(resp.Body)
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
	hasAudit(t, svc.env, "exported everything")
}

// TestSubmitRateLimit sets a small limit and checks that respondent posts
// past it are refused with a 429 page, and that staff sign-in is not
// counted with them.
func TestSubmitRateLimit(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	e["IWT_SUBMIT_LIMIT"] = "3"
	svc := start(t, e)
	b := newBrowser(t, svc.URL)
	section := "/s/" + d.ID + "/baseline/section/" + d.Sections[0].ID
	for i := range 3 {
		if p := b.postWithToken(section, url.Values{}); p.Status == http.StatusTooManyRequests {
			t.Fatalf("post %d refused under the limit", i+1)
		}
	}
	p := b.postWithToken(section, url.Values{}).must(t, http.StatusTooManyRequests)
	if !strings.Contains(text(p.Body), "Too many answers have been sent from your network") {
		t.Errorf("429 page: %s", text(p.Body))
	}
	b.get(section).must(t, http.StatusOK) // reading is not limited
	staffBrowser(t, svc, "admin", "")     // nor is signing in
}

// TestAdminDisableUser disables an account: its open session stops working
// and it cannot sign in; enabling it again lets it in.
func TestAdminDisableUser(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	admin := staffBrowser(t, svc, "admin", "")
	analyst := newBrowser(t, svc.URL)
	email := signInStaff(t, analyst, svc.env, "analyst", "")
	a, err := storeOf(t, svc.env).AccountByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	confirm := admin.postFrom("/staff/users", "/staff/users/disable", url.Values{"account": {a.ID}}).must(t, http.StatusOK)
	if !strings.Contains(text(confirm.Body), "Disable the account of") {
		t.Errorf("disable confirmation: %s", text(confirm.Body))
	}
	admin.postFrom("/staff/users", "/staff/users/disable", url.Values{"account": {a.ID}, "confirm": {"yes"}}).must(t, http.StatusOK)
	if p := analyst.get("/staff"); p.URL.Path != "/staff/sign-in" {
		t.Errorf("a disabled account's session still works: at %s", p.URL)
	}
	again := newBrowser(t, svc.URL)
	again.postWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {staffPassword}}).must(t, http.StatusUnauthorized)
	hasAudit(t, svc.env, "disabled user "+email)
	admin.postFrom("/staff/users", "/staff/users/disable", url.Values{"account": {a.ID}, "enable": {"yes"}, "confirm": {"yes"}}).must(t, http.StatusOK)
	again.postWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {staffPassword}}).must(t, http.StatusOK)

	self, _ := storeOf(t, svc.env).Accounts(context.Background())
	for _, x := range self {
		if x.Role == "admin" {
			admin.postFrom("/staff/users", "/staff/users/disable", url.Values{"account": {x.ID}, "confirm": {"yes"}}).must(t, http.StatusConflict)
		}
	}
}

// TestChangeOwnPassword needs the current password, and then the new one
// signs in and the old one does not.
func TestChangeOwnPassword(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	b := newBrowser(t, svc.URL)
	email := signInStaff(t, b, svc.env, "board-viewer", "")
	// A second browser signed in with the old password is signed out by
	// the change.
	elsewhere := newBrowser(t, svc.URL)
	elsewhere.postWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {staffPassword}}).must(t, http.StatusOK)
	const newPassword = "a brand new password"
	b.postWithToken("/staff/password", url.Values{"current": {"wrong password!"}, "password": {newPassword}, "confirm_password": {newPassword}}).must(t, http.StatusUnprocessableEntity)
	b.postWithToken("/staff/password", url.Values{"current": {staffPassword}, "password": {newPassword}, "confirm_password": {"different"}}).must(t, http.StatusUnprocessableEntity)
	p := b.postWithToken("/staff/password", url.Values{"current": {staffPassword}, "password": {newPassword}, "confirm_password": {newPassword}}).must(t, http.StatusOK)
	if !strings.Contains(text(p.Body), "Your password was changed") {
		t.Errorf("after changing: %s", text(p.Body))
	}
	if p := b.get("/staff").must(t, http.StatusOK); p.URL.Path != "/staff" {
		t.Errorf("the browser that changed the password was signed out: at %s", p.URL.Path)
	}
	if p := elsewhere.get("/staff").must(t, http.StatusOK); p.URL.Path != "/staff/sign-in" {
		t.Errorf("another browser stayed signed in after the password changed: at %s", p.URL.Path)
	}
	other := newBrowser(t, svc.URL)
	other.postWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {staffPassword}}).must(t, http.StatusUnauthorized)
	other.postWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {newPassword}}).must(t, http.StatusOK)
	log := auditActions(t, svc.env)
	for _, want := range []string{email + " changed own password", email + " password change refused: wrong current password"} {
		if !slices.Contains(log, want) {
			t.Errorf("no audit entry %q", want)
		}
	}
}
