package staff_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/board"
	"iwtoolkit/internal/web/reports"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/web/staff"
	"iwtoolkit/internal/webtest"
)

// serve is the staff pages on e's store, on e's app, with the other
// audiences' pages a test also reads (the respondents' pages, the reports,
// the Board pack).
func serve(t *testing.T, e *webtest.Env, also ...func(*web.Routes)) {
	t.Helper()
	serveWith(t, e, func(*staff.Options) {}, also...)
}

// serveWith is serve with the staff pages' options changed by set, as a
// setting of the service changes them.
func serveWith(t *testing.T, e *webtest.Env, set func(*staff.Options), also ...func(*web.Routes)) {
	t.Helper()
	o := staff.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		Timeout: time.Minute, Sessions: e.Sessions, Secrets: e.Secrets, Publisher: e.Publisher, Health: e.Health,
		Links: e.Links, Versions: e.Versions}
	set(&o)
	p, err := staff.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(append([]func(*web.Routes){p.Register}, also...)...)
}

// respondents are the respondents' pages, for a test that checks what
// they get after a change on a staff page.
func respondents(t *testing.T, e *webtest.Env) func(*web.Routes) {
	t.Helper()
	p, err := respond.New(respond.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		Timeout: time.Minute, Secrets: e.Secrets, Health: e.Health, Published: e.Publisher})
	if err != nil {
		t.Fatal(err)
	}
	return p.Register
}

// preview is staff's preview of the surveys' versions, as the service
// serves it beside the staff pages.
func preview(t *testing.T, e *webtest.Env) func(*web.Routes) {
	t.Helper()
	p, err := respond.NewPreview(respond.PreviewOptions{Definitions: e.Versions.Definition, Rounds: e.Store, Log: e.Log, Now: e.Clock,
		BaseURL: webtest.BaseURL, Timeout: time.Minute, Health: e.Health, Allow: auth.PreviewSurveys})
	if err != nil {
		t.Fatal(err)
	}
	return p.Register
}

// reportsAndPack are the reports and the Board pack, for a test of what
// staff read on them.
func reportsAndPack(t *testing.T, e *webtest.Env) []func(*web.Routes) {
	t.Helper()
	r, err := reports.New(reports.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock,
		Timeout: time.Minute, Sessions: e.Sessions, Publisher: e.Publisher})
	if err != nil {
		t.Fatal(err)
	}
	pack, err := board.New(board.Options{Store: e.Store, Surveys: e.Surveys, Now: e.Clock, Timeout: time.Minute,
		Sessions: e.Sessions, Publisher: e.Publisher, BaseURL: webtest.BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	return []func(*web.Routes){r.Register, pack.Register}
}

// signIn signs b in through the sign-in page with a new account of the
// role (and organisation), and returns the account.
func signIn(t *testing.T, e *webtest.Env, b *webtest.Browser, role auth.Role, org string) store.Account {
	t.Helper()
	a := e.AccountWithPassword(role, org)
	p := b.PostWithToken("/staff/sign-in", url.Values{"email": {a.Email}, "password": {webtest.Password}}).Must(http.StatusOK)
	if p.URL.Path != "/staff" {
		t.Fatalf("after signing in as %s: at %s, want /staff\n%s", role, p.URL, p.Text())
	}
	return a
}

// staffBrowser is a browser signed in through the sign-in page with a new
// account of the role.
func staffBrowser(t *testing.T, e *webtest.Env, role auth.Role, org string) *webtest.Browser {
	t.Helper()
	b := e.Browser()
	signIn(t, e, b, role, org)
	return b
}

// hasAudit fails the test unless an audit entry ("actor action target")
// contains want.
func hasAudit(t *testing.T, e *webtest.Env, want string) {
	t.Helper()
	log := e.AuditLog()
	if !slices.ContainsFunc(log, func(a string) bool { return strings.Contains(a, want) }) {
		t.Errorf("no audit entry with %q in\n%s", want, strings.Join(log, "\n"))
	}
}

// respondent0 answers with a comment that must never show where it
// should not.
var respondent0 = webtest.Respondent{Level: "3", Comment: "Private words about my team"}
