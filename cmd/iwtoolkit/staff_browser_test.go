package main

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// signInStaff adds an account with the role given and signs in with it on
// the sign-in page, typing and clicking as a person does. It returns the
// page signing in leads to.
func (b *tab) signInStaff(t *testing.T, svc *service, role string) visited {
	t.Helper()
	return b.signInStaffOf(t, svc, role, "")
}

// signInStaffOf is signInStaff with an account of an organisation (a
// co-ordinator's).
func (b *tab) signInStaffOf(t *testing.T, svc *service, role, org string) visited {
	t.Helper()
	email := fmt.Sprintf("%s-%d@example.org", role, staffSeq.Add(1))
	addStaff(t, svc.env, email, role, org, staffPassword)
	b.open(svc.URL + "/staff/sign-in")
	b.run("type the email and password",
		chromedp.SendKeys("#email", email, chromedp.ByQuery),
		chromedp.SendKeys("#password", staffPassword, chromedp.ByQuery))
	return b.click(`main form button[type=submit]`)
}
