package main

import (
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// TestBrowserReveal chooses, at a phone's width, the answer that reveals a
// question on the same page. With JavaScript the question shows at once
// (GOV.UK's conditional reveal) and Continue, with it answered, moves on;
// without, Continue brings the page back opening at the question, with a
// notice. Both pages pass axe.
func TestBrowserReveal(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = "../../internal/survey/testdata/valid"
	svc := start(t, e)
	c, err := survey.LoadDir(os.DirFS("../../internal/survey/testdata/valid"), "valid")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("mini")
	role, _, _ := d.Question("role")
	leader := slices.IndexFunc(role.Options, func(o survey.Option) bool { return o.Value == "leader-manager" })
	page := svc.URL + "/s/mini/baseline/section/about-you"
	hidden := func(b *tab) bool {
		var h bool
		b.run("is the question hidden", chromedp.Evaluate(`document.getElementById('reveal-team-size').hidden`, &h))
		return h
	}
	for _, js := range []bool{true, false} {
		t.Run(map[bool]string{true: "JavaScript on", false: "JavaScript off"}[js], func(t *testing.T) {
			b := newTab(t)
			b.narrow()
			b.run("JavaScript on or off", emulation.SetScriptExecutionDisabled(!js))
			b.open(page)
			if !hidden(b) {
				t.Fatal("the leaders' question is shown before the role is chosen")
			}
			b.clickLabel(optionID("sector", 0))
			b.clickLabel(optionID("role", leader))
			if !js {
				if !hidden(b) {
					t.Fatal("without JavaScript, the question showed before Continue")
				}
				v := b.click(`main form button[value=continue]`)
				if v.Status != http.StatusOK || v.URL.Query().Get("revealed") != "team-size" {
					t.Fatalf("without JavaScript, Continue led to %s (%d)", v.URL, v.Status)
				}
				if hidden(b) || !strings.Contains(b.text("#revealed"), "Your answer opened the question below.") {
					t.Errorf("the page brought back does not show the question with a notice:\n%s", b.describe())
				}
				// axe is a script: it runs on the page as loaded without one.
				b.run("JavaScript on for axe", emulation.SetScriptExecutionDisabled(false))
				b.audit("a question revealed without JavaScript", v)
				return
			}
			if hidden(b) {
				t.Fatal("with JavaScript, choosing the role did not show the question at once")
			}
			var controls string
			b.run("aria-controls", chromedp.AttributeValue("#"+optionID("role", leader), "aria-controls", &controls, nil, chromedp.ByQuery))
			if controls != "reveal-team-size" {
				t.Errorf("the revealing answer has aria-controls %q", controls)
			}
			at, _ := url.Parse(page)
			b.audit("a question revealed with JavaScript", visited{URL: at, Status: http.StatusOK})
			b.run("type the number", chromedp.SendKeys("#team-size", "12", chromedp.ByQuery))
			if v := b.click(`main form button[value=continue]`); v.URL.Path != "/s/mini/baseline/tasks" {
				t.Errorf("with the revealed question answered, Continue led to %s, want the task list\n%s", v.URL, b.describe())
			}
			// Choosing another role hides it again.
			b.open(page)
			b.clickLabel(optionID("role", (leader+1)%len(role.Options)))
			if !hidden(b) {
				t.Error("choosing another role did not hide the question again")
			}
		})
	}
}
