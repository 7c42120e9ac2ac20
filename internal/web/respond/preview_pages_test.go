package respond_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// Staff's preview of the surveys (Preview, preview.go), walked from the
// staff pages that lead to it. Its look in Chromium at a phone's width is
// tested in cmd/iwtoolkit's TestBrowserPreview.

var resumeCode = regexp.MustCompile(`<strong class="app-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>`)

// checkedRadios counts the form's answers that the page shows as radios,
// and fails the test for each not checked as answered.
func checkedRadios(t *testing.T, body string, form url.Values, why string) (shown int) {
	t.Helper()
	for k, v := range form {
		radio := `name="` + k + `" type="radio"`
		if len(v) != 1 || !strings.Contains(body, radio) {
			continue
		}
		shown++
		if !strings.Contains(body, radio+` value="`+v[0]+`" checked`) {
			t.Errorf("%s: the page lost the answer %s=%s", why, k, v[0])
		}
	}
	return shown
}

const previewSays = "This is a preview: nothing you enter is kept or sent."

// previewPage checks what every page of a preview has: the banner, in
// English, the way back to the staff pages, and that it is neither kept in
// a cache nor indexed.
func previewPage(t *testing.T, p webtest.Page) webtest.Page {
	t.Helper()
	banner := webtest.Element(t, p.Body, "div", "preview-banner")
	if !strings.Contains(webtest.Text(banner), "Preview") || !strings.Contains(banner, `lang="en"`) || !strings.Contains(banner, `href="/staff/surveys"`) {
		t.Errorf("%s: the preview banner is %q", p.URL, banner)
	}
	if p.Header.Get("Cache-Control") != "no-store" || !strings.Contains(p.Header.Get("X-Robots-Tag"), "noindex") || !strings.Contains(p.Body, `<meta name="robots" content="noindex, nofollow">`) {
		t.Errorf("%s: cached or indexed: Cache-Control %q, X-Robots-Tag %q", p.URL, p.Header.Get("Cache-Control"), p.Header.Get("X-Robots-Tag"))
	}
	return p
}

