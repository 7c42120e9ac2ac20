package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStaffPagesNameThings checks that staff pages name organisations and
// rounds by their labels, not their ids; that a co-ordinator's dashboard
// links to their organisation's reports; and that the report and its
// views carry the staff navigation with signing out, as every staff page
// does.
func TestStaffPagesNameThings(t *testing.T) {
	t.Parallel()
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	ref := respond(t, svc.URL, d, "baseline", respondent0, 0)
	const org, label = "council-childrens-services", "Borough council children's services"

	coordinator := staffBrowser(t, svc, "coordinator", org)
	home := coordinator.get("/staff").must(t, http.StatusOK)
	if s := text(home.Body); strings.Contains(s, "will appear here") || strings.Contains(s, "("+"Organisation co-ordinator, "+org+")") {
		t.Errorf("a co-ordinator's dashboard: %s", s)
	}
	if !strings.Contains(home.Body, `<a class="govuk-link" href="/r/`+d.ID+`">`) {
		t.Errorf("a co-ordinator's dashboard does not link to the report of %s:\n%s", d.ID, text(home.Body))
	}
	if !strings.Contains(text(home.Body), label) {
		t.Errorf("a co-ordinator's dashboard does not name their organisation %q:\n%s", label, text(home.Body))
	}
	if s := text(coordinator.get("/staff/organisations/"+org).must(t, http.StatusOK).Body); !strings.Contains(s, label) {
		t.Errorf("the organisation's page does not name it %q: %s", label, s)
	}
	view := coordinator.get("/r/"+d.ID+"/views/overview").must(t, http.StatusOK)
	if s := text(view.Body); !strings.Contains(s, "organisation: "+label) {
		t.Errorf("a co-ordinator's report view does not say its filter in words: %s", s)
	}

	admin := staffBrowser(t, svc, "admin", "")
	if s := text(admin.get("/staff/users").must(t, http.StatusOK).Body); !strings.Contains(s, label) {
		t.Errorf("the users page does not name the co-ordinator's organisation %q: %s", label, s)
	}
	for _, path := range []string{"/r/" + d.ID, "/r/" + d.ID + "/views/trend", "/r/" + d.ID + "/pack"} {
		p := admin.get(path).must(t, http.StatusOK)
		if !strings.Contains(p.Body, `aria-label="Staff pages"`) || !strings.Contains(p.Body, `action="/staff/sign-out"`) {
			t.Errorf("%s has no staff navigation or sign-out button", path)
		}
	}
	confirm := admin.postWithToken("/staff/erasure", url.Values{"reference": {ref}}).must(t, http.StatusOK)
	if s := text(element(t, confirm.Body, "dl", "confirm_details")); !strings.Contains(s, "Round Baseline, autumn 2026") {
		t.Errorf("the erasure confirmation does not name the round by its label: %s", s)
	}
}
