package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPractitionerProfile: after sending a staff self-assessment, the
// browser that sent it may open the practitioner's own profile, their
// rating on each strand beside the partnership's published figures of the
// last closed round, never cached; no other browser may, and a children's
// consultation offers none.
func TestPractitionerProfile(t *testing.T) {
	t.Parallel()
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	for i, who := range append(baseline, respondent{Level: "3"}) {
		respond(t, svc.URL, d, "baseline", who, i)
	}
	flow := "/s/" + d.ID + "/follow-up"

	// Before any round has closed, there is nothing to set beside theirs.
	early := fill(t, svc.URL, d, "follow-up", respondent{Level: "4"}, 0)
	send(t, early, flow)
	if p := early.get(flow+"/profile").must(t, http.StatusOK); !strings.Contains(p.Body, `id="no-figures"`) {
		t.Errorf("with no round closed, the profile says:\n%s", text(p.Body))
	}

	closeRound(t, staffBrowser(t, svc, "admin", ""), d, "baseline")
	b := fill(t, svc.URL, d, "follow-up", respondent{Level: "4", CAFLevel: "2"}, 1)
	ref := send(t, b, flow)
	done := b.get(flow+"/done?ref="+ref).must(t, http.StatusOK)
	if !strings.Contains(done.Body, `<a class="govuk-link" href="`+flow+`/profile">`) {
		t.Fatalf("the confirmation does not lead to the profile:\n%s", text(done.Body))
	}
	p := b.get(flow+"/profile").must(t, http.StatusOK)
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the profile's Cache-Control is %q", cc)
	}
	table := element(t, p.Body, "table", "profile")
	if head := text(strings.Split(table, "</thead>")[0]); !strings.Contains(head, "Your rating Partnership") {
		t.Errorf("the profile's columns: %q", head)
	}
	if got := text(element(t, p.Body, "p", "against")); !strings.Contains(got, "Baseline, autumn 2026") {
		t.Errorf("the profile does not say which round the partnership's figures are from: %q", got)
	}
	rows := strings.Split(table, "<tr")[2:]
	if len(rows) != len(rated(d)) {
		t.Fatalf("the profile has %d strands, want %d", len(rows), len(rated(d)))
	}
	// Their CAF strand is 2; the partnership's is (5+2+2+3+3)/5 = 3.0.
	if got, want := text("<tr"+rows[0]), rated(d)[0].Title+" 2.0 3.0"; got != want {
		t.Errorf("the first strand reads %q, want %q", got, want)
	}
	if got := text("<tr" + rows[1]); !strings.HasPrefix(got, rated(d)[1].Title+" 4.0 ") {
		t.Errorf("the second strand reads %q", got)
	}

	// Only the browser that sent the answers sees them.
	newBrowser(t, svc.URL).get(flow+"/profile").must(t, http.StatusNotFound)
	// Nor does a browser that knows the reference (the receipt, read out
	// over the phone or left in a shared computer's history) and puts it
	// in the cookie the sending browser was given, with or without a made
	// up MAC.
	for _, forged := range []string{ref, ref + ".00000000000000000000000000000000"} {
		other := newBrowser(t, svc.URL)
		u, _ := url.Parse(svc.URL + flow + "/")
		other.client.Jar.SetCookies(u, []*http.Cookie{{Name: "iwt_sent", Value: forged, Path: flow}})
		other.get(flow+"/profile").must(t, http.StatusNotFound)
	}
	// A children's consultation has no profile.
	if kids, ok := bundledCatalogue(t).Survey("children"); ok {
		kb := fill(t, svc.URL, kids, "baseline", respondent{Level: "2"}, 0)
		send(t, kb, "/s/children/baseline")
		kb.get("/s/children/baseline/profile").must(t, http.StatusNotFound)
	}
}
