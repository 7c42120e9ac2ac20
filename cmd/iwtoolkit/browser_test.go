package main

// Tests in a real browser: headless Chromium driven through the DevTools
// protocol (chromedp). One test completes the self-assessment with
// JavaScript off, as a person would, clicking labels and buttons; the other
// runs axe-core on every kind of page with JavaScript on and fails on any
// WCAG 2.2 AA fault, Content-Security-Policy violation, console error or
// uncaught exception.
//
// Without Chromium the tests are skipped, unless IWT_BROWSER_TESTS=required
// (as in CI), when they fail.

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/survey"
)

// axeSource is axe-core, injected into pages under test (see testdata/axe).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// browserTimeout bounds everything one test does in the browser.
const browserTimeout = 60 * time.Second

// navigateTimeout bounds the wait for one page to load, so that a click
// that leads nowhere fails with the page it was made on.
const navigateTimeout = 15 * time.Second

// chromiumPath is the Chromium to run, or "" when there is none.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// consoleLine is something the browser reported: a log entry, a console
// call or an uncaught exception.
type consoleLine struct {
	Source, Level, Text, URL string
}

func (l consoleLine) String() string {
	s := fmt.Sprintf("[%s %s] %s", l.Source, l.Level, l.Text)
	if l.URL != "" {
		s += " (" + l.URL + ")"
	}
	return s
}

// tab is one page of a headless Chromium started for one test.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	lines    []consoleLine   // since the last call of take
	expected map[string]bool // documents loaded with an error status on purpose
}

// newTab starts headless Chromium in a fresh profile. Every action of the
// test in it must finish within browserTimeout; the browser stops at the
// end of the test.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		const msg = "chromium not installed: apt-get install chromium (required when IWT_BROWSER_TESTS=required)"
		if os.Getenv("IWT_BROWSER_TESTS") == "required" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	profile := t.TempDir()
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(format string, args ...any) {
		// Events this cdproto version does not know are not the page's
		// fault; keep them in the verbose log only.
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "unmarshal event") {
			t.Logf("chromedp: %s", msg)
		}
	}))
	// Cleanups run last first: this one, which closes the browser, runs
	// before the profile folder is removed.
	t.Cleanup(func() {
		if err := chromedp.Cancel(tabCtx); err != nil && ctx.Err() == nil {
			t.Logf("closing the browser: %v", err)
		}
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		removeProfile(t, profile)
	})
	b := &tab{t: t, ctx: tabCtx}
	chromedp.ListenTarget(tabCtx, b.listen)
	start := time.Now()
	if err := chromedp.Run(tabCtx, cdplog.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	t.Logf("browser started in %v", time.Since(start).Round(time.Millisecond))
	return b
}

// removeProfile removes the browser's profile folder, trying again for a
// little while: Chromium's helper processes may still write to it for a
// moment after the browser has exited.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("removing the browser profile: %v", err)
}

func (b *tab) listen(ev any) {
	var l consoleLine
	switch ev := ev.(type) {
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e.Level != cdplog.LevelError && e.Source != cdplog.SourceSecurity {
			return
		}
		l = consoleLine{Source: e.Source.String(), Level: e.Level.String(), Text: e.Text, URL: e.URL}
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.APITypeError && ev.Type != runtime.APITypeAssert {
			return
		}
		var args []string
		for _, a := range ev.Args {
			if a.Value != nil {
				args = append(args, string(a.Value))
			} else {
				args = append(args, a.Description)
			}
		}
		l = consoleLine{Source: "console", Level: ev.Type.String(), Text: strings.Join(args, " ")}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		l = consoleLine{Source: "exception", Level: "error", Text: text, URL: fmt.Sprintf("%s:%d:%d", d.URL, d.LineNumber+1, d.ColumnNumber+1)}
	default:
		return
	}
	b.mu.Lock()
	b.lines = append(b.lines, l)
	b.mu.Unlock()
}

// take returns what the browser reported since the last call, leaving out
// the failed load of a document the test asked for with an error status
// (a 404 page, a form sent back with errors), which Chromium logs as an
// error.
func (b *tab) take() []consoleLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []consoleLine
	for _, l := range b.lines {
		if l.Source == "network" && b.expected[l.URL] {
			continue
		}
		out = append(out, l)
	}
	b.lines = nil
	return out
}

