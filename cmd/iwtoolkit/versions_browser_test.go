package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/testenv"
)

// TestBrowserSurveyVersions walks the no-code path in Chromium at a
// phone's width, with JavaScript off and on: the versions page, an upload
// with problems (every one in the error summary, linked to the file
// field), the corrected upload's draft page, and publishing with a reason.
// With JavaScript on, axe-core checks each page, and the versions, draft
// and surveys pages again at 1280 px; each page fits the phone's window.
func TestBrowserSurveyVersions(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	d := bundled(t)
	svc := start(t, sqliteEnv(t))
	admin := staffBrowser(t, svc, "admin", "")
	base := "/staff/surveys/" + d.ID + "/versions"
	live := download(t, admin, base+"/live/workbook.xlsx")
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("JavaScript %v", js), func(t *testing.T) {
			dir := t.TempDir()
			title := fmt.Sprintf("Integrated working, JavaScript %v", js)
			broken, fixed := filepath.Join(dir, "broken.xlsx"), filepath.Join(dir, "fixed.xlsx")
			os.WriteFile(broken, editWorkbook(t, live, map[string]string{"settings!A2": title, "survey!G3": "${nosuch} = 'x'"}), 0o600)
			os.WriteFile(fixed, editWorkbook(t, live, map[string]string{"settings!A2": title}), 0o600)

			b := newTab(t)
			b.run("JavaScript on or off", emulation.SetScriptExecutionDisabled(!js))
			b.signInStaff(t, svc, "admin")
			b.narrow()
			check := func(name string, v visited, status int) {
				t.Helper()
				if v.Status != status {
					t.Fatalf("%s: status %d, want %d\n%s", name, v.Status, status, b.describe())
				}
				b.fitsWindow(v.URL.Path)
				if js {
					b.audit(name, v)
				}
			}
			check("versions", b.open(svc.URL+base), http.StatusOK)
			upload := func(file string) visited {
				b.run("choose "+file, chromedp.SetUploadFiles("#file", []string{file}, chromedp.ByQuery))
				return b.click(`main form[enctype="multipart/form-data"] button[type=submit]`)
			}
			check("upload with a problem", upload(broken), http.StatusUnprocessableEntity)
			if got := b.text(".govuk-error-summary"); !strings.Contains(got, "survey sheet, row 3, column relevant") {
				t.Errorf("error summary: %s", got)
			}
			if links := b.html(`.govuk-error-summary a[href="#file"]`); len(links) == 0 {
				t.Error("the error summary does not link to the file field")
			}
			v := upload(fixed)
			check("draft", v, http.StatusOK)
			if !strings.Contains(b.text("#state"), "Draft") {
				t.Errorf("after the corrected upload: %s", b.text("main"))
			}
			b.run("type the reason", chromedp.SendKeys("#reason", "A new title", chromedp.ByQuery))
			check("published", b.click("#publish"), http.StatusOK)
			if !strings.Contains(b.text("#notice"), "is live") {
				t.Errorf("after publishing: %s", b.text("main"))
			}
			check("new survey", b.open(svc.URL+"/staff/surveys/new"), http.StatusOK)
			if js { // and at a desk's width
				b.run("a desk's width", emulation.SetDeviceMetricsOverride(1280, 900, 1, false))
				for _, path := range []string{base, v.URL.Path, "/staff/surveys"} {
					if got := b.open(svc.URL + path); got.Status != http.StatusOK {
						t.Errorf("%s at 1280 px: status %d", path, got.Status)
					} else {
						b.audit(path+" at 1280 px", got)
					}
				}
			}
		})
	}
}
