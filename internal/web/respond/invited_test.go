package respond_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/webtest"
)

// invitationLinks makes invitations on the staff page as the browser's
// user and returns the links in the CSV it gives (the staff package's
// tests check the CSV itself).
func invitationLinks(t *testing.T, b *webtest.Browser, form url.Values) []string {
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
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("the invitations CSV: %v, %v", rows, err)
	}
	var links []string
	for _, r := range rows[1:] {
		links = append(links, r[1])
	}
	return links
}

// tokenOf is the token of an invitation link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	token, ok := strings.CutPrefix(link, webtest.BaseURL+"/i/")
	if !ok || len(token) != 40 {
		t.Fatalf("link %q is not the base URL, /i/ and a token", link)
	}
	return token
}

// A used invitation says it was used, and nothing about the round being
// closed; an invited person is warned to stay on one device, and is not
// asked the organisation their invitation is for.
func TestInvitedRespondent(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e, staffAndPreview(t, e)...)
	d := e.Survey("integrated-working")
	org, ok := d.BreakdownQuestion("organisation")
	if !ok {
		t.Fatal("the bundled survey asks no organisation")
	}
	flow := "/s/" + d.ID + "/baseline"
	admin := e.StaffBrowser(auth.Admin, "")
	links := invitationLinks(t, admin, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}, "how": {"new"}, "count": {"1"}})
	token := tokenOf(t, links[0])
	b := e.Browser()
	start := b.Get("/i/" + token).Must(http.StatusOK)
	if !strings.Contains(start.Text(), "Use this device and browser until you have sent your answers") {
		t.Error("the invited start page does not warn about changing device")
	}
	_, sec, _ := d.Question(org.ID)
	answers := map[string]string{org.ID: "police"}
	for _, s := range d.Sections {
		if s == sec {
			break
		}
		if s.ShowIf.Holds(answers) {
			b.PostWithToken(flow+"/section/"+s.ID, answer(d, s, answers, webtest.Respondent{Level: "3"}, 0)).Must(http.StatusOK)
		}
	}
	p := b.Get(flow + "/section/" + sec.ID).Must(http.StatusOK)
	if strings.Contains(p.Body, `name="`+org.ID+`"`) || !strings.Contains(p.Text(), org.OptionLabel("police")+" From your invitation") {
		t.Errorf("the invited person is asked their organisation: %s", p.Text())
	}
	// Every part answered, the form naming another organisation.
	answers = map[string]string{}
	for _, s := range d.Sections {
		if s.ShowIf.Holds(answers) {
			form := answer(d, s, answers, webtest.Respondent{Level: "3"}, 0)
			if !form.Has(org.ID) {
				form.Set(org.ID, "health-trust")
			}
			b.PostWithToken(flow+"/section/"+s.ID, form).Must(http.StatusOK)
		}
	}
	check := b.Get(flow + "/check").Must(http.StatusOK)
	if strings.Contains(check.Body, "#"+org.ID+`"`) {
		t.Error("check answers offers to change the organisation of the invitation")
	}
	send(t, b, flow)
	used := e.Browser().Get("/i/" + token).Must(http.StatusGone)
	if got := used.Text(); !strings.Contains(got, "This link has been used") || strings.Contains(got, "not taking answers") {
		t.Errorf("a used invitation: %s", got)
	}
}

// TestSubmitRateLimit sets a small limit and checks that respondent posts
// past it are refused with a 429 page, and that staff sign-in is not
// counted with them.
func TestSubmitRateLimit(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serveWith(t, e, func(o *respond.Options) { o.SubmitLimit = 3 }, staffAndPreview(t, e)...)
	d := e.Survey("integrated-working")
	b := e.Browser()
	section := "/s/" + d.ID + "/baseline/section/" + d.Sections[0].ID
	for i := range 3 {
		if p := b.PostWithToken(section, url.Values{}); p.Status == http.StatusTooManyRequests {
			t.Fatalf("post %d refused under the limit", i+1)
		}
	}
	p := b.PostWithToken(section, url.Values{}).Must(http.StatusTooManyRequests)
	if !strings.Contains(p.Text(), "Too many answers have been sent from your network") {
		t.Errorf("429 page: %s", p.Text())
	}
	b.Get(section).Must(http.StatusOK) // reading is not limited
	// Nor is signing in.
	a := e.AccountWithPassword(auth.Admin, "")
	if p := e.Browser().PostWithToken("/staff/sign-in", url.Values{"email": {a.Email}, "password": {webtest.Password}}).Must(http.StatusOK); p.URL.Path != "/staff" {
		t.Errorf("signing in after the limit: at %s\n%s", p.URL.Path, p.Text())
	}
}
