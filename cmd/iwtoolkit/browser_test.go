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
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// axeSource is axe-core, injected into pages under test (see testdata/axe).
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// stepTimeout bounds each step in the browser: starting it, loading one
// page (so that a click that leads nowhere fails with the page it was made
// on), one click, one axe run. It is a bound on a step that hangs, far
// above what a step takes (tens of milliseconds on a quiet machine, a few
// seconds on a busy one), not a speed: a test has no time limit of its
// own, and its work is split into subtests, each in its own browser, so
// that one page's failure does not fail the rest.
const stepTimeout = 90 * time.Second

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

// newTab starts headless Chromium in a fresh profile. Each step in it must
// finish within stepTimeout; the browser stops at the end of the test. A
// test that opens tabs calls testenv.Chromium first, so that without a
// browser it skips as a whole.
func newTab(t *testing.T) *tab {
	t.Helper()
	path := testenv.Chromium(t)
	// Now and then Chromium exits as it starts ("chrome failed to start"),
	// or has not started within stepTimeout, on a busy machine (starts of
	// over 20 s have been seen): a fresh one is started, at most three
	// times.
	for try := 1; ; try++ {
		b, err := startTab(t, path)
		if err == nil {
			return b
		}
		if msg := err.Error(); try == 3 || !strings.Contains(msg, "chrome failed to start") && !strings.Contains(msg, "not started within") {
			t.Fatalf("starting %s: %v", path, err)
		}
		t.Logf("starting %s (try %d): %v; starting another", path, try, err)
	}
}

// startTab is one try at starting the browser.
func startTab(t *testing.T, path string) (*tab, error) {
	profile := t.TempDir()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
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
		// Chromium says where to reach it once it has started, which on a
		// busy machine takes far longer than chromedp's 20 seconds.
		chromedp.WSURLReadTimeout(3*time.Minute),
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
		if err := chromedp.Cancel(tabCtx); err != nil {
			t.Logf("closing the browser: %v", err)
		}
		cancelTab()
		cancelAlloc()
		removeProfile(t, profile)
	})
	b := &tab{t: t, ctx: tabCtx}
	chromedp.ListenTarget(tabCtx, b.listen)
	start := time.Now()
	// The first Run starts the browser, under tabCtx itself (a context
	// derived for a timeout would close the browser when it ended), so
	// the bound is kept here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Run(tabCtx, cdplog.Enable(), runtime.Enable()) }()
	select {
	case err := <-started:
		if err != nil {
			return nil, err
		}
	case <-time.After(stepTimeout):
		cancelTab()
		return nil, fmt.Errorf("not started within %v", stepTimeout)
	}
	t.Logf("browser started in %v", time.Since(start).Round(time.Millisecond))
	return b, nil
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

// run runs actions in the tab, one step (stepTimeout), failing the test
// on an error.
func (b *tab) run(what string, actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.describe())
	}
}

// visited is a page the tab arrived at: the HTTP status of its document
// and its address after any redirects.
type visited struct {
	Status int
	URL    *url.URL
}

// navigate runs actions that load a page (a navigation) and waits until
// the page has loaded.
func (b *tab) navigate(what string, actions ...chromedp.Action) visited {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v\n%s", what, err, b.describe())
	}
	return b.arrived(what, resp)
}

