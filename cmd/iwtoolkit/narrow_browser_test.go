package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/testenv"
)

// narrowWidth is a small phone's width in CSS pixels (an iPhone SE or
// mini), the narrowest the staff pages are made for.
const narrowWidth = 375

// TestBrowserNarrowStaffPages opens every staff page in Chromium at 375
// pixels wide, with JavaScript on (so the report's charts are drawn), and
// fails for each page wider than the window: a page that scrolls sideways
// as a whole, instead of its wide tables scrolling inside their own
// container. Pages are reached as an administrator, who may see all of
// them, and the co-ordinator's dashboard as a co-ordinator.
func TestBrowserNarrowStaffPages(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	d := bundled(t)
	smtp := testenv.StartSMTP(t)
	svc := start(t, withMail(sqliteEnv(t), smtp))
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
		respond(t, svc.URL, d, "follow-up", followUp[i], i)
	}
	// A contact list with an email the mail server refuses, so that the
	// contact lists page has its table of why emails were not sent.
	smtp.Reject("refused@example.org")
	admin := staffBrowser(t, svc, "admin", "")
	uploadContacts(t, admin, url.Values{"survey": {d.ID}, "round": {"baseline"}, "organisation": {"police"}},
		"email\nsent@example.org\nrefused@example.org\n").must(t, http.StatusOK)
	for deadline := time.Now().Add(mailWait); !strings.Contains(admin.get("/staff/contacts?survey="+d.ID).Body, `id="why_baseline"`); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the refused email was not recorded as not sent")
		}
	}
	closeRound(t, admin, d, "baseline")
	closeRound(t, admin, d, "follow-up")
	strand := rated(d)[0].ID
	pack := "/r/" + d.ID + "/pack"
	pages := []string{
		"/staff",
		"/staff/audit",
		"/staff/users",
		"/staff/users/new",
		"/staff/surveys",
		"/staff/surveys/" + d.ID + "/rounds/baseline",
		"/staff/surveys/" + d.ID + "/rounds/new",
		"/staff/invitations",
		"/staff/contacts",
		"/staff/contacts?survey=" + d.ID + "&round=baseline&organisation=police", // with the table of why
		"/staff/safeguarding",
		"/staff/erasure",
		"/staff/password",
		"/staff/organisations/council-childrens-services",
		"/r/" + d.ID,
		"/r/" + d.ID + "/views/overview",
		"/r/" + d.ID + "/views/trend",
		"/r/" + d.ID + "/views/statements",
		"/r/" + d.ID + "/views/breakdown",
		"/r/" + d.ID + "/views/at-least",
		"/r/" + d.ID + "/views/changes",
		"/r/" + d.ID + "/views/cross-reference",
		"/r/" + d.ID + "/comments",
		pack,
		pack + "?a=baseline&b=follow-up",
		pack + "/commentary/follow-up/" + strand + "?a=baseline&b=follow-up",
		pack + "/actions/new?round=follow-up&a=baseline&b=follow-up",
	}

	t.Run("administrator", func(t *testing.T) {
		b := newTab(t)
		b.signInStaff(t, svc, "admin")
		b.narrow()
		for _, p := range pages {
			v := b.open(svc.URL + p)
			if v.Status != http.StatusOK {
				t.Errorf("%s: status %d\n%s", p, v.Status, b.describe())
				continue
			}
			b.fitsWindow(p)
		}
		// At a phone's width the radar's points carry no values, which
		// would run into each other there; at a desk's width they do.
		for _, tc := range []struct {
			width int
			want  bool
		}{{narrowWidth, false}, {1200, true}} {
			b.run("the window's width", emulation.SetDeviceMetricsOverride(int64(tc.width), 900, 1, false))
			b.open(svc.URL + "/r/" + d.ID)
			b.chartsDrawn("/r/" + d.ID)
			var shown []bool
			b.run("the radar's value labels", chromedp.Evaluate(`echarts.getInstanceByDom(document.querySelectorAll('[data-echarts-option]')[1]).getOption().series.map(s => s.label.show)`, &shown))
			if len(shown) < 2 || slices.Contains(shown, !tc.want) {
				t.Errorf("at %d px the radar's series show their values: %v, want %v", tc.width, shown, tc.want)
			}
		}
		// The rings are named under the radar instead.
		if got := b.text("#radar_levels"); !strings.Contains(got, "From the centre (the lowest) out, the levels are: 1 Not yet in place, 2 ") {
			t.Errorf("the radar's caption says %q", got)
		}
	})
	t.Run("co-ordinator", func(t *testing.T) {
		b := newTab(t)
		b.narrow()
		org := "council-childrens-services"
		b.signInStaffOf(t, svc, "coordinator", org)
		for _, p := range []string{"/staff", "/staff/invitations", "/staff/organisations/" + org, "/r/" + d.ID + "?organisation=" + org} {
			if v := b.open(svc.URL + p); v.Status != http.StatusOK {
				t.Errorf("%s: status %d\n%s", p, v.Status, b.describe())
				continue
			}
			b.fitsWindow(p)
		}
	})
}

