package respond_test

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/webtest"
)

// serve is the respondents' pages on e's store, on e's app, with the
// other pages a test also reads.
func serve(t *testing.T, e *webtest.Env, also ...func(*web.Routes)) {
	t.Helper()
	p, err := respond.New(respond.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		DraftLifetime: 30 * 24 * time.Hour, // the service's default (server.DefaultDraftLifetime)
		Timeout:       time.Minute, Secrets: e.Secrets, Health: e.Health, Published: e.Publisher})
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(append([]func(*web.Routes){p.Register}, also...)...)
}

// fill answers every page of a round as a browser with JavaScript off
// would, up to check answers, and returns the browser.
func fill(t *testing.T, e *webtest.Env, d *survey.Definition, round string, who webtest.Respondent, n int) *webtest.Browser {
	t.Helper()
	b := e.Browser()
	flow := "/s/" + d.ID + "/" + round
	b.Get(flow).Must(http.StatusOK)
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		b.Get(flow + "/section/" + sec.ID).Must(http.StatusOK)
		// The section's answers: those webtest.Answer adds.
		after := maps.Clone(answers)
		webtest.Answer(d, sec, after, who, n)
		form := url.Values{}
		for k, v := range after {
			if _, had := answers[k]; !had {
				form.Set(k, v)
			}
		}
		maps.Copy(answers, after)
		p := b.PostWithToken(flow+"/section/"+sec.ID, form).Must(http.StatusOK)
		if d.TaskList && p.URL.Path != flow+"/tasks" {
			t.Fatalf("after section %s: at %s, want the task list", sec.ID, p.URL.Path)
		}
	}
	if check := b.Get(flow + "/check").Must(http.StatusOK); strings.Contains(check.Body, "Not answered") {
		t.Fatalf("check answers page shows unanswered questions:\n%s", check.Text())
	}
	return b
}

var refPattern = regexp.MustCompile(`(?:Your reference|Your answer number)\s*<br>\s*<strong>([0-9A-Z]{5}-[0-9A-Z]{5})</strong>`)

// send presses "Send answers" and returns the reference on the
// confirmation page.
func send(t *testing.T, b *webtest.Browser, flow string) string {
	t.Helper()
	// The form token from a page that is there whatever was sent: check
	// answers itself leads a browser that sent its answers to them.
	done := b.PostFrom(flow+"/resume", flow+"/check", nil).Must(http.StatusOK)
	m := refPattern.FindStringSubmatch(done.Body)
	if m == nil || done.URL.Path != flow+"/done" {
		t.Fatalf("after sending: at %s with no reference:\n%s", done.URL, done.Text())
	}
	return m[1]
}

// rated are the sections a frontline respondent rates, in order.
func rated(d *survey.Definition) []*survey.Section {
	var out []*survey.Section
	for _, s := range d.Sections {
		if items, _ := s.Rated(); len(items) > 0 && s.ShowIf == nil {
			out = append(out, s)
		}
	}
	return out
}