// run runs actions in the tab, failing the test on an error.
func (b *tab) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// visited is a page the tab arrived at: the HTTP status of its document
// and its address after any redirects.
type visited struct {
	Status int
	URL    *url.URL
}

// navigate runs actions that load a page (a navigation, a click on a link
// or a submit button) and waits until the page has loaded.
func (b *tab) navigate(what string, actions ...chromedp.Action) visited {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, navigateTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.describe())
	}
	u, err := url.Parse(resp.URL)
	if err != nil {
		b.t.Fatalf("%s: address %q: %v", what, resp.URL, err)
	}
	if resp.Status >= 400 {
		b.mu.Lock()
		if b.expected == nil {
			b.expected = map[string]bool{}
		}
		b.expected[resp.URL] = true
		b.mu.Unlock()
	}
	return visited{Status: int(resp.Status), URL: u}
}

func (b *tab) open(address string) visited {
	b.t.Helper()
	return b.navigate("open "+address, chromedp.Navigate(address))
}

// click clicks the first element matching a CSS selector and waits for the
// page it leads to.
func (b *tab) click(sel string) visited {
	b.t.Helper()
	return b.navigate("click "+sel, chromedp.Click(sel, chromedp.ByQuery))
}

// clickLabel chooses a radio by clicking its label, as a person does (the
// GOV.UK radio input itself is drawn by its label).
func (b *tab) clickLabel(inputID string) {
	b.t.Helper()
	b.run("click the label of "+inputID, chromedp.Click(`label[for="`+inputID+`"]`, chromedp.ByQuery))
}

// query is the outer HTML of every element matching sel, without waiting
// for any to appear and without running script in the page.
func (b *tab) query(sel string) ([]string, error) {
	var out []string
	err := chromedp.Run(b.ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var nodes []*cdp.Node
		if err := chromedp.Nodes(sel, &nodes, chromedp.ByQueryAll, chromedp.AtLeast(0)).Do(ctx); err != nil {
			return err
		}
		for _, n := range nodes {
			h, err := dom.GetOuterHTML().WithNodeID(n.NodeID).Do(ctx)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return nil
	}))
	return out, err
}

func (b *tab) html(sel string) []string {
	b.t.Helper()
	h, err := b.query(sel)
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return h
}

// text is what the first element matching sel says, in single spaces; ""
// when there is none.
func (b *tab) text(sel string) string {
	b.t.Helper()
	if h := b.html(sel); len(h) > 0 {
		return text(h[0])
	}
	return ""
}

// location is the tab's current address.
func (b *tab) location() (string, error) {
	var current int64
	var entries []*cdppage.NavigationEntry
	if err := chromedp.Run(b.ctx, chromedp.NavigationEntries(&current, &entries)); err != nil {
		return "", err
	}
	if current < 0 || int(current) >= len(entries) {
		return "", fmt.Errorf("no current history entry")
	}
	return entries[current].URL, nil
}

// describe says where the tab is and what the page says, for a failure.
func (b *tab) describe() string {
	u, err := b.location()
	if err != nil {
		return fmt.Sprintf("(cannot read the page: %v)", err)
	}
	h, err := b.query("main")
	if err != nil || len(h) == 0 {
		return fmt.Sprintf("at %s (cannot read the page: %v)", u, err)
	}
	return fmt.Sprintf("at %s:\n%s", u, text(h[0]))
}

// title is the page's title.
func (b *tab) title() string {
	b.t.Helper()
	return b.text("head > title")
}

// optionID is the id of a radio: the first option's is the question's own.
func optionID(question string, i int) string {
	if i == 0 {
		return question
	}
	return fmt.Sprintf("%s_%d", question, i+1)
}