// arrived records a page the tab arrived at.
func (b *tab) arrived(what string, resp *network.Response) visited {
	b.t.Helper()
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
//
// A click is a mouse press and release at the element's centre, as a person
// clicks, and on a busy machine it can miss: the page's layout can change
// between finding the element's box and the press (a reflow after a
// screenshot's change of size, say), and then nothing happens. A click that
// leads to no request for a page within clickRetry is therefore made again,
// up to 3 times, saying so in the log; once a page has been asked for, the
// wait for it is stepTimeout, and a page that does not come is the
// service's fault, reported as such. (chromedp.RunResponse, used before,
// could not tell the two apart: it waited for a load that was never to come
// until its deadline.)
func (b *tab) click(sel string) visited {
	b.t.Helper()
	what := "click " + sel
	var mu sync.Mutex
	var reqID network.RequestID
	var resp *network.Response
	var failed string
	requested, loaded := make(chan struct{}, 1), make(chan struct{}, 1)
	signal := func(c chan struct{}) {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	lctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	chromedp.ListenTarget(lctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent: // the same request id through redirects
			if ev.Type == network.ResourceTypeDocument && reqID == "" {
				reqID = ev.RequestID
				signal(requested)
			}
		case *network.EventResponseReceived:
			if ev.RequestID == reqID {
				resp = ev.Response
			}
		case *network.EventLoadingFailed:
			if ev.RequestID == reqID {
				failed = ev.ErrorText
				signal(loaded)
			}
		case *cdppage.EventLoadEventFired:
			if resp != nil {
				signal(loaded)
			}
		}
	})
	for clicks := 1; ; clicks++ {
		b.run(what, chromedp.Click(sel, chromedp.ByQuery))
		select {
		case <-requested:
		case <-time.After(clickRetry):
			if clicks < 3 {
				b.t.Logf("%s: no page was asked for within %v; clicking again", what, clickRetry)
				continue
			}
			b.t.Fatalf("%s: %d clicks, and no page was asked for\n%s", what, clicks, b.describe())
		}
		break
	}
	select {
	case <-loaded:
	case <-time.After(stepTimeout):
		b.t.Fatalf("%s: the page asked for did not load within %v\n%s", what, stepTimeout, b.describe())
	}
	mu.Lock()
	defer mu.Unlock()
	if failed != "" || resp == nil {
		b.t.Fatalf("%s: the page did not load: %q\n%s", what, failed, b.describe())
	}
	return b.arrived(what, resp)
}

