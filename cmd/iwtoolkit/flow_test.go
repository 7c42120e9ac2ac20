package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
)

var resumeCode = regexp.MustCompile(`<strong class="app-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>`)

// Save and come back later: the code is shown once, the old browser loses
// the draft, and the code (typed carelessly, or as a link) brings it back
// in another browser. A wrong code is refused without a hint of anyone
// else's answers. It runs on both stores.
func TestSaveAndResume(t *testing.T) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) {
			d := bundled(t)
			svc := start(t, newEnv(t))
			flow := "/s/" + d.ID + "/baseline"
			first := d.Sections[0]
			b := newBrowser(t, svc.URL)
			form := answer(d, first, map[string]string{}, respondent{Level: "3"}, 0)
			form.Set("next_step", "later")
			saved := b.postWithToken(flow+"/section/"+first.ID, form).must(t, http.StatusOK)
			m := resumeCode.FindStringSubmatch(saved.Body)
			if m == nil {
				t.Fatalf("no resume code on the saved page:\n%s", text(saved.Body))
			}
			code := m[1]
			if !strings.Contains(saved.Body, `/resume?code=`+code) {
				t.Error("the saved page has no resume link")
			}
			// This browser no longer holds the draft.
			if tasks := text(b.get(flow + "/tasks").must(t, http.StatusOK).Body); strings.Contains(tasks, "Completed") {
				t.Errorf("after saving for later, the old browser still sees answers: %s", tasks)
			}

			other := newBrowser(t, svc.URL)
			p := other.postWithToken(flow+"/resume", url.Values{"code": {"AAAA-BBBB-CCCC"}}).must(t, http.StatusUnprocessableEntity)
			if !strings.Contains(text(p.Body), "That code does not match saved answers") || !strings.Contains(p.Body, `value="AAAA-BBBB-CCCC"`) {
				t.Errorf("wrong code: %s", text(p.Body))
			}
			typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
			p = other.postWithToken(flow+"/resume", url.Values{"code": {typed}}).must(t, http.StatusOK)
			if p.URL.Path != flow+"/tasks" || !strings.Contains(text(p.Body), "Completed") {
				t.Errorf("after resuming with %q: at %s: %s", typed, p.URL.Path, text(p.Body))
			}
			// The link works too, in a third browser.
			p = newBrowser(t, svc.URL).get(flow + "/resume?code=" + url.QueryEscape(code)).must(t, http.StatusOK)
			if p.URL.Path != flow+"/tasks" {
				t.Errorf("resume link led to %s", p.URL.Path)
			}
		})
	}
}

// A draft past its expiry is not used, even before the sweep deletes it.
func TestExpiredDraftIsNotUsed(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	flow := "/s/" + d.ID + "/baseline"
	first := d.Sections[0]
	b := newBrowser(t, svc.URL)
	b.postWithToken(flow+"/section/"+first.ID, answer(d, first, map[string]string{}, respondent{Level: "3"}, 0)).must(t, http.StatusOK)
	u, _ := url.Parse(svc.URL + flow)
	var token string
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "iwt_draft" {
			token = c.Value
		}
	}
	st := storeOf(t, e)
	dr, err := st.Draft(context.Background(), survey.DraftKey(token))
	if err != nil {
		t.Fatal(err)
	}
	if left := time.Until(dr.Expires); left < 29*24*time.Hour || left > 31*24*time.Hour {
		t.Errorf("a new draft expires in %v, want the default 30 days", left)
	}
	dr.Expires = time.Now().Add(-time.Minute)
	if err := st.SaveDraft(context.Background(), dr); err != nil {
		t.Fatal(err)
	}
	if tasks := text(b.get(flow + "/tasks").must(t, http.StatusOK).Body); strings.Contains(tasks, "Completed") {
		t.Errorf("an expired draft was used: %s", tasks)
	}
}

// The young people's survey is written in English and Polish: ?lang=pl
// switches every page, the service's own words included, and is
// remembered; a language the survey lacks gives English.
func TestLanguageSwitch(t *testing.T) {
	yp, ok := bundledCatalogue(t).Survey("young-people")
	if !ok {
		t.Skip("no young-people survey bundled")
	}
	pl := yp.In("pl")
	svc := start(t, sqliteEnv(t))
	flow := "/s/" + yp.ID + "/baseline"
	b := newBrowser(t, svc.URL)
	p := b.get(flow + "?lang=pl").must(t, http.StatusOK)
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
	p = b.postWithToken(flow+"/section/"+rated.ID, url.Values{items[0].ID: {"9"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `<html lang="pl"`) || !strings.Contains(p.Body, "Wystąpił problem") || !strings.Contains(p.Body, "Przerwij i opuść ankietę") {
		t.Errorf("page after the Polish start page is not in Polish:\n%s", text(p.Body))
	}
	p = b.get(flow + "?lang=en").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `<html lang="en"`) || !strings.Contains(p.Body, yp.Title) {
		t.Error("?lang=en did not switch back")
	}
	p = newBrowser(t, svc.URL).get(flow + "?lang=xx").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `<html lang="en"`) {
		t.Error("an unknown language did not give English")
	}
}