// TestBrowserRespondWithoutJavaScript completes the bundled self-assessment
// in Chromium with JavaScript off, by clicking what a person clicks.
func TestBrowserRespondWithoutJavaScript(t *testing.T) {
	d := bundled(t)
	// The services start before the browser so that, cleanups running last
	// first, the browser and its connections close before the services stop.
	svc := start(t, sqliteEnv(t))
	b := newTab(t)
	began := time.Now()
	b.run("turn JavaScript off", emulation.SetScriptExecutionDisabled(true))

	flow := "/s/" + d.ID + "/baseline"
	at := func(v visited, status int, path string) {
		t.Helper()
		if v.Status != status || v.URL.Path != path {
			t.Fatalf("at %s with status %d, want %s with %d\n%s", v.URL, v.Status, path, status, b.describe())
		}
	}

	at(b.open(svc.URL+"/"), http.StatusOK, "/")
	if len(b.html("body.js-enabled")) > 0 {
		t.Fatal("the page's script ran with JavaScript off")
	}
	at(b.click(`a[href="`+flow+`"]`), http.StatusOK, flow)
	at(b.click(`a.govuk-button--start`), http.StatusOK, flow+"/profile")

	for i, q := range d.Profile {
		b.clickLabel(optionID(q.ID, i%len(q.Options)))
	}
	first := d.Sections[0]
	at(b.click(`main form button[type=submit]`), http.StatusOK, flow+"/section/"+first.ID)

	// Continue with nothing chosen: the page comes back with an error
	// summary linking to each question.
	at(b.click(`main form button[type=submit]`), http.StatusUnprocessableEntity, flow+"/section/"+first.ID)
	if title := b.title(); !strings.HasPrefix(title, "Error:") {
		t.Errorf("title of the page with errors is %q, want it to start with Error:", title)
	}
	links := b.html(`.govuk-error-summary a[href^="#"]`)
	if len(links) != len(first.Statements) {
		t.Errorf("error summary has %d links, want one for each of the %d statements", len(links), len(first.Statements))
	}
	for i, st := range first.Statements {
		if i < len(links) && !strings.Contains(links[i], `href="#`+st.ID+`"`) {
			t.Errorf("error summary link %d is %s, want it to go to #%s", i+1, links[i], st.ID)
		}
	}

	// Every statement at level 3, the third option.
	for i, sec := range d.Sections {
		for _, st := range sec.Statements {
			b.clickLabel(optionID(st.ID, 2))
		}
		next := flow + "/check"
		if i+1 < len(d.Sections) {
			next = flow + "/section/" + d.Sections[i+1].ID
		}
		at(b.click(`main form button[type=submit]`), http.StatusOK, next)
	}

	check := b.text("main")
	if strings.Contains(check, "Not answered") {
		t.Errorf("check answers shows unanswered questions:\n%s", check)
	}

	// Change one answer from check answers, and come back to it.
	sec := d.Sections[1]
	st := sec.Statements[0]
	scale := d.ScaleOf(sec)
	if !strings.Contains(check, st.Text+" "+scale.AnswerLabel("3")+" Change") {
		t.Errorf("check answers does not show %q answered %q:\n%s", st.Text, scale.AnswerLabel("3"), check)
	}
	change := b.click(`a[href="` + flow + "/section/" + sec.ID + "?return=check#" + st.ID + `"]`)
	at(change, http.StatusOK, flow+"/section/"+sec.ID)
	if change.URL.Query().Get("return") != "check" {
		t.Errorf("the Change link led to %s, without ?return=check", change.URL)
	}
	b.clickLabel(optionID(st.ID, 4))
	if back := b.click(`main form button[type=submit]`); back.URL.Path != flow+"/check" {
		t.Errorf("after changing an answer from check answers, Continue led to %s, want %s/check (does the form's action keep ?return=check?)", back.URL, flow)
		at(b.open(svc.URL+flow+"/check"), http.StatusOK, flow+"/check")
	}
	if check := b.text("main"); !strings.Contains(check, st.Text+" "+scale.AnswerLabel("5")+" Change") {
		t.Errorf("after the change, check answers does not show %q answered %q:\n%s", st.Text, scale.AnswerLabel("5"), check)
	}

	done := b.click(`main form button[type=submit]`)
	at(done, http.StatusOK, flow+"/done")
	ref := b.text(".govuk-panel__body strong")
	if !regexp.MustCompile(`^[0-9A-Z]{5}-[0-9A-Z]{5}$`).MatchString(ref) {
		t.Errorf("confirmation reference %q, want XXXXX-XXXXX\n%s", ref, b.describe())
	}
	if done.URL.Query().Get("ref") != ref {
		t.Errorf("confirmation at %s shows reference %q", done.URL, ref)
	}

	// One response is fewer than the smallest group a report shows.
	b.run("turn JavaScript on", emulation.SetScriptExecutionDisabled(false))
	at(b.signInStaff(t, svc, "analyst"), http.StatusOK, "/staff")
	at(b.open(svc.URL+"/r/"+d.ID), http.StatusOK, "/r/"+d.ID)
	if got := b.text("table#responses"); !strings.Contains(got, "Baseline, autumn 2026 fewer than 5") {
		t.Errorf("with one baseline response the responses table says %q", got)
	}
	for _, l := range b.take() {
		t.Errorf("browser reported: %s", l)
	}
	t.Logf("flow completed in %v", time.Since(began).Round(time.Millisecond))
}

