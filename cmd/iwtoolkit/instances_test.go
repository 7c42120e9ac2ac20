package main

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/load"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// The load across two instances: 50 respondents and 300 responses on
// MongoDB. The stand-in (FerretDB on PostgreSQL) is exact under this load
// but slow: on 2 cores shared by two instances, the load generator,
// PostgreSQL and FerretDB, every query took 50 to 70 ms, and 50
// respondents completed 13 to 35 responses a minute. There the test runs
// 8 respondents to 40 responses, which still sends many responses into
// one tally document at once (a response's cell is its sector,
// organisation and so on; the load's answers come from few of them).
const (
	mongoRespondents, mongoResponses     = 50, 300
	standInRespondents, standInResponses = 8, 40
)

// on is b, with its cookies, sending its requests to svc: one browser
// behind a load balancer that has sent it to another instance.
func (b *browser) on(svc *service) *browser {
	return &browser{t: b.t, client: b.client, base: svc.URL}
}

// Several instances on one MongoDB keep nothing of their own: every
// session, draft, resume code, rate-limit count, invitation and report
// figure is in the store, so two instances behave as one. (Two instances
// on one embedded store are refused instead: TestSecondProcessRefused.)
func TestTwoInstancesOneStore(t *testing.T) {
	t.Parallel()
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	e := mongoEnv(t)
	e["IWT_SUBMIT_LIMIT"] = "0" // every load request comes from 127.0.0.1
	a, b := start(t, e), start(t, e)

	t.Run("load across both", func(t *testing.T) {
		srv := testenv.Mongo(t)
		respondents := srv.SizeFor(t, "respondents at once", mongoRespondents, standInRespondents)
		want := srv.SizeFor(t, "responses", mongoResponses, standInResponses)
		res, err := load.Run(context.Background(), load.Config{
			Targets: []string{a.URL, b.URL}, Survey: d, Round: "baseline",
			Respondents: respondents, Responses: want,
			// A bound, not an expectation: the run stops at its responses
			// (in seconds on a quiet machine), and a run that fails on
			// every page ends here. The fixed seed gives the same answers
			// every run. The services' deadlines are testTimeouts.
			Duration: 10 * time.Minute, Seed: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("load across %s and %s:\n%s", a.URL, b.URL, loadReport(res))
		if len(res.Failures) > 0 || len(res.References) != want || len(res.Unfinished) > 0 {
			t.Fatalf("%d of %d responses confirmed, %d unfinished, failures %v; first: %s",
				len(res.References), want, len(res.Unfinished), res.Failures, res.FirstFailure)
		}

		// Every confirmed reference stored exactly once, and nothing else.
		stored := map[string]int{}
		for _, r := range responses(t, e, d.ID) {
			stored[r.Reference]++
		}
		for _, ref := range res.References {
			if stored[ref] != 1 {
				t.Errorf("reference %s stored %d times, want once", ref, stored[ref])
			}
		}
		if len(stored) != len(res.References) {
			t.Errorf("%d references stored, %d confirmed", len(stored), len(res.References))
		}

		// The report's figures: the same from either instance, and equal
		// to a recount from the stored responses.
		admin := staffBrowser(t, a, "admin", "")
		closeRound(t, admin, d, "baseline")
		// Open again for the tests after this one: the figures, made at
		// the close, stay as they are.
		defer func() {
			admin.postFrom("/staff/surveys/"+d.ID+"/rounds/baseline", "/staff/surveys/"+d.ID+"/rounds/baseline/open", nil).must(t, http.StatusOK)
		}()
		analyst := staffBrowser(t, a, "analyst", "")
		api := "/api/surveys/" + d.ID + "/report?a=baseline"
		fromA, fromB := reportFigures(t, analyst, api), reportFigures(t, analyst.on(b), api)
		if diff := cmp.Diff(fromA, fromB); diff != "" {
			t.Errorf("report figures from A and B differ (-A +B):\n%s", diff)
		}
		if n := fromA.Rounds[0].Responses; n == nil || *n != want {
			t.Errorf("the report counts %v responses, want %d", n, want)
		}
		rc, err := storeOf(t, e).Recount(context.Background(), store.PlanFor(d), "baseline")
		if err != nil {
			t.Fatal(err)
		}
		if rc.Responses != want || rc.Differences != 0 {
			t.Errorf("recount: %d responses, %d tallied counts differ; want %d and none", rc.Responses, rc.Differences, want)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		staff := newBrowser(t, a.URL)
		signInStaff(t, staff, e, "analyst", "")
		session := cookie(t, staff, "iwt_session")
		onB := staff.on(b)
		if p := onB.get("/staff").must(t, http.StatusOK); p.URL.Path != "/staff" || !strings.Contains(text(p.Body), "Signed in as") {
			t.Fatalf("a session from A on B: at %s: %s", p.URL, text(p.Body))
		}
		// Signing out on B with the form from A's page.
		p := onB.post("/staff/sign-out", url.Values{"csrf_token": {csrfOf(t, staff.get("/staff"))}}).must(t, http.StatusOK)
		if p.URL.Path != "/staff/sign-in" {
			t.Errorf("after signing out on B: at %s", p.URL)
		}
		// The old cookie, replayed on A: the session is gone there too.
		replay, _ := http.NewRequest(http.MethodGet, a.URL+"/staff", nil)
		replay.AddCookie(&http.Cookie{Name: "iwt_session", Value: session})
		resp, err := noRedirects(newBrowser(t, a.URL)).Do(replay)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/sign-in") {
			t.Errorf("A with the session signed out on B: %d to %q, want 303 to sign in", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("drafts", func(t *testing.T) {
		first, second := d.Sections[0], d.Sections[1]
		answers := map[string]string{}
		form := answer(d, first, answers, respondent{Level: "4"}, 1)
		r := newBrowser(t, a.URL)
		r.postWithToken(flow+"/section/"+first.ID, form).must(t, http.StatusOK)
		onB := r.on(b)
		if tasks := text(onB.get(flow+"/tasks").must(t, http.StatusOK).Body); !strings.Contains(tasks, "Completed") {
			t.Errorf("B's task list after saving on A: %s", tasks)
		}
		page := onB.get(flow+"/section/"+first.ID).must(t, http.StatusOK).Body
		if checkedRadios(t, page, form, "B's page of answers saved on A") == 0 {
			t.Errorf("section %s has no radios to check the saved answers by", first.ID)
		}
		// A form from A's page, sent to B: the token is good on both.
		next := answer(d, second, answers, respondent{Level: "4"}, 1)
		next.Set("csrf_token", csrfOf(t, r.get(flow+"/section/"+second.ID)))
		onB.post(flow+"/section/"+second.ID, next).must(t, http.StatusOK)

		// Save and come back later on A; the code works on B, and again on
		// either, until the answers are sent.
		next.Set("next_step", "later")
		saved := r.postWithToken(flow+"/section/"+second.ID, next).must(t, http.StatusOK)
		m := resumeCode.FindStringSubmatch(saved.Body)
		if m == nil {
			t.Fatalf("no resume code on A's saved page:\n%s", text(saved.Body))
		}
		p := newBrowser(t, b.URL).postWithToken(flow+"/resume", url.Values{"code": {m[1]}}).must(t, http.StatusOK)
		if p.URL.Path != flow+"/tasks" || strings.Count(text(p.Body), "Completed") < 2 {
			t.Errorf("resuming on B with a code from A: at %s: %s", p.URL.Path, text(p.Body))
		}
		for _, svc := range []*service{a, b} {
			if p := newBrowser(t, svc.URL).postWithToken(flow+"/resume", url.Values{"code": {m[1]}}).must(t, http.StatusOK); p.URL.Path != flow+"/tasks" {
				t.Errorf("the code used again on %s: at %s", svc.URL, p.URL.Path)
			}
		}
	})

	t.Run("invitations", func(t *testing.T) {
		admin := staffBrowser(t, a, "admin", "")
		rows := makeInvitations(t, admin, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"1"}})
		token := tokenOf(t, rows[0][1])
		r := newBrowser(t, b.URL)
		if p := r.get("/i/"+token).must(t, http.StatusOK); p.URL.Path != flow {
			t.Fatalf("A's invitation on B led to %s", p.URL)
		}
		answerAll(t, r, d, "baseline", nil)
		ref := send(t, r, flow)
		got, err := storeOf(t, e).Response(context.Background(), ref)
		if err != nil || got.Invitation != survey.DraftKey(token) {
			t.Errorf("response %s sent through the invitation on B: %+v, %v", ref, got, err)
		}
		newBrowser(t, a.URL).get("/i/"+token).must(t, http.StatusGone)
		r.on(a).get("/i/"+token).must(t, http.StatusGone)
	})

	t.Run("rate limits", func(t *testing.T) {
		// Two more instances on the same database, with a small limit.
		// They count each client by X-Forwarded-For, as behind a load
		// balancer, so that each attempt below is a new client.
		limited := maps.Clone(e)
		limited["IWT_SUBMIT_LIMIT"] = "5"
		limited["IWT_TRUSTED_PROXY"] = "127.0.0.1"
		c, dd := start(t, limited), start(t, limited)
		section := flow + "/section/" + d.Sections[0].ID
		// Posts are counted in fixed ten-minute windows; a client whose
		// posts straddle two is tried again as another client.
		for attempt := 1; ; attempt++ {
			client := "203.0.113." + strconv.Itoa(attempt)
			r := newBrowser(t, c.URL)
			window := time.Now().Truncate(10 * time.Minute)
			var got []int
			for i := range 7 {
				svc := []*service{c, dd}[i%2] // C, D, C, D, C, D, C
				got = append(got, postAs(t, r.on(svc), client, section, url.Values{}))
			}
			// Another client is not held back by this one's count.
			other := postAs(t, r.on(dd), "203.0.113.200", section, url.Values{})
			if time.Now().Truncate(10*time.Minute) != window && attempt < 3 {
				continue
			}
			for i, status := range got {
				if refused := status == http.StatusTooManyRequests; refused != (i >= 5) {
					t.Errorf("post %d of one client, alternating C and D: status %d; want the first 5 taken and the rest refused (all: %v)", i+1, status, got)
				}
			}
			if other == http.StatusTooManyRequests {
				t.Error("another client was refused")
			}
			break
		}
	})
}

// reportFigures are the report's figures from its JSON API.
func reportFigures(t *testing.T, b *browser, path string) report.Aggregates {
	t.Helper()
	var agg report.Aggregates
	if err := json.Unmarshal([]byte(b.get(path).must(t, http.StatusOK).Body), &agg); err != nil {
		t.Fatal(err)
	}
	if len(agg.Rounds) != 1 {
		t.Fatalf("%s: %d rounds, want 1", path, len(agg.Rounds))
	}
	return agg
}

// postAs posts a form as the client at the address given, behind a
// trusted proxy, and returns the status.
func postAs(t *testing.T, b *browser, client, path string, form url.Values) int {
	t.Helper()
	f := maps.Clone(form)
	f.Set("csrf_token", csrfOf(t, b.get(path)))
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", client)
	return b.do(req).Status
}

// cookie is the value of a browser's cookie for the loopback address.
func cookie(t *testing.T, b *browser, name string) string {
	t.Helper()
	u, _ := url.Parse(b.base + "/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	t.Fatalf("no %s cookie", name)
	return ""
}
