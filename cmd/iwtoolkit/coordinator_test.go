package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"iwtoolkit/internal/testenv"
)

// TestCoordinatorPages walks what an organisation's co-ordinator reads:
// only staff surveys on the contact lists and invitations pages, their
// organisation by its name, a report whose organisation filter says their
// own instead of offering all twelve, a dashboard that says what they can
// do while counts are hidden, and an invitation that comes from the
// organisation's name and says how long the survey takes and whom to ask.
func TestCoordinatorPages(t *testing.T) {
	t.Parallel()
	d := bundled(t)
	smtp := testenv.StartSMTP(t)
	e := withMail(sqliteEnv(t), smtp)
	e["IWT_ORGANISATION"] = "Northshire Children's Trust"
	svc := start(t, e)
	police := staffBrowser(t, svc, "coordinator", "police")

	staffOnly := []string{"integrated-working", "training-needs", "organisation-self-assessment"}
	notTheirs := []string{"children", "young-people", "parents-carers"}
	for _, page := range []string{"/staff/contacts", "/staff/invitations"} {
		list := element(t, police.get(page).must(t, http.StatusOK).Body, "ul", "surveys")
		for _, id := range staffOnly {
			if !strings.Contains(list, "survey="+id+`"`) {
				t.Errorf("%s does not offer a co-ordinator %s: %s", page, id, text(list))
			}
		}
		for _, id := range notTheirs {
			if strings.Contains(list, "survey="+id+`"`) {
				t.Errorf("%s offers a co-ordinator %s: %s", page, id, text(list))
			}
			police.get(page+"?survey="+id).must(t, http.StatusForbidden)
		}
	}
	contacts := police.get("/staff/contacts?survey="+d.ID).must(t, http.StatusOK)
	if got := text(element(t, contacts.Body, "p", "organisation")); got != "Organisation: Police" {
		t.Errorf("the contact lists page names the organisation %q", got)
	}
	if got := text(element(t, police.get("/staff/contacts?survey=training-needs").must(t, http.StatusOK).Body, "p", "organisation")); got != "Organisation: Police" {
		t.Errorf("a survey that does not ask the organisation names it %q", got)
	}

	// The report: their organisation, said, whatever the address asks.
	report := police.get("/r/"+d.ID+"?organisation=community-health-trust").must(t, http.StatusOK)
	if strings.Contains(report.Body, `<select class="govuk-select" id="filter-organisation"`) {
		t.Error("a co-ordinator's report offers every organisation")
	}
	if got := text(element(t, report.Body, "p", "filter-organisation")); !strings.Contains(got, "Police (your organisation") {
		t.Errorf("a co-ordinator's report says its organisation as %q", got)
	}

	// The dashboard: open staff rounds, the published count, what to do.
	home := police.get("/staff").must(t, http.StatusOK).Body
	if strings.Contains(home, "open_children_") || strings.Contains(home, "open_young-people_") {
		t.Error("a co-ordinator's dashboard lists a children's consultation")
	}
	if got := text(element(t, home, "dd", "counted_"+d.ID+"_baseline")); got != "Fewer than 5 people" {
		t.Errorf("before anyone has answered, the count reads %q", got)
	}
	if do := element(t, home, "ul", "do_"+d.ID+"_baseline"); !strings.Contains(do, "/staff/contacts?survey="+d.ID) || !strings.Contains(do, `href="/r/`+d.ID+`"`) {
		t.Errorf("the dashboard does not say what a co-ordinator can do: %s", text(do))
	}
	for i := range 6 {
		respond(t, svc.URL, d, "baseline", baseline[i%len(baseline)], i)
	}
	if got := text(element(t, police.get("/staff").must(t, http.StatusOK).Body, "dd", "counted_"+d.ID+"_baseline")); got != "At least 5 people" {
		t.Errorf("with 6 answers, the count reads %q, want it rounded down", got)
	}

	// The invitation: from the organisation's name, with the time it
	// takes and whom to ask.
	uploadContacts(t, police, url.Values{"survey": {d.ID}, "round": {"baseline"}}, "email,name\nann@example.org,Ann\n").must(t, http.StatusOK)
	m := smtp.WaitFor(t, 1, mailWait)[0]
	if m.FromName != "Northshire Children's Trust" {
		t.Errorf("the invitation comes from %q", m.FromName)
	}
	for _, want := range []string{
		"Northshire Children's Trust is asking you",
		"It takes about 15 minutes, or 20 minutes for leaders and managers.",
		"If you have a question about it, ask The workforce development team, workforce.development@example.org.",
	} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the invitation does not say %q:\n%s", want, m.Body)
		}
	}
	if strings.Contains(m.Body, "\n\n\n") {
		t.Errorf("the invitation has empty gaps:\n%s", m.Body)
	}
}
