package reports_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/web/reports"
	"iwtoolkit/internal/webtest"
)

// serve is the reports on e's store, on e's app.
func serve(t *testing.T, e *webtest.Env) {
	t.Helper()
	p, err := reports.New(reports.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock,
		Timeout: time.Minute, Sessions: e.Sessions, Publisher: e.Publisher})
	if err != nil {
		t.Fatal(err)
	}
	e.Serve(p.Register)
}

// A co-ordinator's report is their own organisation's, whatever the address
// asks for; raw responses (with their free text) are for admins and
// analysts only, as a CSV that a spreadsheet reads safely.
func TestReportAccess(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	e.Respond(d, "baseline", webtest.Respondent{Level: "2", Comment: "=HYPERLINK(\"http://evil\")"}, 0)

	coordinator := e.StaffBrowser(auth.Coordinator, "police")
	p := coordinator.Get("/r/" + d.ID + "?organisation=council-childrens-services").Must(http.StatusOK)
	if !strings.Contains(webtest.Text(webtest.Element(t, p.Body, "p", "filter-organisation")), "Police (your organisation") || strings.Contains(p.Body, `<option value="council-childrens-services"`) {
		t.Error("a co-ordinator's report was not limited to their own organisation")
	}
	if other, ok := e.Surveys.Survey("children"); ok {
		if _, split := other.BreakdownQuestion("organisation"); !split {
			coordinator.Get("/r/" + other.ID).Must(http.StatusForbidden)
		}
	}

	csv := "/r/" + d.ID + "/responses.csv"
	e.StaffBrowser(auth.BoardViewer, "").Get(csv).Must(http.StatusForbidden)
	e.StaffBrowser(auth.Coordinator, "police").Get(csv).Must(http.StatusForbidden)
	p = e.StaffBrowser(auth.Analyst, "").Get(csv).Must(http.StatusOK)
	if !strings.HasPrefix(p.Body, "\ufeffreference,round,submitted,") {
		t.Errorf("CSV starts %q", p.Body[:min(60, len(p.Body))])
	}
	if !strings.Contains(p.Body, `'=HYPERLINK(""http://evil"")`) {
		t.Errorf("the formula in a comment was not neutralised:\n%s", p.Body)
	}
}

// Comments are listed question by question for the roles that may read
// free text, escaped, and only for rounds of at least the minimum group.
func TestComments(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	path := "/r/" + d.ID + "/comments?round=baseline"
	analyst := e.StaffBrowser(auth.Analyst, "")
	e.Respond(d, "baseline", webtest.Respondent{Level: "2", Comment: "<b>More</b> joint training"}, 0)
	if p := analyst.Get(path).Must(http.StatusOK); strings.Contains(p.Body, "joint training") || !strings.Contains(p.Body, "comments_suppressed") {
		t.Error("comments shown for a round of one response")
	}
	for i := 1; i < 5; i++ {
		e.Respond(d, "baseline", webtest.Respondent{Level: "3"}, i)
	}
	p := analyst.Get(path).Must(http.StatusOK)
	if !strings.Contains(p.Body, "&lt;b&gt;More&lt;/b&gt; joint training") {
		t.Errorf("comment not listed, or not escaped:\n%s", p.Text())
	}
	e.StaffBrowser(auth.BoardViewer, "").Get(path).Must(http.StatusForbidden)
	if rep := e.StaffBrowser(auth.BoardViewer, "").Get("/r/" + d.ID).Must(http.StatusOK); strings.Contains(rep.Body, "/comments") || strings.Contains(rep.Body, "responses.csv") {
		t.Error("the board viewer's report links to free text")
	}
}
