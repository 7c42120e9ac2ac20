package staff_test

import (
	"net/http"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/webtest"
)

// TestCoordinatorPages walks what an organisation's co-ordinator reads:
// only staff surveys on the contact lists and invitations pages, their
// organisation by its name, a report whose organisation filter says their
// own instead of offering all twelve, and a dashboard that says what they
// can do while counts are hidden. (The invitation they send, from the
// organisation's name, is cmd/iwtoolkit's TestCoordinatorInvitation.)
func TestCoordinatorPages(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e, reportsAndPack(t, e)...)
	d := e.Survey("integrated-working")
	police := staffBrowser(t, e, auth.Coordinator, "police")

	staffOnly := []string{"integrated-working", "training-needs", "organisation-self-assessment"}
	notTheirs := []string{"children", "young-people", "parents-carers"}
	for _, page := range []string{"/staff/contacts", "/staff/invitations"} {
		list := webtest.Element(t, police.Get(page).Must(http.StatusOK).Body, "ul", "surveys")
		for _, id := range staffOnly {
			if !strings.Contains(list, "survey="+id+`"`) {
				t.Errorf("%s does not offer a co-ordinator %s: %s", page, id, webtest.Text(list))
			}
		}
		for _, id := range notTheirs {
			if strings.Contains(list, "survey="+id+`"`) {
				t.Errorf("%s offers a co-ordinator %s: %s", page, id, webtest.Text(list))
			}
			police.Get(page + "?survey=" + id).Must(http.StatusForbidden)
		}
	}
	contacts := police.Get("/staff/contacts?survey=" + d.ID).Must(http.StatusOK)
	if got := webtest.Text(webtest.Element(t, contacts.Body, "p", "organisation")); got != "Organisation: Police" {
		t.Errorf("the contact lists page names the organisation %q", got)
	}
	if got := webtest.Text(webtest.Element(t, police.Get("/staff/contacts?survey=training-needs").Must(http.StatusOK).Body, "p", "organisation")); got != "Organisation: Police" {
		t.Errorf("a survey that does not ask the organisation names it %q", got)
	}

	// The report: their organisation, said, whatever the address asks.
	report := police.Get("/r/" + d.ID + "?organisation=community-health-trust").Must(http.StatusOK)
	if strings.Contains(report.Body, `<select class="govuk-select" id="filter-organisation"`) {
		t.Error("a co-ordinator's report offers every organisation")
	}
	if got := webtest.Text(webtest.Element(t, report.Body, "p", "filter-organisation")); !strings.Contains(got, "Police (your organisation") {
		t.Errorf("a co-ordinator's report says its organisation as %q", got)
	}

	// The dashboard: open staff rounds, the published count, what to do.
	home := police.Get("/staff").Must(http.StatusOK).Body
	if strings.Contains(home, "open_children_") || strings.Contains(home, "open_young-people_") {
		t.Error("a co-ordinator's dashboard lists a children's consultation")
	}
	if got := webtest.Text(webtest.Element(t, home, "dd", "counted_"+d.ID+"_baseline")); got != "Fewer than 5 people" {
		t.Errorf("before anyone has answered, the count reads %q", got)
	}
	if do := webtest.Element(t, home, "ul", "do_"+d.ID+"_baseline"); !strings.Contains(do, "/staff/contacts?survey="+d.ID) || !strings.Contains(do, `href="/r/`+d.ID+`"`) {
		t.Errorf("the dashboard does not say what a co-ordinator can do: %s", webtest.Text(do))
	}
	for i := range 6 {
		e.Respond(d, "baseline", webtest.Respondent{Level: "3"}, i)
	}
	if got := webtest.Text(webtest.Element(t, police.Get("/staff").Must(http.StatusOK).Body, "dd", "counted_"+d.ID+"_baseline")); got != "At least 5 people" {
		t.Errorf("with 6 answers, the count reads %q, want it rounded down", got)
	}
}
