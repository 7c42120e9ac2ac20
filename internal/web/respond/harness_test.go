package respond_test

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/server"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/web/staff"
	"iwtoolkit/internal/webtest"
)

// staffAndPreview are the staff pages and staff's preview of the
// surveys, as the service serves them beside the respondents' pages.
func staffAndPreview(t *testing.T, e *webtest.Env) []func(*web.Routes) {
	t.Helper()
	p, err := staff.New(staff.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		Timeout: time.Minute, Sessions: e.Sessions, Secrets: e.Secrets, Publisher: e.Publisher, Health: e.Health,
		Links: e.Links, Versions: e.Versions})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := respond.NewPreview(respond.PreviewOptions{Definitions: e.Versions.Definition, Rounds: e.Store, Log: e.Log, Now: e.Clock,
		BaseURL: webtest.BaseURL, Timeout: time.Minute, Health: e.Health, Allow: auth.PreviewSurveys})
	if err != nil {
		t.Fatal(err)
	}
	return []func(*web.Routes){p.Register, pv.Register}
}

// ukTime is a time as the staff pages' date fields take it.
func ukTime(t *testing.T, at time.Time) string {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return at.In(london).Format("2/1/2006 15:04")
}

// serve is the respondents' pages on e's store, on e's app, with the
// other pages a test also reads.
func serve(t *testing.T, e *webtest.Env, also ...func(*web.Routes)) {
	t.Helper()
	serveWith(t, e, func(*respond.Options) {}, also...)
}

// serveWith is serve with the pages' options changed by set, as a
// setting of the service changes them.
func serveWith(t *testing.T, e *webtest.Env, set func(*respond.Options), also ...func(*web.Routes)) {
	t.Helper()
	o := respond.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		DraftLifetime: server.DefaultDraftLifetime, // as the service's settings give it
		Timeout:       time.Minute, Secrets: e.Secrets, Health: e.Health, Published: e.Publisher}
	set(&o)
	p, err := respond.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(append([]func(*web.Routes){p.Register}, also...)...)
}

// answer fills in a section's form for a respondent: valid answers to
// every question asked (webtest.Answer's), added to answers too.
func answer(d *survey.Definition, sec *survey.Section, answers map[string]string, who webtest.Respondent, n int) url.Values {
	after := maps.Clone(answers)
	webtest.Answer(d, sec, after, who, n)
	form := url.Values{}
	for _, q := range sec.Shown(after) {
		for _, k := range append(q.Keys(), q.ID) {
			if v, ok := after[k]; ok {
				form.Set(k, v)
			}
		}
	}
	maps.Copy(answers, after)
	return form
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
		p := b.PostWithToken(flow+"/section/"+sec.ID, answer(d, sec, answers, who, n)).Must(http.StatusOK)
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

// answerAll answers every part of a round asked, in b, at level 3.
func answerAll(t *testing.T, b *webtest.Browser, d *survey.Definition, round string) {
	t.Helper()
	flow := "/s/" + d.ID + "/" + round
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if sec.ShowIf.Holds(answers) {
			b.PostWithToken(flow+"/section/"+sec.ID, answer(d, sec, answers, webtest.Respondent{Level: "3"}, 0)).Must(http.StatusOK)
		}
	}
}