// An administrator previews a closed round and a scheduled one of the
// parents' and carers' survey, walking every page (an error, with what was
// entered kept; a question revealed by an answer; a part shown by an
// earlier answer; check answers; Send) to the confirmation, which says
// nothing was sent. Afterwards the store holds no response, no draft and
// no new audit entry, and both rounds are as they were. A co-ordinator
// and a signed-out visitor are refused.
func TestPreview(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		ctx := context.Background()
		d := e.Survey("parents-carers")
		e.ImportSurveys()
		serve(t, e, staffAndPreview(t, e)...)
		st := e.Store
		admin := e.StaffBrowser(auth.Admin, "")
		rounds := "/staff/surveys/" + d.ID + "/rounds/"
		admin.PostWithToken(rounds+"baseline/close", url.Values{"confirm": {"yes"}}).Must(http.StatusOK)
		admin.PostFrom(rounds+"follow-up", rounds+"follow-up/schedule", url.Values{"opens_at": {ukTime(t, e.Now.Add(48*time.Hour))}}).Must(http.StatusOK)
		public := e.Browser()
		public.Get("/s/" + d.ID + "/baseline").Must(http.StatusGone)
		public.Get("/s/" + d.ID + "/follow-up").Must(http.StatusGone)

		// The surveys page links to a preview of each survey and each round.
		cat := admin.Get("/staff/surveys").Must(http.StatusOK)
		for _, href := range []string{"/staff/surveys/" + d.ID + "/preview/live", "/staff/surveys/" + d.ID + "/preview/live/baseline", "/staff/surveys/" + d.ID + "/preview/live/follow-up"} {
			if !strings.Contains(cat.Body, `href="`+href+`"`) {
				t.Errorf("the surveys page has no link to %s", href)
			}
		}
		if round := admin.Get(rounds + "baseline").Must(http.StatusOK); !strings.Contains(webtest.Element(t, round.Body, "a", "round_preview"), `href="/staff/surveys/`+d.ID+`/preview/live/baseline"`) {
			t.Error("the round's page has no link to its preview")
		}
		audit := len(e.AuditLog())

		// The scheduled round, by the survey's link (to its first round)
		// and by its own, and by the version's hash.
		if p := previewPage(t, admin.Get("/staff/surveys/"+d.ID+"/preview/live").Must(http.StatusOK)); p.URL.Path != "/staff/surveys/"+d.ID+"/preview/live/baseline" {
			t.Errorf("the survey's preview starts at %s", p.URL.Path)
		}
		for _, v := range []string{"live", d.Version} {
			start := previewPage(t, admin.Get("/staff/surveys/"+d.ID+"/preview/"+v+"/follow-up").Must(http.StatusOK))
			if s := webtest.Text(start.Body); !strings.Contains(s, previewSays) || !strings.Contains(s, d.Title) || !strings.Contains(s, "Start now") {
				t.Errorf("the scheduled round's start page (%s): %s", v, s)
			}
		}
		previewPage(t, admin.Get("/staff/surveys/"+d.ID+"/preview/0123456789ab/baseline").Must(http.StatusNotFound))
		previewPage(t, admin.Get("/staff/surveys/"+d.ID+"/preview/live/no-such-round").Must(http.StatusNotFound))

		// The closed round, every page.
		flow := "/staff/surveys/" + d.ID + "/preview/live/baseline"
		previewPage(t, admin.Get(flow).Must(http.StatusOK))
		answers := map[string]string{}
		family := d.Sections[0]
		form := answer(d, family, answers, webtest.Respondent{Level: "3"}, 0)
		form.Set("how-many-services", "two-or-more")
		answers["how-many-services"] = "two-or-more"
		missing := url.Values{}
		for k, v := range form {
			missing[k] = v
		}
		missing.Del("how-many-services")
		bad := previewPage(t, admin.PostWithToken(flow+"/section/"+family.ID, missing).Must(http.StatusUnprocessableEntity))
		if !strings.Contains(bad.Body, "govuk-error-summary") || checkedRadios(t, bad.Body, missing, "an error in the preview") == 0 {
			t.Errorf("the error page lost what was entered, or has no error summary: %s", webtest.Text(bad.Body))
		}
		next := previewPage(t, admin.PostWithToken(flow+"/section/"+family.ID, form).Must(http.StatusOK))
		if next.URL.Path != flow+"/section/getting-help" {
			t.Fatalf("after the first part: at %s", next.URL)
		}
		admin.PostWithToken(flow+"/section/getting-help", answer(d, d.Sections[1], answers, webtest.Respondent{Level: "3"}, 0)).Must(http.StatusOK)
		together, _ := d.Section("services-working-together")
		form = answer(d, together, answers, webtest.Respondent{Level: "3"}, 0)
		if form.Get("family-meeting") != "yes" || form.Has("family-meeting-helpful") {
			t.Fatalf("the walk expected family-meeting=yes to reveal a question: %v", form)
		}
		revealed := previewPage(t, admin.PostWithToken(flow+"/section/"+together.ID, form).Must(http.StatusOK))
		if revealed.URL.Path != flow+"/section/"+together.ID || revealed.URL.Query().Get("revealed") != "family-meeting-helpful" || !strings.Contains(revealed.Body, `id="revealed"`) {
			t.Errorf("answering yes did not reveal the next question: at %s", revealed.URL)
		}
		form = answer(d, together, answers, webtest.Respondent{Level: "3"}, 0)
		if next := admin.PostWithToken(flow+"/section/"+together.ID, form).Must(http.StatusOK); next.URL.Path != flow+"/section/your-ideas" {
			t.Fatalf("after the revealed question: at %s\n%s", next.URL, webtest.Text(next.Body))
		}
		ideas, _ := d.Section("your-ideas")
		check := previewPage(t, admin.PostWithToken(flow+"/section/"+ideas.ID, answer(d, ideas, answers, webtest.Respondent{Level: "3"}, 0)).Must(http.StatusOK))
		if check.URL.Path != flow+"/check" || strings.Contains(check.Body, "Not answered") || !strings.Contains(webtest.Text(check.Body), "How helpful was the meeting?") {
			t.Fatalf("check answers: at %s\n%s", check.URL, webtest.Text(check.Body))
		}
		done := previewPage(t, admin.Post(flow+"/check", url.Values{"csrf_token": {check.CSRF()}}).Must(http.StatusOK))
		if s := webtest.Text(done.Body); done.URL.Path != flow+"/done" || !strings.Contains(s, "This was a preview: nothing was sent and nothing was kept.") {
			t.Errorf("the confirmation: at %s\n%s", done.URL, s)
		}

		// Nothing stored: no response, no draft, no audit entry; the
		// rounds as they were.
		for _, r := range []string{"baseline", "follow-up"} {
			if n, err := st.CountResponses(ctx, d.ID, r); err != nil || n != 0 {
				t.Errorf("%s: %d responses stored (%v), want none", r, n, err)
			}
		}
		if n, err := st.DeleteExpiredDrafts(ctx, e.Now.AddDate(10, 0, 0)); err != nil || n != 0 {
			t.Errorf("%d drafts stored (%v), want none", n, err)
		}
		if n := len(e.AuditLog()); n != audit {
			t.Errorf("%d audit entries after the preview, %d before", n, audit)
		}
		states, err := st.RoundStates(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if s.Round == "baseline" && s.Open || s.Round == "follow-up" && (!s.Open || s.OpensAt.Before(e.Clock())) {
				t.Errorf("round %s changed: %+v", s.Round, s)
			}
		}
		public.Get("/s/" + d.ID + "/baseline").Must(http.StatusGone)

		// Only those who manage surveys.
		coordinator := e.StaffBrowser(auth.Coordinator, "police")
		coordinator.Get(flow).Must(http.StatusForbidden)
		if p := public.Get(flow).Must(http.StatusOK); p.URL.Path != "/staff/sign-in" || strings.Contains(p.Body, previewSays) {
			t.Errorf("signed out, the preview leads to %s", p.URL)
		}
	})
}