// axeViolation is what the test keeps of an axe-core violation.
type axeViolation struct {
	ID, Impact, Help, HelpURL string
	Nodes                     int
	Target, HTML              string // of the first node
}

const axeRun = `(async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
  const kept = vs => vs.map(v => ({
    ID: v.id, Impact: v.impact || '', Help: v.help, HelpURL: v.helpUrl, Nodes: v.nodes.length,
    Target: v.nodes.length ? JSON.stringify(v.nodes[0].target) : '',
    HTML: v.nodes.length ? v.nodes[0].html : '',
  }));
  return {Version: axe.version, Passes: r.passes.length, Violations: kept(r.violations), Incomplete: kept(r.incomplete)};
})()`

// axeResults is what axeRun returns.
type axeResults struct {
	Version                string
	Passes                 int // rules that found nothing wrong
	Violations, Incomplete []axeViolation
}

// axe runs axe-core on the page in the tab, injecting it first.
func (b *tab) axe(name string) axeResults {
	b.t.Helper()
	var loaded bool
	b.run(name+": load axe", chromedp.Evaluate(`typeof axe !== 'undefined'`, &loaded))
	if !loaded {
		b.run(name+": load axe", chromedp.Evaluate(axeSource, nil))
	}
	var r axeResults
	b.run(name+": run axe", chromedp.Evaluate(axeRun, &r, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	return r
}

// audit runs axe-core on the page in the tab and fails the test for each
// WCAG A or AA violation, and for anything the browser reported since the
// last audit: CSP violations, console errors, uncaught exceptions.
func (b *tab) audit(name string, page visited) {
	b.t.Helper()
	r := b.axe(name)
	if r.Passes == 0 {
		b.t.Errorf("%s (%s): axe %s checked nothing", name, page.URL.Path, r.Version)
	}
	for _, v := range r.Violations {
		b.t.Errorf("%s (%s): axe %s (%s): %s\n\t%d element(s), first %s: %s\n\t%s", name, page.URL.Path, v.ID, v.Impact, v.Help, v.Nodes, v.Target, v.HTML, v.HelpURL)
	}
	// What axe could not decide (often colour contrast over a picture)
	// is for a person to look at, not a failure.
	for _, v := range r.Incomplete {
		b.t.Logf("%s (%s): axe needs review: %s: %s; %d element(s), first %s", name, page.URL.Path, v.ID, v.Help, v.Nodes, v.Target)
	}
	b.t.Logf("%s (%s): axe %s: %d rules passed, %d violated, %d to review", name, page.URL.Path, r.Version, r.Passes, len(r.Violations), len(r.Incomplete))
	for _, l := range b.take() {
		b.t.Errorf("%s (%s): browser reported: %s", name, page.URL.Path, l)
	}
}

// TestBrowserAccessibility checks every kind of page with axe-core in
// Chromium, with JavaScript on, and that the report's charts are drawn.
func TestBrowserAccessibility(t *testing.T) {
	d := bundled(t)
	// The services start before the browser so that, cleanups running last
	// first, the browser and its connections close before the services stop.
	svc := start(t, sqliteEnv(t))
	// The bundled survey has no closed round; the test survey "mini" does.
	other := start(t, env{"IWT_LISTEN": "127.0.0.1:0", "IWT_DATA_DIR": t.TempDir(), "IWT_SURVEYS_DIR": "../../internal/survey/testdata/valid"})
	b := newTab(t)
	// Enough responses in both rounds for the report to show figures and
	// charts.
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
		respond(t, svc.URL, d, "follow-up", followUp[i], i)
	}
	began := time.Now()
	want := func(v visited, status int, path string) visited {
		t.Helper()
		if v.Status != status || v.URL.Path != path {
			t.Fatalf("at %s with status %d, want %s with %d\n%s", v.URL, v.Status, path, status, b.describe())
		}
		return v
	}
	submit := `main form button[type=submit]`
	flow := "/s/" + d.ID + "/baseline"

	b.audit("home", want(b.open(svc.URL+"/"), http.StatusOK, "/"))
	b.audit("start", want(b.click(`a[href="`+flow+`"]`), http.StatusOK, flow))
	b.audit("profile", want(b.click(`a.govuk-button--start`), http.StatusOK, flow+"/profile"))
	for _, q := range d.Profile {
		b.clickLabel(optionID(q.ID, 0))
	}
	first := flow + "/section/" + d.Sections[0].ID
	b.audit("strand", want(b.click(submit), http.StatusOK, first))
	b.audit("strand with errors", want(b.click(submit), http.StatusUnprocessableEntity, first))
	if n := len(b.html(".govuk-error-summary")); n != 1 {
		t.Errorf("%d error summaries after an empty Continue, want 1", n)
	}
	// The answers themselves were clicked in the test without JavaScript;
	// here the radios are set by script to keep the test short.
	var next visited
	for _, sec := range d.Sections {
		b.run("answer "+sec.ID, chromedp.Evaluate(`document.querySelectorAll('.govuk-radios__input[value="`+survey.DontKnow+`"]').forEach(i => { i.checked = true })`, nil))
		next = b.click(submit)
	}
	b.audit("check answers", want(next, http.StatusOK, flow+"/check"))
	b.audit("confirmation", want(b.click(submit), http.StatusOK, flow+"/done"))

	b.audit("sign in", want(b.open(svc.URL+"/staff/sign-in"), http.StatusOK, "/staff/sign-in"))
	b.audit("staff dashboard", want(b.signInStaff(t, svc, "admin"), http.StatusOK, "/staff"))
	b.audit("users", want(b.open(svc.URL+"/staff/users"), http.StatusOK, "/staff/users"))
	b.audit("add a user", want(b.open(svc.URL+"/staff/users/new"), http.StatusOK, "/staff/users/new"))
	b.audit("audit log", want(b.open(svc.URL+"/staff/audit"), http.StatusOK, "/staff/audit"))
	rep := want(b.open(svc.URL+"/r/"+d.ID), http.StatusOK, "/r/"+d.ID)
	if got := b.text("table#responses"); strings.Contains(got, "fewer than") {
		t.Errorf("report with at least 5 responses in each round: responses table says %q", got)
	}
	// The charts are drawn by a deferred script after the load event at the
	// latest; wait until each has its SVG.
	var charts struct{ Total, Drawn int }
	b.run("wait for the charts", chromedp.Poll(`(() => {
		const els = [...document.querySelectorAll('[data-echarts-option]')];
		const drawn = els.filter(el => el.querySelector('svg')).length;
		return els.length > 0 && drawn === els.length ? {Total: els.length, Drawn: drawn} : null;
	})()`, &charts, chromedp.WithPollingTimeout(10*time.Second)))
	if charts.Total < 2 {
		t.Errorf("report has %d charts drawn of %d, want both the bar and radar charts", charts.Drawn, charts.Total)
	}
	b.audit("report", rep)

	b.audit("not found", want(b.open(svc.URL+"/no-such-page"), http.StatusNotFound, "/no-such-page"))

	b.audit("closed round", want(b.open(other.URL+"/s/mini/follow-up"), http.StatusGone, "/s/mini/follow-up"))

	// The checks themselves find faults: plant an image with no text
	// alternative, a text box with no label and an inline style, which the
	// Content-Security-Policy refuses.
	b.run("plant faults", chromedp.Evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend',
		'<img src="data:,"><input type="text" id="planted"><p style="color: red">planted</p>')`, nil))
	found := map[string]bool{}
	for _, v := range b.axe("planted faults").Violations {
		found[v.ID] = true
	}
	if !found["image-alt"] || !found["label"] {
		t.Errorf("axe did not find the planted faults: found %v, want image-alt and label", found)
	}
	csp := false
	deadline := time.Now().Add(2 * time.Second)
	for !csp && time.Now().Before(deadline) {
		for _, l := range b.take() {
			t.Logf("planted: %s", l)
			csp = csp || strings.Contains(l.Text, "Content Security Policy")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !csp {
		t.Error("the browser log did not report the planted inline style as a CSP violation")
	}

	t.Logf("pages checked in %v", time.Since(began).Round(time.Millisecond))
}
