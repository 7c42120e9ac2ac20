package main

import (
	"net/http"
	"strings"
	"testing"
)

// A co-ordinator's report is their own organisation's, whatever the address
// asks for; raw responses (with their free text) are for admins and
// analysts only, as a CSV that a spreadsheet reads safely.
func TestReportAccess(t *testing.T) {
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	respond(t, svc.URL, d, "baseline", respondent{Level: "2", Comment: "=HYPERLINK(\"http://evil\")"}, 0)

	coordinator := staffBrowser(t, svc, "coordinator", "police")
	p := coordinator.get("/r/"+d.ID+"?organisation=council-childrens-services").must(t, http.StatusOK)
	if !strings.Contains(text(element(t, p.Body, "p", "filter-organisation")), "Police (your organisation") || strings.Contains(p.Body, `<option value="council-childrens-services"`) {
		t.Error("a co-ordinator's report was not limited to their own organisation")
	}
	if other, ok := bundledCatalogue(t).Survey("children"); ok {
		if _, split := other.BreakdownQuestion("organisation"); !split {
			coordinator.get("/r/"+other.ID).must(t, http.StatusForbidden)
		}
	}

	csv := "/r/" + d.ID + "/responses.csv"
	for _, role := range []string{"board-viewer", "coordinator"} {
		org := ""
		if role == "coordinator" {
			org = "police"
		}
		staffBrowser(t, svc, role, org).get(csv).must(t, http.StatusForbidden)
	}
	p = staffBrowser(t, svc, "analyst", "").get(csv).must(t, http.StatusOK)
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
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	path := "/r/" + d.ID + "/comments?round=baseline"
	analyst := staffBrowser(t, svc, "analyst", "")
	respond(t, svc.URL, d, "baseline", respondent{Level: "2", Comment: "<b>More</b> joint training"}, 0)
	if p := analyst.get(path).must(t, http.StatusOK); strings.Contains(p.Body, "joint training") || !strings.Contains(p.Body, "comments_suppressed") {
		t.Error("comments shown for a round of one response")
	}
	for i := 1; i < 5; i++ {
		respond(t, svc.URL, d, "baseline", respondent{Level: "3"}, i)
	}
	p := analyst.get(path).must(t, http.StatusOK)
	if !strings.Contains(p.Body, "&lt;b&gt;More&lt;/b&gt; joint training") {
		t.Errorf("comment not listed, or not escaped:\n%s", text(p.Body))
	}
	staffBrowser(t, svc, "board-viewer", "").get(path).must(t, http.StatusForbidden)
	if rep := staffBrowser(t, svc, "board-viewer", "").get("/r/"+d.ID).must(t, http.StatusOK); strings.Contains(rep.Body, "/comments") || strings.Contains(rep.Body, "responses.csv") {
		t.Error("the board viewer's report links to free text")
	}
}