// A children's survey is previewed with its Exit this page button, its
// privacy notice and its help page; a survey in Polish is previewed in
// Polish; a survey for invited people only is previewed as an invited
// person sees it.
func TestPreviewChildrenLanguagesInvited(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	e.ImportSurveys()
	serve(t, e, staffAndPreview(t, e)...)
	cat := e.Surveys
	admin := e.StaffBrowser(auth.Admin, "")

	kids, _ := cat.Survey("children")
	flow := "/staff/surveys/" + kids.ID + "/preview/live/baseline"
	p := previewPage(t, admin.Get(flow+"/section/"+kids.Sections[0].ID).Must(http.StatusOK))
	if !strings.Contains(p.Body, `class="govuk-exit-this-page"`) || !strings.Contains(p.Body, `href="`+kids.ExitPage+`"`) || !strings.Contains(p.Body, `href="`+flow+`/stop"`) {
		t.Errorf("the children's preview has no Exit this page or Stop link:\n%s", p.Text())
	}
	previewPage(t, admin.Get(flow+"/privacy").Must(http.StatusOK))
	if s := webtest.Text(previewPage(t, admin.Get(flow+"/stop").Must(http.StatusOK)).Body); !strings.Contains(s, "Childline") || !strings.Contains(s, "0800 1111") {
		t.Errorf("the children's help page: %s", s)
	}
	// A flagged answer sent in a preview alerts no one, and is in no log.
	answers := map[string]string{}
	for _, sec := range kids.Sections {
		form := answer(kids, sec, answers, webtest.Respondent{Level: "1"}, 0)
		if q := webtest.CommentOf(sec); q != nil {
			form.Set(q.ID, "Someone hurts me")
		}
		admin.PostWithToken(flow+"/section/"+sec.ID, form).Must(http.StatusOK)
	}
	if done := admin.PostWithToken(flow+"/check", nil).Must(http.StatusOK); done.URL.Path != flow+"/done" {
		t.Fatalf("sending the children's preview: at %s\n%s", done.URL, webtest.Text(done.Body))
	}
	st := e.Store
	if queued, err := st.ClaimMail(context.Background(), "preview-test", e.Clock(), time.Minute, 100); err != nil || len(queued) > 0 {
		t.Errorf("a preview queued %d emails (%v), want none", len(queued), err)
	}
	if log := strings.Join(e.AuditLog(), "\n"); strings.Contains(log, "safeguarding") {
		t.Errorf("a preview is in the audit log:\n%s", log)
	}

	young, _ := cat.Survey("young-people")
	flow = "/staff/surveys/" + young.ID + "/preview/live/baseline"
	inPolish := "/staff/surveys/" + young.ID + "/preview/live?lang=pl"
	if !strings.Contains(admin.Get("/staff/surveys").Body, `href="`+inPolish+`" lang="pl"`) {
		t.Error("the surveys page has no link to a preview in Polish")
	}
	pl := previewPage(t, admin.Get(inPolish).Must(http.StatusOK))
	if pl.URL.Path != flow {
		t.Errorf("the preview in Polish starts at %s", pl.URL)
	}
	title := young.In("pl").Title
	if !strings.Contains(pl.Body, `<html lang="pl"`) || !strings.Contains(webtest.Text(pl.Body), title) {
		t.Errorf("the Polish preview is not in Polish (want %q):\n%s", title, webtest.Text(pl.Body))
	}
	// The language is kept for the next page, as for respondents.
	if next := admin.Get(flow + "/privacy").Must(http.StatusOK); !strings.Contains(next.Body, `<html lang="pl"`) {
		t.Error("the next page of the Polish preview is not in Polish")
	}

	var invited *survey.Definition
	for _, d := range cat.All() {
		if d.InvitationOnly {
			invited = d
		}
	}
	if invited == nil {
		t.Fatal("no survey for invited people only bundled")
	}
	flow = "/staff/surveys/" + invited.ID + "/preview/live/baseline"
	start := webtest.Text(previewPage(t, admin.Get(flow).Must(http.StatusOK)).Body)
	if !strings.Contains(start, "Start now") {
		t.Errorf("the invited survey's preview cannot be started: %s", start)
	}
	previewPage(t, admin.Get(flow+"/section/"+invited.Sections[0].ID).Must(http.StatusOK))

	// Save and come back later, kept in the preview's memory too: a
	// resume code, which carries on the answers.
	form := answer(invited, invited.Sections[0], map[string]string{}, webtest.Respondent{Level: "3"}, 0)
	form.Set("next_step", "later")
	saved := previewPage(t, admin.PostWithToken(flow+"/section/"+invited.Sections[0].ID, form).Must(http.StatusOK))
	code := resumeCode.FindStringSubmatch(saved.Body)
	if saved.URL.Path != flow+"/saved" || code == nil {
		t.Fatalf("save and come back later: at %s\n%s", saved.URL, webtest.Text(saved.Body))
	}
	tasks := previewPage(t, admin.PostWithToken(flow+"/resume", url.Values{"code": {code[1]}}).Must(http.StatusOK))
	if tasks.URL.Path != flow+"/tasks" || !strings.Contains(webtest.Text(tasks.Body), "In progress") && !strings.Contains(webtest.Text(tasks.Body), "Completed") {
		t.Errorf("carrying on with the code: at %s\n%s", tasks.URL, webtest.Text(tasks.Body))
	}
}
