package staff_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/webtest"
)

// makeInvitations posts the invitations form as the browser's user and
// returns the CSV rows (without the header) after checking the download's
// headers, byte order mark and header row.
func makeInvitations(t *testing.T, b *webtest.Browser, form url.Values) [][]string {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", b.Get("/staff/invitations?survey="+form.Get("survey")).CSRF())
	resp := b.Post("/staff/invitations", f)
	if resp.Status != http.StatusOK {
		t.Fatalf("make invitations %v: status %d\n%s", form, resp.Status, resp.Text())
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="invitations-`) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	s, ok := strings.CutPrefix(resp.Body, "\uFEFF")
	if !ok {
		t.Fatalf("the CSV does not start with a UTF-8 byte order mark: %q", resp.Body[:min(len(resp.Body), 20)])
	}
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"person", "link"}) {
		t.Fatalf("CSV header %v", rows)
	}
	return rows[1:]
}

// TestInvitationsScope checks that a co-ordinator makes and sees
// invitations for their own organisation only, whatever the form or the
// address says, and that other roles cannot make any.
func TestInvitationsScope(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	admin := staffBrowser(t, e, auth.Admin, "")
	makeInvitations(t, admin, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"2"}})

	coord := staffBrowser(t, e, auth.Coordinator, "youth-offending-service")
	p := coord.Get("/staff/invitations?survey=" + d.ID + "&organisation=police").Must(http.StatusOK)
	if strings.Contains(p.Body, `value="police"`) || strings.Contains(webtest.Text(p.Body), "Police") {
		t.Errorf("the co-ordinator's page offers or shows another organisation: %s", webtest.Text(p.Body))
	}
	if !strings.Contains(webtest.Text(p.Body), "upload a contact list") || strings.Contains(p.Body, `action="/staff/invitations"`) {
		t.Error("the co-ordinator's page offers to make links, or does not send them to contact lists")
	}
	// Whoever holds a link can tell whether it was used: co-ordinators
	// make no files of links, for their own organisation or another.
	for _, org := range []string{"youth-offending-service", "police", "Youth-Offending-Service"} {
		coord.PostWithToken("/staff/invitations", url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {org}, "how": {"new"}, "count": {"5"}}).Must(http.StatusForbidden)
	}
	coord.PostWithToken("/staff/invitations", url.Values{"survey": {d.ID}, "round": {"follow-up"}, "organisation": {"police"}, "how": {"follow-on"}, "from_round": {"baseline"}}).Must(http.StatusForbidden)
	counts, err := e.Store.Completion(context.Background(), d.ID, "baseline")
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0].Organisation != "police" || counts[0].Invited != 2 {
		t.Errorf("completion after the refused forms: %+v", counts)
	}
	// A co-ordinator whose organisation the survey does not ask about
	// cannot make invitations to it.
	other := staffBrowser(t, e, auth.Coordinator, "Northfield School")
	other.Get("/staff/invitations?survey=" + d.ID).Must(http.StatusOK)
	other.PostWithToken("/staff/invitations", url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"Northfield School"}, "how": {"new"}, "count": {"1"}}).Must(http.StatusForbidden)

	for _, role := range []auth.Role{auth.Analyst, auth.BoardViewer} {
		b := staffBrowser(t, e, role, "")
		b.Get("/staff/invitations").Must(http.StatusForbidden)
		b.Post("/staff/invitations", url.Values{"csrf_token": {b.Get("/staff").CSRF()}, "survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"1"}}).Must(http.StatusForbidden)
	}
}

// TestInvitationsTypedOrganisation: for a survey that asks no organisation
// question an administrator types the organisation; whatever it is, the
// download is named safely and no cell starts a formula.
func TestInvitationsTypedOrganisation(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	admin := staffBrowser(t, e, auth.Admin, "")
	for _, r := range makeInvitations(t, admin, url.Values{"survey": {"children"}, "round": {"baseline"}, "organisation": {"=HYPERLINK(\"http://evil\")"}, "how": {"new"}, "count": {"2"}}) {
		for _, cell := range r {
			if strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("cell %q starts a formula", cell)
			}
		}
	}
}

// Invitations follow the rounds as staff have set them: none for a round
// staff closed, and a round staff added can be invited to once open.
func TestInvitationsFollowRoundState(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	admin := staffBrowser(t, e, auth.Admin, "")
	base := "/staff/surveys/" + d.ID + "/rounds/baseline"
	admin.PostWithToken(base+"/close", url.Values{"confirm": {"yes"}}).Must(http.StatusOK)
	form := url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"2"}}
	form.Set("csrf_token", admin.Get("/staff/invitations?survey="+d.ID).CSRF())
	p := admin.Post("/staff/invitations", form).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(webtest.Text(p.Body), "This round is closed") {
		t.Errorf("inviting to a round staff closed: %s", webtest.Text(p.Body))
	}
}
