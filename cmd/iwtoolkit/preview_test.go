package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"

	"iwtoolkit/internal/testenv"
)

// TestBrowserPreview previews a closed round of the children's survey in
// Chromium at a phone's width (375 px), from the staff surveys page's
// link to the confirmation, by clicking as a person does, with JavaScript
// off and on. Every kind of page must fit the window and, with
// JavaScript on (axe is a script), pass axe. Every page carries the
// preview's banner.
func TestBrowserPreview(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	svc := start(t, sqliteEnv(t))
	kids, ok := bundledCatalogue(t).Survey("children")
	if !ok {
		t.Fatal("no children's survey bundled")
	}
	closeRound(t, staffBrowser(t, svc, "admin", ""), kids, "baseline")
	flow := "/staff/surveys/" + kids.ID + "/preview/live/baseline"
	for _, js := range []bool{false, true} {
		t.Run(fmt.Sprintf("JavaScript %v", js), func(t *testing.T) {
			b := newTab(t)
			b.run("JavaScript on or off", emulation.SetScriptExecutionDisabled(!js))
			b.signInStaff(t, svc, "admin")
			b.narrow()
			surveys := b.open(svc.URL + "/staff/surveys")
			b.fitsWindow("/staff/surveys")
			if js {
				b.audit("surveys and rounds, with their Preview links", surveys)
			}
			if v := b.click(`a[href="` + flow + `"]`); v.Status != http.StatusOK || v.URL.Path != flow {
				t.Fatalf("the Preview link led to %s (%d)", v.URL, v.Status)
			}
			seen := pageKinds{}
			check := func(kind string, v visited) {
				t.Helper()
				if banner := b.text("#preview-banner"); !strings.Contains(banner, "nothing") {
					t.Errorf("%s (%s): the preview banner says %q", kind, v.URL.Path, banner)
				}
				if !seen[kind] {
					seen[kind] = true
					b.fitsWindow(v.URL.Path)
					if js { // axe runs as a script in the page
						b.audit("preview: "+kind, v)
					}
				}
			}
			b.completeFlowByClicking(svc.URL, flow, kids, check)
			check("help", b.open(svc.URL+flow+"/stop"))
			if js { // for people to look at (the README names the folder)
				b.open(svc.URL + flow) // the start page forgets the answers sent
				b.open(svc.URL + flow + "/section/" + kids.Sections[1].ID)
				b.screenshot("preview of a section")
			}
			if !js && len(b.html("body.js-enabled")) > 0 {
				t.Error("the page's script ran with JavaScript off")
			}
			for _, l := range b.take() {
				t.Errorf("browser reported: %s", l)
			}
		})
	}
}
