package respond_test

import (
	"net/http"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// TestPractitionerProfile: after sending a staff self-assessment, the
// browser that sent it may open the practitioner's own profile, their
// rating on each strand beside the partnership's published figures of the
// last closed round, never cached; no other browser may, and a children's
// consultation offers none.
func TestPractitionerProfile(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	baseline := []webtest.Respondent{
		{Level: "1", CAFLevel: "5", Comment: `Lead professional <script>alert("x")</script> & more`},
		{Level: "2"}, {Level: "2"}, {Level: "3"}, {Level: survey.DontKnow},
	}
	for i, who := range append(baseline, webtest.Respondent{Level: "3"}) {
		send(t, fill(t, e, d, "baseline", who, i), "/s/"+d.ID+"/baseline")
	}
	flow := "/s/" + d.ID + "/follow-up"

	// Before any round has closed, there is nothing to set beside theirs.
	early := fill(t, e, d, "follow-up", webtest.Respondent{Level: "4"}, 0)
	send(t, early, flow)
	if p := early.Get(flow + "/profile").Must(http.StatusOK); !strings.Contains(p.Body, `id="no-figures"`) {
		t.Errorf("with no round closed, the profile says:\n%s", p.Text())
	}

	e.CloseRound(d, "baseline")
	b := fill(t, e, d, "follow-up", webtest.Respondent{Level: "4", CAFLevel: "2"}, 1)
	ref := send(t, b, flow)
	done := b.Get(flow + "/done?ref=" + ref).Must(http.StatusOK)
	if !strings.Contains(done.Body, `<a class="govuk-link" href="`+flow+`/profile">`) {
		t.Fatalf("the confirmation does not lead to the profile:\n%s", done.Text())
	}
	p := b.Get(flow + "/profile").Must(http.StatusOK)
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the profile's Cache-Control is %q", cc)
	}
	table := webtest.Element(t, p.Body, "table", "profile")
	if head := webtest.Text(strings.Split(table, "</thead>")[0]); !strings.Contains(head, "Your rating Partnership") {
		t.Errorf("the profile's columns: %q", head)
	}
	if got := webtest.Text(webtest.Element(t, p.Body, "p", "against")); !strings.Contains(got, "Baseline, autumn 2026") {
		t.Errorf("the profile does not say which round the partnership's figures are from: %q", got)
	}
	rows := strings.Split(table, "<tr")[2:]
	if len(rows) != len(webtest.Rated(d)) {
		t.Fatalf("the profile has %d strands, want %d", len(rows), len(webtest.Rated(d)))
	}
	// Their CAF strand is 2; the partnership's is (5+2+2+3+3)/5 = 3.0.
	if got, want := webtest.Text("<tr"+rows[0]), webtest.Rated(d)[0].Title+" 2.0 3.0"; got != want {
		t.Errorf("the first strand reads %q, want %q", got, want)
	}
	if got := webtest.Text("<tr" + rows[1]); !strings.HasPrefix(got, webtest.Rated(d)[1].Title+" 4.0 ") {
		t.Errorf("the second strand reads %q", got)
	}

	// Only the browser that sent the answers sees them.
	e.Browser().Get(flow + "/profile").Must(http.StatusNotFound)
	// Nor does a browser that knows the reference (the receipt, read out
	// over the phone or left in a shared computer's history) and puts it
	// in the cookie the sending browser was given, with or without a made
	// up MAC.
	for _, forged := range []string{ref, ref + ".00000000000000000000000000000000"} {
		other := e.Browser()
		other.SetCookie(&http.Cookie{Name: "iwt_sent", Value: forged, Path: flow})
		other.Get(flow + "/profile").Must(http.StatusNotFound)
	}
	// A children's consultation has no profile.
	kids := e.Survey("children")
	kb := fill(t, e, kids, "baseline", webtest.Respondent{Level: "2"}, 0)
	send(t, kb, "/s/children/baseline")
	kb.Get("/s/children/baseline/profile").Must(http.StatusNotFound)
}
