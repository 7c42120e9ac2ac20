package respond_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// Save and come back later: the code is shown once, the old browser loses
// the draft, and the code (typed carelessly, or as a link) brings it back
// in another browser, and again in a third: it works until the answers
// are sent. A wrong code is refused without a hint of anyone
// else's answers. It runs on both stores.
func TestSaveAndResume(t *testing.T) {
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		serve(t, e)
		d := e.Survey("integrated-working")
		flow := "/s/" + d.ID + "/baseline"
		first := d.Sections[0]
		b := e.Browser()
		form := answer(d, first, map[string]string{}, webtest.Respondent{Level: "3"}, 0)
		form.Set("next_step", "later")
		saved := b.PostWithToken(flow+"/section/"+first.ID, form).Must(http.StatusOK)
		m := resumeCode.FindStringSubmatch(saved.Body)
		if m == nil {
			t.Fatalf("no resume code on the saved page:\n%s", saved.Text())
		}
		code := m[1]
		if !strings.Contains(saved.Body, `/resume?code=`+code) {
			t.Error("the saved page has no resume link")
		}
		// This browser no longer holds the draft.
		if tasks := webtest.Text(b.Get(flow + "/tasks").Must(http.StatusOK).Body); strings.Contains(tasks, "Completed") {
			t.Errorf("after saving for later, the old browser still sees answers: %s", tasks)
		}

		other := e.Browser()
		p := other.PostWithToken(flow+"/resume", url.Values{"code": {"AAAA-BBBB-CCCC"}}).Must(http.StatusUnprocessableEntity)
		if !strings.Contains(p.Text(), "That code does not match saved answers") || !strings.Contains(p.Body, `value="AAAA-BBBB-CCCC"`) {
			t.Errorf("wrong code: %s", p.Text())
		}
		typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
		p = other.PostWithToken(flow+"/resume", url.Values{"code": {typed}}).Must(http.StatusOK)
		if p.URL.Path != flow+"/tasks" || !strings.Contains(p.Text(), "Completed") {
			t.Errorf("after resuming with %q: at %s: %s", typed, p.URL.Path, p.Text())
		}
		// The code keeps working: the same link at work, after carrying
		// on at home, opens the answers as last saved.
		late := e.Browser()
		late.Get(flow + "/resume?code=" + url.QueryEscape(code)).Must(http.StatusOK)
		p = late.PostWithToken(flow+"/resume", url.Values{"code": {code}}).Must(http.StatusOK)
		if p.URL.Path != flow+"/tasks" || !strings.Contains(p.Text(), "Completed") {
			t.Errorf("the code used a second time: at %s: %s", p.URL.Path, p.Text())
		}
		// Saving for later where the code was used shows the same code:
		// every device keeps working. Opening the link (as a mail
		// scanner or a link preview would, with no cookies) only fills
		// in the form.
		form.Set("next_step", "later")
		again := other.PostWithToken(flow+"/section/"+first.ID, form).Must(http.StatusOK)
		m = resumeCode.FindStringSubmatch(again.Body)
		if m == nil || again.URL.Path != flow+"/saved" || m[1] != code {
			t.Fatalf("saving again, want the same code %s, at %s:\n%s", code, again.URL.Path, again.Text())
		}
		if !strings.Contains(again.Text(), "It works on any device, as often as you need, until you send your answers") {
			t.Errorf("the saved page does not say the code's rule: %s", again.Text())
		}
		// Refreshing the saved page shows the same code, not a new one.
		if refreshed := resumeCode.FindStringSubmatch(other.Get(flow + "/saved").Must(http.StatusOK).Body); refreshed == nil || refreshed[1] != m[1] {
			t.Errorf("refreshing the saved page: code %v, want %s", refreshed, m[1])
		}
		link := flow + "/resume?code=" + url.QueryEscape(m[1])
		for range 2 {
			if resp := e.Browser().Once(httptest.NewRequest(http.MethodGet, link, nil)); resp.Status != http.StatusOK {
				t.Errorf("a cookie-less GET of the resume link: %d, want 200 (the form)", resp.Status)
			}
		}
		person := e.Browser()
		p = person.Get(link).Must(http.StatusOK)
		if p.URL.Path != flow+"/resume" || !strings.Contains(p.Body, `value="`+m[1]+`"`) || !strings.Contains(p.Body, `method="post"`) {
			t.Errorf("the resume link shows no form holding the code: at %s: %s", p.URL.Path, p.Text())
		}
		p = person.PostWithToken(flow+"/resume", url.Values{"code": {m[1]}}).Must(http.StatusOK)
		if p.URL.Path != flow+"/tasks" || !strings.Contains(p.Text(), "Completed") {
			t.Errorf("after the link scanned twice, the person's own click led to %s: %s", p.URL.Path, p.Text())
		}
	})
}