// narrow makes the tab's window a phone's width. It is not emulated as a
// mobile device: a mobile browser zooms out to fit a page wider than the
// window, and its window's inner width grows to the page's, which would
// hide the fault measured.
func (b *tab) narrow() {
	b.t.Helper()
	b.run("a phone's width", emulation.SetDeviceMetricsOverride(narrowWidth, 812, 1, false))
}

// chartsDrawn waits until each chart of the page in the tab, if any, is
// drawn: a deferred script draws them.
func (b *tab) chartsDrawn(path string) {
	b.t.Helper()
	var charts int
	b.run(path+": count the charts", chromedp.Evaluate(`document.querySelectorAll('[data-echarts-option]').length`, &charts))
	if charts > 0 {
		var drawn bool
		b.run(path+": wait for the charts", chromedp.Poll(`[...document.querySelectorAll('[data-echarts-option]')].every(el => el.querySelector('svg'))`,
			&drawn, chromedp.WithPollingTimeout(stepTimeout)))
	}
}

// fitsWindow fails the test when the page in the tab is wider than the
// window, once its charts (if any) are drawn.
func (b *tab) fitsWindow(path string) {
	b.t.Helper()
	b.fitsWidth(path, narrowWidth)
}

// fitsWidth is fitsWindow in a window width pixels wide.
func (b *tab) fitsWidth(path string, width int) {
	b.t.Helper()
	b.chartsDrawn(path)
	var got struct{ Scroll, Inner int }
	b.run(path+": measure", chromedp.Evaluate(`({Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth})`, &got))
	if got.Inner != width {
		b.t.Errorf("%s: the window is %d px wide, want %d", path, got.Inner, width)
	}
	if got.Scroll > got.Inner {
		var wide []string
		b.run(path+": what is wide", chromedp.Evaluate(`[...document.querySelectorAll('body *')].filter(el => {
			const r = el.getBoundingClientRect();
			return r.right > window.innerWidth + 1 && !el.closest('.app-table-scroll');
		}).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right) + 'px')`, &wide))
		b.t.Errorf("%s is %d px wide in a window %d px wide; wide elements: %v", path, got.Scroll, got.Inner, wide)
	} else {
		b.t.Logf("%s: %d px in %d", path, got.Scroll, got.Inner)
	}
	// A picture of the page at this width, for people to look at (the
	// charts' labels, say, which no measure here checks).
	var png []byte
	b.run(path+": screenshot", chromedp.FullScreenshot(&png, 80))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	name := "narrow" + strings.NewReplacer("/", "-", "?", "-", "&", "-", "=", "-").Replace(path) + ".jpg"
	if err := os.WriteFile(filepath.Join(screenshotDir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	// And each chart alone, at the size it is drawn.
	var boxes []struct{ X, Y, W, H float64 }
	b.run(path+": where the charts are", chromedp.Evaluate(`[...document.querySelectorAll('[data-echarts-option], svg.app-pack-chart')].map(el => {
		const r = el.getBoundingClientRect();
		return {X: r.left + window.scrollX, Y: r.top + window.scrollY, W: r.width, H: r.height};
	})`, &boxes))
	for i, box := range boxes {
		b.run(path+": screenshot a chart", chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			png, err = cdppage.CaptureScreenshot().WithFormat(cdppage.CaptureScreenshotFormatPng).WithCaptureBeyondViewport(true).
				WithClip(&cdppage.Viewport{X: box.X, Y: box.Y, Width: box.W, Height: box.H, Scale: 1}).Do(ctx)
			return err
		}))
		if err := os.WriteFile(filepath.Join(screenshotDir, fmt.Sprintf("%s-chart-%d.png", strings.TrimSuffix(name, ".jpg"), i+1)), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
}
