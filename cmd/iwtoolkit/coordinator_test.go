package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"iwtoolkit/internal/testenv"
)

// TestCoordinatorInvitation: an invitation a co-ordinator sends comes
// from the organisation's name and says how long the survey takes and
// whom to ask. (What the co-ordinator reads on the pages is tested beside
// the staff pages: internal/web/staff's TestCoordinatorPages.)
func TestCoordinatorInvitation(t *testing.T) {
	t.Parallel()
	d := bundled(t)
	smtp := testenv.StartSMTP(t)
	e := withMail(sqliteEnv(t), smtp)
	e["IWT_ORGANISATION"] = "Northshire Children's Trust"
	svc := start(t, e)
	police := staffBrowser(t, svc, "coordinator", "police")

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
