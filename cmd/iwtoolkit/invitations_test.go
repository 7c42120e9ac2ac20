package main

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
)

// makeInvitations posts the invitations form as the browser's user and
// returns the CSV rows (without the header) after checking the download's
// headers, byte order mark and header row.
func makeInvitations(t *testing.T, b *browser, form url.Values) [][]string {
	t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", csrfOf(t, b.get("/staff/invitations?survey="+form.Get("survey"))))
	req, _ := http.NewRequest(http.MethodPost, b.base+"/staff/invitations", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("make invitations %v: status %d\n%s", form, resp.StatusCode, text(string(raw)))
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
	s, ok := strings.CutPrefix(string(raw), "\uFEFF")
	if !ok {
		t.Fatalf("the CSV does not start with a UTF-8 byte order mark: %q", raw[:min(len(raw), 20)])
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

// tokenOf is the token in an invitation link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	token, ok := strings.CutPrefix(link, "http://localhost:8080/i/")
	if !ok || len(token) != 40 {
		t.Fatalf("link %q is not the base URL, /i/ and a token", link)
	}
	return token
}

func TestInvitations(t *testing.T) {
	t.Parallel()
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testInvitations(t, newEnv(t)) })
	}
}

func testInvitations(t *testing.T, e env) {
	svc := start(t, e)
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	admin := staffBrowser(t, svc, "admin", "")

	rows := makeInvitations(t, admin, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"3"}})
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	persons := map[string]bool{}
	for _, r := range rows {
		if len(r[0]) != 10 || persons[r[0]] {
			t.Errorf("person %q: want 10 characters, each different", r[0])
		}
		persons[r[0]] = true
		tokenOf(t, r[1])
	}
	// No token is in the store: only its hash.
	st := storeOf(t, e)
	var stored []survey.Invitation
	if err := st.Invitations(context.Background(), d.ID, "baseline", func(inv survey.Invitation) error { stored = append(stored, inv); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 3 {
		t.Fatalf("%d invitations stored, want 3", len(stored))
	}
	byKey := map[string]survey.Invitation{}
	for _, inv := range stored {
		byKey[inv.Key] = inv
	}
	for _, r := range rows {
		inv, ok := byKey[survey.DraftKey(tokenOf(t, r[1]))]
		if !ok || inv.Organisation != "police" || inv.Person() != r[0] || inv.RespondentKey == "" {
			t.Errorf("row %v: stored invitation %+v", r, inv)
		}
	}

	// One invitation, opened in two tabs (two browsers), sent from both:
	// one response, and the second is told the link was used.
	token := tokenOf(t, rows[0][1])
	used := byKey[survey.DraftKey(token)]
	tab1, tab2 := newBrowser(t, svc.URL), newBrowser(t, svc.URL)
	for _, b := range []*browser{tab1, tab2} {
		if p := b.get("/i/"+token).must(t, http.StatusOK); p.URL.Path != flow {
			t.Fatalf("the invitation link led to %s, want %s", p.URL, flow)
		}
		answerAll(t, b, d, "baseline", nil)
	}
	send(t, tab1, flow)
	tab2.postWithToken(flow+"/check", url.Values{}).must(t, http.StatusGone)
	// Used: the link now says so, in any browser, and a replay too.
	newBrowser(t, svc.URL).get("/i/"+token).must(t, http.StatusGone)
	tab1.get("/i/"+token).must(t, http.StatusGone)
	n := 0
	if err := st.EachResponse(context.Background(), d.ID, nil, func(r survey.Response) error {
		n++
		if r.Invitation != used.Key || r.RespondentKey != used.RespondentKey {
			t.Errorf("response %+v does not carry its invitation and respondent key", r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d responses through one invitation, want 1", n)
	}
	newBrowser(t, svc.URL).get("/i/"+strings.Repeat("0", 40)).must(t, http.StatusNotFound)

	// The completion table says 3 invited, and (the round being open) not
	// how many responded; nobody's token.
	p := admin.get("/staff/invitations?survey="+d.ID).must(t, http.StatusOK)
	if got := text(element(t, p.Body, "table", "completion_0")); !strings.Contains(got, "Police 3 shown when the round closes") {
		t.Errorf("completion table: %s", got)
	}

	// Follow on: the same respondent keys, in new links.
	follow := makeInvitations(t, admin, url.Values{"survey": {d.ID}, "round": {"follow-up"}, "organisation": {"police"}, "how": {"follow-on"}, "from_round": {"baseline"}})
	var before, after []string
	for _, r := range rows {
		before = append(before, r[0])
	}
	for _, r := range follow {
		after = append(after, r[0])
		if slices.ContainsFunc(rows, func(b []string) bool { return b[1] == r[1] }) {
			t.Error("a follow-on link is the baseline's")
		}
	}
	slices.Sort(before)
	slices.Sort(after)
	if !slices.Equal(before, after) {
		t.Errorf("follow-on persons %v, want the baseline's %v", after, before)
	}
	var keysBefore, keysAfter []string
	for _, inv := range stored {
		keysBefore = append(keysBefore, inv.RespondentKey)
	}
	st.Invitations(context.Background(), d.ID, "follow-up", func(inv survey.Invitation) error {
		keysAfter = append(keysAfter, inv.RespondentKey)
		return nil
	})
	slices.Sort(keysBefore)
	slices.Sort(keysAfter)
	if len(keysAfter) != 3 || !slices.Equal(keysBefore, keysAfter) {
		t.Errorf("follow-on respondent keys %v, want %v", keysAfter, keysBefore)
	}

	// Mistakes in the form are shown on the form, and make nothing.
	for _, tc := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"0"}}, "Enter a number of invitations from 1 to 2000"},
		{url.Values{"round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"2001"}}, "Enter a number of invitations from 1 to 2000"},
		{url.Values{"round": {"nope"}, "organisation": {"police"}, "how": {"new"}, "count": {"1"}}, "Select the round"},
		{url.Values{"round": {"baseline"}, "organisation": {"not-an-option"}, "how": {"new"}, "count": {"1"}}, "Select one of the organisations"},
		{url.Values{"round": {"baseline"}, "organisation": {"police"}, "how": {"follow-on"}, "from_round": {"baseline"}}, "Select an earlier round"},
		{url.Values{"round": {"follow-up"}, "organisation": {"hospital-trust"}, "how": {"follow-on"}, "from_round": {"baseline"}}, "no invitations for this organisation"},
		{url.Values{"round": {"follow-up"}, "organisation": {"police"}, "how": {"follow-on"}, "from_round": {"baseline"}}, "All 3 people from that round have an invitation to this round already"},
	} {
		tc.form.Set("survey", d.ID)
		p := admin.postWithToken("/staff/invitations", tc.form).must(t, http.StatusUnprocessableEntity)
		if !strings.Contains(p.Body, tc.says) {
			t.Errorf("form %v: page lacks %q: %s", tc.form, tc.says, text(p.Body))
		}
	}

	log := auditActions(t, e)
	adminEmail := strings.Fields(log[0])[0]
	for _, want := range []string{
		adminEmail + " created invitations " + d.ID + " baseline, police: 3",
		adminEmail + " created invitations " + d.ID + " follow-up, police: 3 following on from baseline",
	} {
		if !slices.Contains(log, want) {
			t.Errorf("audit log lacks %q:\n%s", want, strings.Join(log, "\n"))
		}
	}
	for _, entry := range log {
		for _, r := range append(rows, follow...) {
			if strings.Contains(entry, tokenOf(t, r[1])) {
				t.Errorf("audit entry %q holds a token", entry)
			}
		}
	}
}