// A draft past its expiry is not used, even before the sweep deletes it.
func TestExpiredDraftIsNotUsed(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	flow := "/s/" + d.ID + "/baseline"
	first := d.Sections[0]
	b := e.Browser()
	b.PostWithToken(flow+"/section/"+first.ID, answer(d, first, map[string]string{}, webtest.Respondent{Level: "3"}, 0)).Must(http.StatusOK)
	token := b.Cookie(flow, "iwt_draft")
	st := e.Store
	dr, err := st.Draft(context.Background(), survey.DraftKey(token))
	if err != nil {
		t.Fatal(err)
	}
	if left := dr.Expires.Sub(e.Now); left < 29*24*time.Hour || left > 31*24*time.Hour {
		t.Errorf("a new draft expires in %v, want the default 30 days", left)
	}
	dr.Expires = e.Clock().Add(-time.Minute)
	if err := st.SaveDraft(context.Background(), dr); err != nil {
		t.Fatal(err)
	}
	if tasks := webtest.Text(b.Get(flow + "/tasks").Must(http.StatusOK).Body); strings.Contains(tasks, "Completed") {
		t.Errorf("an expired draft was used: %s", tasks)
	}
}

// The young people's survey is written in English and Polish: ?lang=pl
// switches every page, the service's own words included, and is
// remembered; a language the survey lacks gives English.
func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	yp := e.Survey("young-people")
	pl := yp.In("pl")
	flow := "/s/" + yp.ID + "/baseline"
	b := e.Browser()
	p := b.Get(flow + "?lang=pl").Must(http.StatusOK)
	for _, want := range []string{`<html lang="pl"`, pl.Title, "Rozpocznij", `hreflang="en"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("Polish start page lacks %q", want)
		}
	}
	// Remembered on the next page, with errors in Polish.
	// Every question here is optional, so an answer it does not offer makes
	// the error.
	rated := pl.Sections[1]
	items, _ := rated.Rated()
	p = b.PostWithToken(flow+"/section/"+rated.ID, url.Values{items[0].ID: {"9"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `<html lang="pl"`) || !strings.Contains(p.Body, "Wystąpił problem") || !strings.Contains(p.Body, "Przerwij i opuść ankietę") {
		t.Errorf("page after the Polish start page is not in Polish:\n%s", p.Text())
	}
	p = b.Get(flow + "?lang=en").Must(http.StatusOK)
	if !strings.Contains(p.Body, `<html lang="en"`) || !strings.Contains(p.Body, yp.Title) {
		t.Error("?lang=en did not switch back")
	}
	p = e.Browser().Get(flow + "?lang=xx").Must(http.StatusOK)
	if !strings.Contains(p.Body, `<html lang="en"`) {
		t.Error("an unknown language did not give English")
	}
}

// Every question type of the mini survey goes through the real forms:
// shown, refused when invalid (with the answer kept), and stored as given,
// with the leaders-only questions kept for a leader.
func TestEveryQuestionType(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	e.UseSurveys("../../survey/testdata/valid") // mini.yaml
	serve(t, e)
	b := e.Browser()
	flow := "/s/mini/baseline"

	// Start page → task list, as the survey has one.
	if start := b.Get(flow).Must(http.StatusOK); !strings.Contains(start.Body, `href="`+flow+`/tasks"`) {
		t.Fatal("start page does not lead to the task list")
	}
	about := b.Get(flow + "/section/about-you").Must(http.StatusOK)
	// The leaders-only number question is on the page, hidden until the
	// role is chosen (the page's script shows it at once; TestBrowserReveal).
	if hidden := strings.Index(about.Body, `<div class="app-reveal" id="reveal-team-size" data-reveal-on="role" data-reveal-values="leader-manager" hidden>`); hidden < 0 || strings.Index(about.Body, `name="team-size"`) < hidden {
		t.Error("the leaders-only number question is not hidden before the role is known")
	}
	// Choosing the leader's role reveals the number question on the same
	// page: it comes back to be answered, with no error for it yet, and
	// (without JavaScript) the page opens at it, saying why.
	form := url.Values{"sector": {"health"}, "role": {"leader-manager"}, "csrf_token": {b.Get(flow + "/section/about-you").CSRF()}}
	req := httptest.NewRequest(http.MethodPost, flow+"/section/about-you", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := b.Once(req)
	if loc := resp.Header.Get("Location"); resp.Status != http.StatusSeeOther || loc != flow+"/section/about-you?revealed=team-size#revealed" {
		t.Errorf("after revealing a question: %d to %q, want 303 to the page at #revealed", resp.Status, loc)
	}
	p := b.Get(flow + "/section/about-you?revealed=team-size").Must(http.StatusOK)
	notice := strings.Index(p.Body, `id="revealed"`)
	if notice < 0 || notice > strings.Index(p.Body, `name="team-size"`) || !strings.Contains(p.Text(), "Your answer opened the question below.") || strings.Contains(p.Body, "There is a problem") {
		t.Errorf("the page after revealing a question does not open at it with a notice:\n%s", p.Text())
	}
	if strings.Contains(b.Get(flow+"/section/about-you?revealed=nothing-here").Must(http.StatusOK).Body, `id="revealed"`) {
		t.Error("a revealed= naming no question of the page shows a notice")
	}
	p = b.PostWithToken(flow+"/section/about-you", url.Values{"sector": {"health"}, "role": {"leader-manager"}, "team-size": {"600"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "‘How many people do you manage?’ must be 500 or less") || !strings.Contains(p.Body, `value="600"`) {
		t.Errorf("number out of bounds: %s", p.Text())
	}
	b.PostWithToken(flow+"/section/about-you", url.Values{"sector": {"health"}, "role": {"leader-manager"}, "team-size": {"12"}}).Must(http.StatusOK)

	p = b.PostWithToken(flow+"/section/caf", url.Values{"caf-1": {"3"}, "caf-2": {"dont-know"}, "caf-comment": {"<script>alert(1)</script>"}}).Must(http.StatusOK)
	if p.URL.Path != flow+"/tasks" {
		t.Errorf("after a section: at %s, want the task list", p.URL.Path)
	}
	if leading := b.Get(flow + "/section/leading").Must(http.StatusOK); !strings.Contains(leading.Body, `name="lead-1"`) {
		t.Error("the leaders' section does not ask its scale question")
	}
	b.PostWithToken(flow+"/section/leading", url.Values{"lead-1": {"2"}}).Must(http.StatusOK)

	more := b.Get(flow + "/section/more").Must(http.StatusOK)
	for _, want := range []string{`type="checkbox" value="none"`, `data-behaviour="exclusive"`, `value="prefer-not-to-say"`, `name="postcode" type="text" maxlength="4"`} {
		if !strings.Contains(more.Body, want) {
			t.Errorf("the page of yes/no, multiple choice and text lacks %s", want)
		}
	}
	p = b.PostWithToken(flow+"/section/more", url.Values{"trained": {"yes"}, "topics": {"none", "caf"}, "postcode": {"N1"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "select “None of these” or other answers, not both") {
		t.Errorf("none with other answers: %s", p.Text())
	}
	b.PostWithToken(flow+"/section/more", url.Values{"trained": {"prefer-not-to-say"}, "topics": {"sharing", "caf"}, "postcode": {"N17"}}).Must(http.StatusOK)

	check := b.Get(flow + "/check").Must(http.StatusOK)
	for _, want := range []string{"Prefer not to say", "CAF<br>Information sharing", "&lt;script&gt;alert(1)&lt;/script&gt;", "12"} {
		if !strings.Contains(check.Body, want) {
			t.Errorf("check answers lacks %s", want)
		}
	}
	ref := send(t, b, flow)
	r, err := e.Store.Response(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"sector": "health", "role": "leader-manager", "team-size": "12",
		"caf-1": "3", "caf-2": "dont-know", "caf-comment": "<script>alert(1)</script>",
		"lead-1": "2", "trained": "prefer-not-to-say", "topics": "caf sharing", "postcode": "N17",
	}
	if len(r.Answers) != len(want) {
		t.Errorf("stored %d answers, want %d: %v", len(r.Answers), len(want), r.Answers)
	}
	for k, v := range want {
		if r.Answers[k] != v {
			t.Errorf("stored %s = %q, want %q", k, r.Answers[k], v)
		}
	}
}

// A survey answered only through invitations (one per organisation) turns
// away anyone without one, and takes one response through each.
func TestInvitationOnly(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("organisation-self-assessment")
	if !d.InvitationOnly {
		t.Fatal("organisation-self-assessment is not for invited people only")
	}
	flow := "/s/" + d.ID + "/baseline"
	b := e.Browser()
	if start := b.Get(flow).Must(http.StatusOK); strings.Contains(start.Body, "govuk-button--start") || !strings.Contains(start.Body, "answered through an invitation link") {
		t.Errorf("start page without an invitation: %s", start.Text())
	}
	b.Get(flow + "/section/" + d.Sections[0].ID).Must(http.StatusForbidden)

	token, key := survey.NewToken()
	q, _ := d.BreakdownQuestion("organisation")
	inv := survey.Invitation{Key: key, SurveyID: d.ID, Round: "baseline", Organisation: q.Options[0].Value, RespondentKey: "person-1", Created: e.Clock()}
	if err := e.Store.CreateInvitations(context.Background(), []survey.Invitation{inv}); err != nil {
		t.Fatal(err)
	}
	if start := b.Get("/i/" + token).Must(http.StatusOK); start.URL.Path != flow || !strings.Contains(start.Body, "govuk-button--start") {
		t.Fatalf("invitation led to %s: %s", start.URL.Path, start.Text())
	}
	// The form names another organisation: the invitation's is kept.
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if sec.ShowIf.Holds(answers) {
			b.PostWithToken(flow+"/section/"+sec.ID, answer(d, sec, answers, webtest.Respondent{Level: "2"}, 1)).Must(http.StatusOK)
		}
	}
	if check := b.Get(flow + "/check").Must(http.StatusOK); !strings.Contains(check.Text(), q.Options[0].Label) {
		t.Errorf("the invitation's organisation is not among the answers: %s", check.Text())
	}
	ref := send(t, b, flow)
	r, err := e.Store.Response(context.Background(), ref)
	if err != nil || r.Invitation != key || r.RespondentKey != "person-1" {
		t.Errorf("stored response %+v, %v: want the invitation and its respondent key", r, err)
	}
	// The link works once.
	e.Browser().Get("/i/" + token).Must(http.StatusGone)
}

// Stopping shows where to get help, the survey's own words included; the
// language links keep the page's address.
func TestStopAndHelp(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	yp := e.Survey("young-people")
	if yp.Help == nil {
		t.Fatal("the young people's survey has no help")
	}
	flow := "/s/" + yp.ID + "/baseline"
	b := e.Browser()
	first := yp.Sections[0]
	b.PostWithToken(flow+"/section/"+first.ID, answer(yp, first, map[string]string{}, webtest.Respondent{Level: "2"}, 0)).Must(http.StatusOK)
	p := b.Get(flow + "/stop").Must(http.StatusOK)
	firstLine := strings.SplitN(strings.TrimSpace(yp.Help.Text), "\n", 2)[0]
	for _, want := range []string{"Childline", "0800 1111", firstLine} {
		if !strings.Contains(p.Text(), want) {
			t.Errorf("stop page lacks %q", want)
		}
	}
	p = b.Get(flow + "/section/" + first.ID + "?return=check").Must(http.StatusOK)
	if !strings.Contains(p.Body, `return=check&amp;lang=pl`) && !strings.Contains(p.Body, `lang=pl&amp;return=check`) {
		t.Errorf("the language link drops the page's query:\n%s", p.Body)
	}
}
