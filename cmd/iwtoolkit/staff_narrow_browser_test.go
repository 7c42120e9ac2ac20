package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/testenv"
)

// TestBrowserStaffPagesAtPhoneWidth walks, at 375 pixels, the pages a
// co-ordinator and an administrator use while rounds run: the dashboard
// with its open rounds, the contact lists, the report with its
// organisation said, and a round's page with its address and QR code,
// open and closed. Each fits the window and passes axe.
func TestBrowserStaffPagesAtPhoneWidth(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	admin := staffBrowser(t, svc, "admin", "")
	closeRound(t, admin, d, "follow-up")
	walk := func(t *testing.T, b *tab, pages ...string) {
		for _, p := range pages {
			v := b.open(svc.URL + p)
			if v.Status != http.StatusOK {
				t.Errorf("%s: status %d\n%s", p, v.Status, b.describe())
				continue
			}
			b.fitsWindow(p)
			b.audit(p, v)
		}
	}
	t.Run("co-ordinator", func(t *testing.T) {
		b := newTab(t)
		b.narrow()
		b.signInStaffOf(t, svc, "coordinator", "police")
		walk(t, b, "/staff", "/staff/contacts", "/staff/contacts?survey="+d.ID, "/r/"+d.ID)
	})
	t.Run("practitioner's profile", func(t *testing.T) {
		flow := "/s/" + d.ID + "/baseline"
		sent := fill(t, svc.URL, d, "baseline", respondent{Level: "4"}, 0)
		send(t, sent, flow)
		u, _ := url.Parse(svc.URL + flow + "/profile")
		b := newTab(t)
		b.narrow()
		for _, ck := range sent.client.Jar.Cookies(u) {
			b.run("the cookie of the browser that sent the answers", network.SetCookie(ck.Name, ck.Value).WithURL(u.String()))
		}
		walk(t, b, flow+"/profile")
		if !strings.Contains(b.text("#profile"), "Your rating") {
			t.Errorf("the profile reads:\n%s", b.describe())
		}
	})
	t.Run("administrator", func(t *testing.T) {
		b := newTab(t)
		b.narrow()
		b.signInStaff(t, svc, "admin")
		base := "/staff/surveys/" + d.ID + "/rounds/"
		walk(t, b, "/staff", base+"baseline", base+"follow-up")
		b.open(svc.URL + base + "baseline")
		var width int
		b.run("the QR code's width", chromedp.Evaluate(`document.getElementById('round_qr').naturalWidth`, &width))
		if width != 512 {
			t.Errorf("the QR code's image is %d pixels wide, want 512", width)
		}
	})
}
