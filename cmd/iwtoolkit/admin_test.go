package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// postFrom posts a form to action with the CSRF token of the page at
// from, as a browser submitting a form on that page would.
func (b *browser) postFrom(from, action string, form url.Values) page {
	b.t.Helper()
	f := url.Values{"csrf_token": {csrfOf(b.t, b.get(from))}}
	for k, v := range form {
		f[k] = v
	}
	return b.post(action, f)
}

// hasAudit fails the test unless an audit entry ("actor action target")
// contains want.
func hasAudit(t *testing.T, e env, want string) {
	t.Helper()
	log := auditActions(t, e)
	if !slices.ContainsFunc(log, func(a string) bool { return strings.Contains(a, want) }) {
		t.Errorf("no audit entry with %q in\n%s", want, strings.Join(log, "\n"))
	}
}

// ukTime is a time as staff type it into the schedule form.
func ukTime(t *testing.T, at time.Time) string {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return at.In(london).Format("2/1/2006 15:04")
}

// TestSubmitRateLimit sets a small limit and checks that respondent posts
// past it are refused with a 429 page, and that staff sign-in is not
// counted with them.
func TestSubmitRateLimit(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	e["IWT_SUBMIT_LIMIT"] = "3"
	svc := start(t, e)
	b := newBrowser(t, svc.URL)
	section := "/s/" + d.ID + "/baseline/section/" + d.Sections[0].ID
	for i := range 3 {
		if p := b.postWithToken(section, url.Values{}); p.Status == http.StatusTooManyRequests {
			t.Fatalf("post %d refused under the limit", i+1)
		}
	}
	p := b.postWithToken(section, url.Values{}).must(t, http.StatusTooManyRequests)
	if !strings.Contains(text(p.Body), "Too many answers have been sent from your network") {
		t.Errorf("429 page: %s", text(p.Body))
	}
	b.get(section).must(t, http.StatusOK) // reading is not limited
	staffBrowser(t, svc, "admin", "")     // nor is signing in
}