// clickRetry is how long a click may take to ask for a page before it is
// taken as missed: far longer than a browser takes, even a busy one.
const clickRetry = 15 * time.Second

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
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
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
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.NavigationEntries(&current, &entries)); err != nil {
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

// screenshotDir is where the browser tests save a screenshot of each kind
// of page at phone and desktop widths, for people to look at (the README
// names it). It is kept out of version control.
const screenshotDir = "../../test-artifacts/screenshots"

// screenshot saves the page in the tab at a phone's width and a desktop's.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	for _, w := range []struct {
		name          string
		width, height int64
	}{{"phone", 375, 812}, {"desktop", 1280, 900}} {
		var png []byte
		b.run("screenshot "+name, emulation.SetDeviceMetricsOverride(w.width, w.height, 1, w.name == "phone"), chromedp.FullScreenshot(&png, 80))
		if err := os.WriteFile(filepath.Join(screenshotDir, strings.NewReplacer(" ", "-", "(", "", ")", "", ",", "").Replace(name)+"-"+w.name+".jpg"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.run("back to desktop", emulation.ClearDeviceMetricsOverride())
}

// pageKinds records the kinds of page already audited, so that a flow
// audits and photographs each kind once.
type pageKinds map[string]bool

// check audits a page of a kind not seen before, and photographs it.
func (b *tab) check(seen pageKinds, kind string, v visited) {
	b.t.Helper()
	if seen == nil || seen[kind] {
		return
	}
	seen[kind] = true
	b.audit(kind, v)
	b.screenshot(kind)
}

// kindOf names the kind of a section page from its questions.
func kindOf(sec *survey.Section, d *survey.Definition) string {
	kinds := map[string]bool{}
	for _, q := range sec.Questions {
		k := q.Type
		if (k == survey.TypeGrid || k == survey.TypeScale) && d.ScaleOf(q).Faces() {
			k += "-faces"
		}
		kinds[k] = true
	}
	names := slices.Sorted(maps.Keys(kinds))
	return "section (" + strings.Join(names, ", ") + ")"
}

// answerByClicking answers a section's questions as a person does: a
// label clicked for a radio or checkbox, words typed into a box. Ratings
// are the level at index level; everyone is a frontline practitioner.
func (b *tab) answerByClicking(d *survey.Definition, sec *survey.Section, answers map[string]string, level int) {
	b.t.Helper()
	for _, q := range sec.Shown(answers) {
		switch q.Type {
		case survey.TypeGrid, survey.TypeScale:
			i := min(level, len(d.ScaleOf(q).Levels)-1)
			for _, k := range q.Keys() {
				b.clickLabel(optionID(k, i))
				answers[k] = strconv.Itoa(d.ScaleOf(q).Levels[i].Value)
			}
		case survey.TypeChoice, survey.TypeYesNo, survey.TypeMultiple:
			i := 0
			if q.Breakdown == "audience" {
				i = slices.IndexFunc(q.Options, func(o survey.Option) bool { return o.Value == "frontline" })
			}
			b.clickLabel(optionID(q.ID, i))
			answers[q.ID] = q.Options[i].Value
		case survey.TypeNumber:
			b.run("type into "+q.ID, chromedp.SendKeys("#"+q.ID, "3", chromedp.ByQuery))
		case survey.TypeText, survey.TypeLongText:
			b.run("type into "+q.ID, chromedp.SendKeys("#"+q.ID, "Things are <b>better</b> now", chromedp.ByQuery))
		}
	}
}

// completeByClicking answers a round of a survey from its start page to
// the confirmation by clicking, and returns the reference. With seen set,
// it audits and photographs each kind of page it meets.
func (b *tab) completeByClicking(base string, d *survey.Definition, round string, seen pageKinds) string {
	b.t.Helper()
	return b.completeFlowByClicking(base, "/s/"+d.ID+"/"+round, d, func(kind string, v visited) { b.check(seen, kind, v) })
}

// completeFlowByClicking answers the flow at the path flow (a round's, or
// its preview's) from its start page to the confirmation by clicking, and
// returns the reference. It gives check each page it meets, with its kind.
func (b *tab) completeFlowByClicking(base, flow string, d *survey.Definition, check func(kind string, v visited)) string {
	t := b.t
	t.Helper()
	at := func(v visited, status int, path string) visited {
		t.Helper()
		if v.Status != status || v.URL.Path != path {
			t.Fatalf("at %s with status %d, want %s with %d\n%s", v.URL, v.Status, path, status, b.describe())
		}
		return v
	}
	submit := `main form button[type=submit]`
	check("start", at(b.open(base+flow), http.StatusOK, flow))
	next := b.click(`a.govuk-button--start`)
	if d.ForYoungPeople() {
		check("privacy notice", at(next, http.StatusOK, flow+"/privacy"))
		if len(b.html(`main .app-stop a[href="`+flow+`/stop"]`)) != 1 {
			t.Errorf("%s: no way out on the privacy page", d.ID)
		}
		next = b.click(`main a.govuk-button`)
	}
	answers := map[string]string{}
	for i, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		if d.TaskList {
			check("task list", at(next, http.StatusOK, flow+"/tasks"))
			next = b.click(`a.govuk-task-list__link[href="` + flow + "/section/" + sec.ID + `"]`)
		}
		page := at(next, http.StatusOK, flow+"/section/"+sec.ID)
		var required []string
		for _, q := range sec.Shown(answers) {
			if !q.Optional {
				required = append(required, q.Keys()...)
			}
		}
		if i == 0 && len(required) > 0 {
			// Continue with nothing chosen: the page comes back with an
			// error summary linking to each required question.
			errs := at(b.click(submit), http.StatusUnprocessableEntity, flow+"/section/"+sec.ID)
			if title := b.title(); !strings.HasPrefix(title, "Error:") {
				t.Errorf("title of the page with errors is %q, want it to start with Error:", title)
			}
			links := b.html(`.govuk-error-summary a[href^="#"]`)
			if len(links) != len(required) {
				t.Errorf("error summary has %d links, want one for each of the %d required questions", len(links), len(required))
			}
			for j, id := range required {
				if j < len(links) && !strings.Contains(links[j], `href="#`+id+`"`) {
					t.Errorf("error summary link %d is %s, want it to go to #%s", j+1, links[j], id)
				}
			}
			check("section with errors", errs)
		} else {
			check(kindOf(sec, d), page)
		}
		b.answerByClicking(d, sec, answers, 2)
		next = b.click(submit)
	}
	if d.TaskList {
		check("task list", at(next, http.StatusOK, flow+"/tasks"))
		next = b.click(`main a.govuk-button[href="` + flow + `/check"]`)
	}
	at(next, http.StatusOK, flow+"/check")
	if check := b.text("main"); strings.Contains(check, "Not answered") {
		t.Errorf("check answers shows unanswered questions:\n%s", check)
	}
	check("check answers", next)
	done := at(b.click(submit), http.StatusOK, flow+"/done")
	check("confirmation", done)
	ref := b.text(".govuk-panel__body strong")
	if !regexp.MustCompile(`^[0-9A-Z]{5}-[0-9A-Z]{5}$`).MatchString(ref) || done.URL.Query().Get("ref") != ref {
		t.Errorf("confirmation at %s shows reference %q, want XXXXX-XXXXX\n%s", done.URL, ref, b.describe())
	}
	return ref
}

// surveysToClick are the surveys the browser tests complete by clicking:
// the self-assessment and the children's consultation (when bundled).
func surveysToClick(t *testing.T) []*survey.Definition {
	var out []*survey.Definition
	for _, id := range []string{"integrated-working", "children"} {
		if d, ok := bundledCatalogue(t).Survey(id); ok {
			out = append(out, d)
		}
	}
	return out
}

// TestBrowserRespond completes the bundled self-assessment and the
// children's consultation in Chromium by clicking what a person clicks,
// once with JavaScript off and once on, and changes an answer from check
// answers. Each is a subtest in a browser of its own.
func TestBrowserRespond(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	// The service starts before the browsers so that, cleanups running
	// last first, each browser and its connections close before it stops.
	svc := start(t, sqliteEnv(t))
	for _, js := range []bool{false, true} {
		for _, d := range surveysToClick(t) {
			t.Run(fmt.Sprintf("%s with JavaScript %v", d.ID, js), func(t *testing.T) {
				b := newTab(t)
				b.run("JavaScript on or off", emulation.SetScriptExecutionDisabled(!js))
				began := time.Now()
				ref := b.completeByClicking(svc.URL, d, "baseline", nil)
				t.Logf("reference %s, in %v", ref, time.Since(began).Round(time.Millisecond))
				if !js && len(b.html("body.js-enabled")) > 0 {
					t.Error("the page's script ran with JavaScript off")
				}
				for _, l := range b.take() {
					t.Errorf("browser reported: %s", l)
				}
			})
		}
	}

	t.Run("change an answer from check answers", func(t *testing.T) {
		b := newTab(t)
		d := bundled(t)
		flow := "/s/" + d.ID + "/follow-up"
		b.run("JavaScript off", emulation.SetScriptExecutionDisabled(true))
		answers := map[string]string{}
		b.open(svc.URL + flow)
		for _, sec := range d.Sections {
			if !sec.ShowIf.Holds(answers) {
				continue
			}
			b.open(svc.URL + flow + "/section/" + sec.ID)
			b.answerByClicking(d, sec, answers, 2)
			b.click(`main form button[type=submit]`)
		}
		b.open(svc.URL + flow + "/check")
		sec := rated(d)[1]
		items, scaleName := sec.Rated()
		st, scale := items[0], d.Scales[scaleName]
		if check := b.text("main"); !strings.Contains(check, st.Text+" "+scale.AnswerLabel("en", "3")+" Change") {
			t.Errorf("check answers does not show %q answered %q:\n%s", st.Text, scale.AnswerLabel("en", "3"), check)
		}
		change := b.click(`a[href="` + flow + "/section/" + sec.ID + "?return=check#" + st.ID + `"]`)
		if change.URL.Path != flow+"/section/"+sec.ID || change.URL.Query().Get("return") != "check" {
			t.Errorf("the Change link led to %s", change.URL)
		}
		b.clickLabel(optionID(st.ID, 4))
		if back := b.click(`main form button[type=submit]`); back.URL.Path != flow+"/check" {
			t.Errorf("after changing an answer from check answers, Continue led to %s, want %s/check", back.URL, flow)
		}
		if check := b.text("main"); !strings.Contains(check, st.Text+" "+scale.AnswerLabel("en", "5")+" Change") {
			t.Errorf("after the change, check answers does not show %q answered %q:\n%s", st.Text, scale.AnswerLabel("en", "5"), check)
		}
	})
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
// The pages are in subtests, each in a browser of its own, so that one
// page that fails (or a step that hangs on a busy machine) does not keep
// the others from being checked. Each kind of page is audited once, by
// the first subtest that reaches it.
func TestBrowserAccessibility(t *testing.T) {
	testenv.Chromium(t)
	t.Parallel()
	d := bundled(t)
	// The services start before the browsers so that, cleanups running
	// last first, each browser and its connections close before they stop.
	svc := start(t, sqliteEnv(t))
	// The bundled survey has no closed round; the test survey "mini" does.
	other := start(t, withTestTimeouts(env{"IWT_LISTEN": "127.0.0.1:0", "IWT_DATA_DIR": t.TempDir(), "IWT_SURVEYS_DIR": "../../internal/survey/testdata/valid"}))
	// Enough responses in both rounds for the report to show figures and
	// charts.
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
		respond(t, svc.URL, d, "follow-up", followUp[i], i)
	}
	seen := pageKinds{}
	// page is a subtest with a browser of its own.
	page := func(name string, fn func(t *testing.T, b *tab, want func(visited, int, string) visited)) {
		t.Run(name, func(t *testing.T) {
			b := newTab(t)
			want := func(v visited, status int, path string) visited {
				t.Helper()
				if v.Status != status || v.URL.Path != path {
					t.Fatalf("at %s with status %d, want %s with %d\n%s", v.URL, v.Status, path, status, b.describe())
				}
				return v
			}
			began := time.Now()
			fn(t, b, want)
			t.Logf("pages checked in %v", time.Since(began).Round(time.Millisecond))
		})
	}

	page("home", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		b.check(seen, "home", want(b.open(svc.URL+"/"), http.StatusOK, "/"))
	})
	for _, d := range surveysToClick(t) {
		page(d.ID, func(t *testing.T, b *tab, want func(visited, int, string) visited) {
			b.completeByClicking(svc.URL, d, "baseline", seen)
		})
	}
	for _, id := range []string{"young-people", "parents-carers", "training-needs", "organisation-self-assessment"} {
		o, ok := bundledCatalogue(t).Survey(id)
		if !ok {
			continue
		}
		page(id, func(t *testing.T, b *tab, want func(visited, int, string) visited) {
			if !o.InvitationOnly {
				b.completeByClicking(svc.URL, o, "baseline", seen)
				return
			}
			path := "/s/" + o.ID + "/baseline"
			b.check(seen, "start without the invitation it needs", want(b.open(svc.URL+path), http.StatusOK, path))
		})
	}
	// Save and come back later, and the page to type the code into.
	if d.TaskList {
		page("save and come back later", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
			flow := "/s/" + d.ID + "/follow-up"
			b.open(svc.URL + flow + "/section/" + d.Sections[0].ID)
			b.answerByClicking(d, d.Sections[0], map[string]string{}, 0)
			saved := want(b.click(`main form button[value=later]`), http.StatusOK, flow+"/saved")
			b.check(seen, "saved for later", saved)
			code := b.text(".govuk-panel__body strong")
			resume := want(b.open(svc.URL+flow+"/resume"), http.StatusOK, flow+"/resume")
			b.check(seen, "resume", resume)
			b.run("type the code", chromedp.SendKeys("#resume_code", strings.ToLower(code), chromedp.ByQuery))
			want(b.click(`main form button[type=submit]`), http.StatusOK, flow+"/tasks")
			if got := b.text(".govuk-task-list"); !strings.Contains(got, "Completed") {
				t.Errorf("after resuming, the task list shows no completed part: %s", got)
			}
		})
	}
	page("stop and languages", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		if kids, ok := bundledCatalogue(t).Survey("children"); ok {
			b.check(seen, "stop", want(b.open(svc.URL+"/s/"+kids.ID+"/baseline/stop"), http.StatusOK, "/s/"+kids.ID+"/baseline/stop"))
		}
		if yp, ok := bundledCatalogue(t).Survey("young-people"); ok && len(yp.Languages) > 1 {
			b.check(seen, "start in Polish", want(b.open(svc.URL+"/s/"+yp.ID+"/baseline?lang=pl"), http.StatusOK, "/s/"+yp.ID+"/baseline"))
			if lang := b.html(`html[lang="pl"]`); len(lang) != 1 {
				t.Error("the Polish start page does not say lang=pl")
			}
		}
	})

	page("pages the law expects", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		for _, path := range []string{"/accessibility", "/privacy", "/cookies"} {
			b.check(seen, path, want(b.open(svc.URL+path), http.StatusOK, path))
		}
	})

	page("staff pages", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		b.audit("sign in", want(b.open(svc.URL+"/staff/sign-in"), http.StatusOK, "/staff/sign-in"))
		b.audit("staff dashboard", want(b.signInStaff(t, svc, "admin"), http.StatusOK, "/staff"))
		b.audit("users", want(b.open(svc.URL+"/staff/users"), http.StatusOK, "/staff/users"))
		b.audit("add a user", want(b.open(svc.URL+"/staff/users/new"), http.StatusOK, "/staff/users/new"))
		b.audit("audit log", want(b.open(svc.URL+"/staff/audit"), http.StatusOK, "/staff/audit"))
		b.audit("contact lists", want(b.open(svc.URL+"/staff/contacts?survey="+d.ID), http.StatusOK, "/staff/contacts"))
	})
	page("report", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		want(b.signInStaff(t, svc, "admin"), http.StatusOK, "/staff")
		rep := want(b.open(svc.URL+"/r/"+d.ID), http.StatusOK, "/r/"+d.ID)
		if got := b.text("table#responses"); strings.Contains(got, "fewer than") {
			t.Errorf("report with at least 5 responses in each round: responses table says %q", got)
		}
		// The charts are drawn by a deferred script after the load event
		// at the latest; wait until each has its SVG.
		var charts struct{ Total, Drawn int }
		b.run("wait for the charts", chromedp.Poll(`(() => {
			const els = [...document.querySelectorAll('[data-echarts-option]')];
			const drawn = els.filter(el => el.querySelector('svg')).length;
			return els.length > 0 && drawn === els.length ? {Total: els.length, Drawn: drawn} : null;
		})()`, &charts, chromedp.WithPollingTimeout(stepTimeout)))
		if charts.Total < 2 {
			t.Errorf("report has %d charts drawn of %d, want both the bar and radar charts", charts.Drawn, charts.Total)
		}
		b.check(seen, "report", rep)
	})
	page("report views", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		want(b.signInStaff(t, svc, "admin"), http.StatusOK, "/staff")
		for _, v := range linkedViews(t, staffBrowser(t, svc, "analyst", ""), d.ID) {
			b.check(seen, "report view "+v, want(b.open(svc.URL+"/r/"+d.ID+"/views/"+v), http.StatusOK, "/r/"+d.ID+"/views/"+v))
		}
		b.check(seen, "comments", want(b.open(svc.URL+"/r/"+d.ID+"/comments"), http.StatusOK, "/r/"+d.ID+"/comments"))
	})
	page("board pack", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		want(b.signInStaff(t, svc, "admin"), http.StatusOK, "/staff")
		packPath := "/r/" + d.ID + "/pack"
		b.check(seen, "board pack", want(b.open(svc.URL+packPath), http.StatusOK, packPath))
		b.check(seen, "board pack commentary", want(b.open(svc.URL+packPath+"/commentary/follow-up/"+rated(d)[0].ID), http.StatusOK, packPath+"/commentary/follow-up/"+rated(d)[0].ID))
		b.check(seen, "board pack action", want(b.open(svc.URL+packPath+"/actions/new?round=follow-up"), http.StatusOK, packPath+"/actions/new"))
		b.check(seen, "board pack target", want(b.open(svc.URL+packPath+"/targets/follow-up/"+rated(d)[0].ID), http.StatusOK, packPath+"/targets/follow-up/"+rated(d)[0].ID))
		b.check(seen, "board pack target on a question", want(b.open(svc.URL+packPath+"/targets/follow-up/question/sector"), http.StatusOK, packPath+"/targets/follow-up/question/sector"))
	})
	page("error pages", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		b.check(seen, "not found", want(b.open(svc.URL+"/no-such-page"), http.StatusNotFound, "/no-such-page"))
		b.check(seen, "closed round", want(b.open(other.URL+"/s/mini/follow-up"), http.StatusGone, "/s/mini/follow-up"))
	})

	// The checks themselves find faults: plant an image with no text
	// alternative, a text box with no label and an inline style, which the
	// Content-Security-Policy refuses.
	page("planted faults", func(t *testing.T, b *tab, want func(visited, int, string) visited) {
		want(b.open(svc.URL+"/no-such-page"), http.StatusNotFound, "/no-such-page")
		b.take() // the 404's own log line
		b.run("plant faults", chromedp.Evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend',
			'<img src="data:,"><input type="text" id="planted"><p style="color: red">planted</p>')`, nil))
		found := map[string]bool{}
		for _, v := range b.axe("planted faults").Violations {
			found[v.ID] = true
		}
		if !found["image-alt"] || !found["label"] {
			t.Errorf("axe did not find the planted faults: found %v, want image-alt and label", found)
		}
		// The browser reports the refused style in its log, soon after;
		// stepTimeout bounds the wait.
		csp := false
		deadline := time.Now().Add(stepTimeout)
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
	})
}

// linkedViews are the report views the report page links to: every view
// the reports have, so that a view added is walked without a list here.
func linkedViews(t *testing.T, b *browser, surveyID string) []string {
	t.Helper()
	page := b.get("/r/"+surveyID).must(t, http.StatusOK)
	var views []string
	for _, m := range regexp.MustCompile(`href="/r/`+regexp.QuoteMeta(surveyID)+`/views/([a-z-]+)`).FindAllStringSubmatch(page.Body, -1) {
		views = append(views, m[1])
	}
	if len(views) < 9 {
		t.Fatalf("the report links to %d views: %v", len(views), views)
	}
	return views
}
