package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

const previewSays = "This is a preview: nothing you enter is kept or sent."

// previewPage checks what every page of a preview has: the banner, in
// English, the way back to the staff pages, and that it is neither kept in
// a cache nor indexed.
func previewPage(t *testing.T, p page) page {
	t.Helper()
	banner := element(t, p.Body, "div", "preview-banner")
	if !strings.Contains(text(banner), "Preview") || !strings.Contains(banner, `lang="en"`) || !strings.Contains(banner, `href="/staff/surveys"`) {
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
	onBothStores(t, func(t *testing.T, e env) {
		ctx := context.Background()
		d, ok := bundledCatalogue(t).Survey("parents-carers")
		if !ok {
			t.Fatal("no parents-carers survey bundled")
		}
		svc := start(t, e)
		st := storeOf(t, e)
		admin := staffBrowser(t, svc, "admin", "")
		rounds := "/staff/surveys/" + d.ID + "/rounds/"
		admin.postWithToken(rounds+"baseline/close", url.Values{"confirm": {"yes"}}).must(t, http.StatusOK)
		admin.postFrom(rounds+"follow-up", rounds+"follow-up/schedule", url.Values{"opens_at": {ukTime(t, time.Now().Add(48*time.Hour))}}).must(t, http.StatusOK)
		public := newBrowser(t, svc.URL)
		public.get("/s/"+d.ID+"/baseline").must(t, http.StatusGone)
		public.get("/s/"+d.ID+"/follow-up").must(t, http.StatusGone)

		// The surveys page links to a preview of each survey and each round.
		cat := admin.get("/staff/surveys").must(t, http.StatusOK)
		for _, href := range []string{"/staff/surveys/" + d.ID + "/preview/live", "/staff/surveys/" + d.ID + "/preview/live/baseline", "/staff/surveys/" + d.ID + "/preview/live/follow-up"} {
			if !strings.Contains(cat.Body, `href="`+href+`"`) {
				t.Errorf("the surveys page has no link to %s", href)
			}
		}
		if round := admin.get(rounds+"baseline").must(t, http.StatusOK); !strings.Contains(element(t, round.Body, "a", "round_preview"), `href="/staff/surveys/`+d.ID+`/preview/live/baseline"`) {
			t.Error("the round's page has no link to its preview")
		}
		audit := len(auditActions(t, e))

		// The scheduled round, by the survey's link (to its first round)
		// and by its own, and by the version's hash.
		if p := previewPage(t, admin.get("/staff/surveys/"+d.ID+"/preview/live").must(t, http.StatusOK)); p.URL.Path != "/staff/surveys/"+d.ID+"/preview/live/baseline" {
			t.Errorf("the survey's preview starts at %s", p.URL.Path)
		}
		for _, v := range []string{"live", d.Version} {
			start := previewPage(t, admin.get("/staff/surveys/"+d.ID+"/preview/"+v+"/follow-up").must(t, http.StatusOK))
			if s := text(start.Body); !strings.Contains(s, previewSays) || !strings.Contains(s, d.Title) || !strings.Contains(s, "Start now") {
				t.Errorf("the scheduled round's start page (%s): %s", v, s)
			}
		}
		previewPage(t, admin.get("/staff/surveys/"+d.ID+"/preview/0123456789ab/baseline").must(t, http.StatusNotFound))
		previewPage(t, admin.get("/staff/surveys/"+d.ID+"/preview/live/no-such-round").must(t, http.StatusNotFound))

		// The closed round, every page.
		flow := "/staff/surveys/" + d.ID + "/preview/live/baseline"
		previewPage(t, admin.get(flow).must(t, http.StatusOK))
		answers := map[string]string{}
		family := d.Sections[0]
		form := answer(d, family, answers, respondent{Level: "3"}, 0)
		form.Set("how-many-services", "two-or-more")
		answers["how-many-services"] = "two-or-more"
		missing := url.Values{}
		for k, v := range form {
			missing[k] = v
		}
		missing.Del("how-many-services")
		bad := previewPage(t, admin.postWithToken(flow+"/section/"+family.ID, missing).must(t, http.StatusUnprocessableEntity))
		if !strings.Contains(bad.Body, "govuk-error-summary") || checkedRadios(t, bad.Body, missing, "an error in the preview") == 0 {
			t.Errorf("the error page lost what was entered, or has no error summary: %s", text(bad.Body))
		}
		next := previewPage(t, admin.postWithToken(flow+"/section/"+family.ID, form).must(t, http.StatusOK))
		if next.URL.Path != flow+"/section/getting-help" {
			t.Fatalf("after the first part: at %s", next.URL)
		}
		admin.postWithToken(flow+"/section/getting-help", answer(d, d.Sections[1], answers, respondent{Level: "3"}, 0)).must(t, http.StatusOK)
		together, _ := d.Section("services-working-together")
		form = answer(d, together, answers, respondent{Level: "3"}, 0)
		if form.Get("family-meeting") != "yes" || form.Has("family-meeting-helpful") {
			t.Fatalf("the walk expected family-meeting=yes to reveal a question: %v", form)
		}
		revealed := previewPage(t, admin.postWithToken(flow+"/section/"+together.ID, form).must(t, http.StatusOK))
		if revealed.URL.Path != flow+"/section/"+together.ID || revealed.URL.Query().Get("revealed") != "family-meeting-helpful" || !strings.Contains(revealed.Body, `id="revealed"`) {
			t.Errorf("answering yes did not reveal the next question: at %s", revealed.URL)
		}
		form = answer(d, together, answers, respondent{Level: "3"}, 0)
		if next := admin.postWithToken(flow+"/section/"+together.ID, form).must(t, http.StatusOK); next.URL.Path != flow+"/section/your-ideas" {
			t.Fatalf("after the revealed question: at %s\n%s", next.URL, text(next.Body))
		}
		ideas, _ := d.Section("your-ideas")
		check := previewPage(t, admin.postWithToken(flow+"/section/"+ideas.ID, answer(d, ideas, answers, respondent{Level: "3"}, 0)).must(t, http.StatusOK))
		if check.URL.Path != flow+"/check" || strings.Contains(check.Body, "Not answered") || !strings.Contains(text(check.Body), "How helpful was the meeting?") {
			t.Fatalf("check answers: at %s\n%s", check.URL, text(check.Body))
		}
		done := previewPage(t, admin.post(flow+"/check", url.Values{"csrf_token": {csrfOf(t, check)}}).must(t, http.StatusOK))
		if s := text(done.Body); done.URL.Path != flow+"/done" || !strings.Contains(s, "This was a preview: nothing was sent and nothing was kept.") {
			t.Errorf("the confirmation: at %s\n%s", done.URL, s)
		}

		// Nothing stored: no response, no draft, no audit entry; the
		// rounds as they were.
		for _, r := range []string{"baseline", "follow-up"} {
			if n, err := st.CountResponses(ctx, d.ID, r); err != nil || n != 0 {
				t.Errorf("%s: %d responses stored (%v), want none", r, n, err)
			}
		}
		if n, err := st.DeleteExpiredDrafts(ctx, time.Now().AddDate(10, 0, 0)); err != nil || n != 0 {
			t.Errorf("%d drafts stored (%v), want none", n, err)
		}
		if n := len(auditActions(t, e)); n != audit {
			t.Errorf("%d audit entries after the preview, %d before", n, audit)
		}
		states, err := st.RoundStates(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if s.Round == "baseline" && s.Open || s.Round == "follow-up" && (!s.Open || s.OpensAt.Before(time.Now())) {
				t.Errorf("round %s changed: %+v", s.Round, s)
			}
		}
		public.get("/s/"+d.ID+"/baseline").must(t, http.StatusGone)

		// Only those who manage surveys.
		coordinator := staffBrowser(t, svc, "coordinator", "police")
		coordinator.get(flow).must(t, http.StatusForbidden)
		if p := public.get(flow).must(t, http.StatusOK); p.URL.Path != "/staff/sign-in" || strings.Contains(p.Body, previewSays) {
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
	cat := bundledCatalogue(t)
	svc := start(t, sqliteEnv(t))
	admin := staffBrowser(t, svc, "admin", "")

	kids, _ := cat.Survey("children")
	flow := "/staff/surveys/" + kids.ID + "/preview/live/baseline"
	p := previewPage(t, admin.get(flow+"/section/"+kids.Sections[0].ID).must(t, http.StatusOK))
	if !strings.Contains(p.Body, `class="govuk-exit-this-page"`) || !strings.Contains(p.Body, `href="`+kids.ExitPage+`"`) || !strings.Contains(p.Body, `href="`+flow+`/stop"`) {
		t.Errorf("the children's preview has no Exit this page or Stop link:\n%s", text(p.Body))
	}
	previewPage(t, admin.get(flow+"/privacy").must(t, http.StatusOK))
	if s := text(previewPage(t, admin.get(flow+"/stop").must(t, http.StatusOK)).Body); !strings.Contains(s, "Childline") || !strings.Contains(s, "0800 1111") {
		t.Errorf("the children's help page: %s", s)
	}
	// A flagged answer sent in a preview alerts no one, and is in no log.
	answers := map[string]string{}
	for _, sec := range kids.Sections {
		form := answer(kids, sec, answers, respondent{Level: "1"}, 0)
		if q := commentOf(sec); q != nil {
			form.Set(q.ID, "Someone hurts me")
		}
		admin.postWithToken(flow+"/section/"+sec.ID, form).must(t, http.StatusOK)
	}
	if done := admin.postWithToken(flow+"/check", nil).must(t, http.StatusOK); done.URL.Path != flow+"/done" {
		t.Fatalf("sending the children's preview: at %s\n%s", done.URL, text(done.Body))
	}
	st := storeOf(t, svc.env)
	if queued, err := st.ClaimMail(context.Background(), "preview-test", time.Now(), time.Minute, 100); err != nil || len(queued) > 0 {
		t.Errorf("a preview queued %d emails (%v), want none", len(queued), err)
	}
	if log := strings.Join(auditActions(t, svc.env), "\n"); strings.Contains(log, "safeguarding") {
		t.Errorf("a preview is in the audit log:\n%s", log)
	}

	young, _ := cat.Survey("young-people")
	flow = "/staff/surveys/" + young.ID + "/preview/live/baseline"
	inPolish := "/staff/surveys/" + young.ID + "/preview/live?lang=pl"
	if !strings.Contains(admin.get("/staff/surveys").Body, `href="`+inPolish+`" lang="pl"`) {
		t.Error("the surveys page has no link to a preview in Polish")
	}
	pl := previewPage(t, admin.get(inPolish).must(t, http.StatusOK))
	if pl.URL.Path != flow {
		t.Errorf("the preview in Polish starts at %s", pl.URL)
	}
	title := young.In("pl").Title
	if !strings.Contains(pl.Body, `<html lang="pl"`) || !strings.Contains(text(pl.Body), title) {
		t.Errorf("the Polish preview is not in Polish (want %q):\n%s", title, text(pl.Body))
	}
	// The language is kept for the next page, as for respondents.
	if next := admin.get(flow+"/privacy").must(t, http.StatusOK); !strings.Contains(next.Body, `<html lang="pl"`) {
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
	start := text(previewPage(t, admin.get(flow).must(t, http.StatusOK)).Body)
	if !strings.Contains(start, "Start now") {
		t.Errorf("the invited survey's preview cannot be started: %s", start)
	}
	previewPage(t, admin.get(flow+"/section/"+invited.Sections[0].ID).must(t, http.StatusOK))

	// Save and come back later, kept in the preview's memory too: a
	// resume code, which carries on the answers.
	form := answer(invited, invited.Sections[0], map[string]string{}, respondent{Level: "3"}, 0)
	form.Set("next_step", "later")
	saved := previewPage(t, admin.postWithToken(flow+"/section/"+invited.Sections[0].ID, form).must(t, http.StatusOK))
	code := resumeCode.FindStringSubmatch(saved.Body)
	if saved.URL.Path != flow+"/saved" || code == nil {
		t.Fatalf("save and come back later: at %s\n%s", saved.URL, text(saved.Body))
	}
	tasks := previewPage(t, admin.postWithToken(flow+"/resume", url.Values{"code": {code[1]}}).must(t, http.StatusOK))
	if tasks.URL.Path != flow+"/tasks" || !strings.Contains(text(tasks.Body), "In progress") && !strings.Contains(text(tasks.Body), "Completed") {
		t.Errorf("carrying on with the code: at %s\n%s", tasks.URL, text(tasks.Body))
	}
}

// TestBrowserPreview previews a closed round of the children's survey in
// Chromium at a phone's width (375 px), from the staff surveys page's
// link to the confirmation, by clicking as a person does, with JavaScript
// off and on. Every kind of page must fit the window and, with
// JavaScript on (axe is a script), pass axe. Every page carries the
// preview's banner.
func TestBrowserPreview(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	svc := start(t, sqliteEnv(t))
	kids, ok := bundledCatalogue(t).Survey("children")
	if !ok {
		t.Fatal("no children's survey bundled")
	}
	closeRound(t, staffBrowser(t, svc, "admin", ""), kids, "baseline")
	flow := "/staff/surveys/" + kids.ID + "/preview/live/baseline"
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("JavaScript %v", js), func(t *testing.T) {
			b := newTab(t)
			b.run("JavaScript on or off", emulation.SetScriptExecutionDisabled(!js))
			b.signInStaff(t, svc, "admin")
			b.narrow()
			surveys := b.open(svc.URL + "/staff/surveys")
			b.fitsWindow("/staff/surveys")
			if js {
				b.audit("surveys and rounds, with their Preview links", surveys)
			}
			if v := b.click(`a[href="` + flow + `"]`); v.Status != http.StatusOK || v.URL.Path != flow {
				t.Fatalf("the Preview link led to %s (%d)", v.URL, v.Status)
			}
			seen := pageKinds{}
			check := func(kind string, v visited) {
				t.Helper()
				if banner := b.text("#preview-banner"); !strings.Contains(banner, "nothing") {
					t.Errorf("%s (%s): the preview banner says %q", kind, v.URL.Path, banner)
				}
				if !seen[kind] {
					seen[kind] = true
					b.fitsWindow(v.URL.Path)
					if js { // axe runs as a script in the page
						b.audit("preview: "+kind, v)
					}
				}
			}
			b.completeFlowByClicking(svc.URL, flow, kids, check)
			check("help", b.open(svc.URL+flow+"/stop"))
			if js { // for people to look at (the README names the folder)
				b.open(svc.URL + flow) // the start page forgets the answers sent
				b.open(svc.URL + flow + "/section/" + kids.Sections[1].ID)
				b.screenshot("preview of a section")
			}
			if !js && len(b.html("body.js-enabled")) > 0 {
				t.Error("the page's script ran with JavaScript off")
			}
			for _, l := range b.take() {
				t.Errorf("browser reported: %s", l)
			}
		})
	}
}
