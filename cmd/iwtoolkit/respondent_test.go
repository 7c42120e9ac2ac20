package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Children's and young people's surveys have GOV.UK's "Exit this page"
// button, to the page the survey names, beside the stop button; the
// confirmation is in their words; a staff survey has neither.
func TestChildrensPages(t *testing.T) {
	cat := bundledCatalogue(t)
	kids, ok := cat.Survey("children")
	if !ok {
		t.Skip("no children's survey bundled")
	}
	e := sqliteEnv(t)
	e["IWT_SERVICE_NAME"] = "Haringey Children's Trust surveys"
	svc := start(t, e)
	b := newBrowser(t, svc.URL)
	flow := "/s/" + kids.ID + "/baseline"
	p := b.get(flow+"/section/"+kids.Sections[0].ID).must(t, http.StatusOK)
	// One way out at the top, Exit this page; stopping calmly is a link
	// at the foot of the page.
	if !strings.Contains(p.Body, `class="govuk-exit-this-page"`) || !strings.Contains(p.Body, `href="`+kids.ExitPage+`"`) {
		t.Errorf("the children's survey has no Exit this page to %s", kids.ExitPage)
	}
	if n := strings.Count(p.Body, "govuk-button--warning"); n != 1 {
		t.Errorf("%d red buttons, want Exit this page alone", n)
	}
	main := element(t, p.Body, "main", "main_content")
	if stop := strings.Index(main, `href="`+flow+`/stop"`); stop < 0 || stop < strings.Index(main, "<form") {
		t.Errorf("no Stop and leave link below the form:\n%s", main)
	}
	// The Trust's name for the service, in the header and the title.
	for _, want := range []string{"<title>", `class="govuk-service-navigation__link">Haringey Children&#39;s Trust surveys</a>`} {
		if !strings.Contains(p.Body, want) || strings.Contains(p.Body, "Integrated Working Toolkit") {
			t.Errorf("the page does not carry the Trust's service name (%q)", want)
		}
	}
	// The privacy notice says how to stop once, under one heading.
	privacy := text(b.get(flow+"/privacy").must(t, http.StatusOK).Body)
	if n := strings.Count(strings.ToLower(privacy), "stop at any time"); n != 1 {
		t.Errorf("the privacy notice says it %d times: %s", n, privacy)
	}
	if n := strings.Count(privacy, "Before you start"); n != 2 { // the title, and the heading
		t.Errorf("the privacy notice repeats its heading: %s", privacy)
	}
	if caption := captionOf(p.Body); caption != "Page 1 of 3" {
		t.Errorf("caption %q, want Page 1 of 3", caption)
	}
	// The survey's own words, never the service's adult ones, on every
	// page a child sees.
	for _, sec := range kids.Sections {
		got := text(b.get(flow+"/section/"+sec.ID).must(t, http.StatusOK).Body)
		for _, adult := range []string{"(optional)", "Prefer not to say", "characters"} {
			if strings.Contains(got, adult) {
				t.Errorf("section %s says %q: %s", sec.ID, adult, got)
			}
		}
	}
	if comment := text(b.get(flow+"/section/anything-else").must(t, http.StatusOK).Body); !strings.Contains(comment, "(you can skip this)") || !strings.Contains(comment, "You can write as much or as little as you like.") {
		t.Errorf("the comment page lacks the survey's words: %s", comment)
	}
	answerAll(t, b, kids, "baseline", nil)
	if check := text(b.get(flow+"/check").must(t, http.StatusOK).Body); strings.Contains(check, "None given") || !strings.Contains(check, "You skipped this") {
		t.Errorf("check answers is not in the survey's words: %s", check)
	}
	done := text(b.postWithToken(flow+"/check", url.Values{}).must(t, http.StatusOK).Body)
	for _, bad := range []string{"round of the", "?.", "reference"} {
		if strings.Contains(done, bad) {
			t.Errorf("the children's confirmation says %q: %s", bad, done)
		}
	}
	if !strings.Contains(done, "No one will know which answers are yours") || strings.Contains(done, "list of surveys") {
		t.Errorf("confirmation (no way to the list of every survey): %s", done)
	}
	staffPage := newBrowser(t, svc.URL).get("/s/"+bundled(t).ID+"/baseline").must(t, http.StatusOK)
	if strings.Contains(staffPage.Body, "govuk-exit-this-page") {
		t.Error("a staff survey has Exit this page")
	}
}

// The pages the law expects of a public body's service are linked from
// every page's footer, and name who runs it from the settings.
func TestPagesTheLawExpects(t *testing.T) {
	e := sqliteEnv(t)
	e["IWT_ORGANISATION"] = "Northshire Children's Trust"
	e["IWT_CONTACT_EMAIL"] = "access@northshire.example"
	svc := start(t, e)
	b := newBrowser(t, svc.URL)
	home := b.get("/").must(t, http.StatusOK)
	for _, path := range []string{"/accessibility", "/privacy", "/cookies"} {
		if !strings.Contains(home.Body, `href="`+path+`"`) {
			t.Errorf("the footer has no link to %s", path)
		}
		p := b.get(path).must(t, http.StatusOK)
		if path != "/cookies" && (!strings.Contains(p.Body, "Northshire Children&#39;s Trust") || !strings.Contains(p.Body, "mailto:access@northshire.example")) {
			t.Errorf("%s does not name the organisation and contact from the settings", path)
		}
	}
	cookies := text(b.get("/cookies").Body)
	for _, name := range []string{"iwt_draft", "iwt_sent", "iwt_saved", "iwt_lang", "iwt_csrf", "iwt_session"} {
		if !strings.Contains(cookies, name) {
			t.Errorf("the cookies page does not list %s", name)
		}
	}
}

var (
	captionPattern = regexp.MustCompile(`<span class="govuk-caption-l">([^<]*)</span>`)
)

// captionOf is a page's caption above its heading.
func captionOf(body string) string {
	if m := captionPattern.FindStringSubmatch(body); m != nil {
		return text(m[1])
	}
	return ""
}

// A command run where there are no survey files says so, and what to do.
func TestNoSurveyFolder(t *testing.T) {
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = t.TempDir() + "/surveys"
	for _, cmd := range [][]string{{"load", "--survey", "x"}, {"serve"}} {
		err := run(t.Context(), cmd, e.getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "there are no survey files at") || !strings.Contains(err.Error(), "IWT_SURVEYS_DIR") {
			t.Errorf("%v without survey files: %v", cmd, err)
		}
	}
}
