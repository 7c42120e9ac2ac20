package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/testenv"
)

func TestMain(m *testing.M) {
	if os.Getenv("IWT_TEST_AS_BINARY") == "1" { // the test binary as the service: see runBinary
		main()
		os.Exit(0)
	}
	// The tests that run in parallel here mostly wait: on a store that
	// stopped answering, on a browser, on the MongoDB stand-in. So more of
	// them run at once than go test's default of one per CPU, unless
	// -parallel says otherwise.
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(max(6, runtime.GOMAXPROCS(0))))
	}
	os.Exit(m.Run())
}

// env is a test's environment for run.
type env map[string]string

func (e env) getenv(k string) string { return e[k] }

// sqliteEnv is the environment of a service on the embedded store in a
// fresh folder, serving the bundled surveys, with testTimeouts.
func sqliteEnv(t *testing.T) env {
	return withTestTimeouts(env{"IWT_LISTEN": "127.0.0.1:0", "IWT_DATA_DIR": t.TempDir(), "IWT_SURVEYS_DIR": "../../surveys"})
}

// The store deadlines of services under test. A CI machine may be busy
// (other jobs, the other packages' tests, the MongoDB stand-in), and a
// page that waits longer than 5 s there is slow, not wrong: so the tests
// give the store a minute for a respondent's page and five for any other.
// Tests of what the deadlines do set their own.
const (
	testRespondentTimeout = "1m"
	testStaffTimeout      = "5m"
)

func withTestTimeouts(e env) env {
	e["IWT_RESPONDENT_TIMEOUT"], e["IWT_STAFF_TIMEOUT"] = testRespondentTimeout, testStaffTimeout
	return e
}

// mongoEnv is the same on MongoDB, in a database of the test's own: the
// server at MONGODB_URI (the stand-in in CI). Without MONGODB_URI the test
// skips, saying how to run it.
func mongoEnv(t *testing.T) env {
	srv, db := testenv.MongoDatabase(t)
	return withTestTimeouts(env{"IWT_LISTEN": "127.0.0.1:0", "MONGODB_URI": srv.URI, "IWT_DATABASE": db, "IWT_SURVEYS_DIR": "../../surveys"})
}

// service is the whole program running in the test, on a free port.
type service struct {
	URL  string
	env  env
	stop func()
	logs *listenLog // everything the service logged
}

// listenLog watches the service's JSON log for the line that says where it
// listens.
type listenLog struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
}

// String is everything logged so far.
func (l *listenLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *listenLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
			l.addr <- line.Addr
		}
	}
	return len(p), nil
}

// listenTimeout bounds a service's start, a step of its own: far above
// what it takes, since on MongoDB it creates or checks every index first,
// and the stand-in, shared by the packages' tests at once on a busy
// machine, took more than a minute in a CI run.
const listenTimeout = 5 * time.Minute

// start runs the service as main would and waits until it listens. The
// service stops at the end of the test, or when stop is called.
func start(t *testing.T, e env) *service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &listenLog{addr: make(chan string, 1)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, e.getenv, io.Discard, logs) }()
	s := service{env: e, logs: logs}
	select {
	case addr := <-logs.addr:
		s.URL = "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("service stopped before listening: %v\n%s", err, logs.buf.String())
	case <-time.After(listenTimeout):
		cancel()
		t.Fatalf("service did not listen within %v\n%s", listenTimeout, logs)
	}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("service stopped with %v", err)
			}
		})
	}
	t.Cleanup(s.stop)
	return &s
}

// browser is a respondent's browser with JavaScript off: it keeps cookies
// and follows redirects, and sends forms as url-encoded posts.
type browser struct {
	t      *testing.T
	client *http.Client
	base   string
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	// A bound on one request, past the services' testTimeouts, not a speed.
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: 2 * time.Minute}, base: base}
}

// page is a fetched page: its status, final address, headers and body.
type page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	// Every page any test opens: a form without its token would be
	// refused when sent (the service does not scan what it renders).
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		if bad := testenv.FormsWithoutToken(string(body)); len(bad) > 0 {
			b.t.Errorf("%s %s: forms without their CSRF token (the model's Page has no CSRF): %q", req.Method, req.URL, bad)
		}
	}
	return page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// must checks a page's status, and that no two elements share an id (so
// that labels, hints and error links reach the right field).
func (p page) must(t *testing.T, status int) page {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.URL, p.Status, status, text(p.Body))
	}
	seen := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(p.Body, -1) {
		if seen[m[1]] {
			t.Errorf("%s: id %q is used twice", p.URL, m[1])
		}
		seen[m[1]] = true
	}
	return p
}

var idAttr = regexp.MustCompile(`\sid="([^"]*)"`)

var (
	tags   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces = regexp.MustCompile(`\s+`)
)

// text is what a page says, without markup, in single spaces.
func text(page string) string {
	s := html.UnescapeString(tags.ReplaceAllString(page, " "))
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// element returns the HTML of the element with the given id, from its
// opening tag to its closing tag (the elements looked for here do not nest
// inside their own kind).
func element(t *testing.T, html, tag, id string) string {
	t.Helper()
	i := strings.Index(html, ` id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element with id %q in the page", id)
	}
	start := strings.LastIndex(html[:i], "<"+tag)
	end := strings.Index(html[i:], "</"+tag+">")
	if start < 0 || end < 0 {
		t.Fatalf("no <%s id=%q> in the page", tag, id)
	}
	return html[start : i+end]
}

func TestHelpAndUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"serve", "--help"}, {"check", "-h"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, env{}.getenv, &out, io.Discard)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%v: %v", args, err)
		}
		if !strings.Contains(out.String(), "MONGODB_URI") || !strings.Contains(out.String(), "IWT_DATA_DIR") {
			t.Errorf("%v: help does not list the settings:\n%s", args, out.String())
		}
		if len(args) == 1 && !strings.Contains(out.String(), "iwtoolkit audit") {
			t.Errorf("%v: help does not list the commands:\n%s", args, out.String())
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, env{}.getenv, io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("unknown command: error %v, want usage", err)
	}
}

func TestCheck(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", "../../surveys"}, env{}.getenv, &out, io.Discard); err != nil {
		t.Fatalf("check of the bundled surveys: %v", err)
	}
	if !strings.Contains(out.String(), "no problems") {
		t.Errorf("check output:\n%s", out.String())
	}
	dir := "../../internal/survey/testdata/invalid"
	err := run(context.Background(), []string{"check", dir}, env{}.getenv, io.Discard, io.Discard)
	want, _ := os.ReadFile(dir + "/want.txt")
	// want.txt names the files as the survey package's tests read them.
	problems := strings.ReplaceAll(strings.TrimSpace(string(want)), "testdata/invalid/", dir+"/")
	if err == nil || !strings.Contains(err.Error(), problems) {
		t.Errorf("check of invalid files: error\n%v\nwant it to list\n%s", err, problems)
	}
	// One file, rather than a folder.
	out.Reset()
	if err := run(context.Background(), []string{"check", "../../surveys/children.yaml"}, env{}.getenv, &out, io.Discard); err != nil || !strings.Contains(out.String(), "1 surveys, no problems") {
		t.Errorf("check of one file: %v\n%s", err, out.String())
	}
	err = run(context.Background(), []string{"check", "../../internal/survey/testdata/syntax/broken.yaml"}, env{}.getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:4: this line's indentation") {
		t.Errorf("check of one broken file: %v", err)
	}
}

// A survey file with problems never stops the service: beside the bundled
// surveys, a broken file and a mistyped one are refused on their own. The
// service starts and serves the good surveys; the refused ones' pages say
// the survey is not available; the problems are logged, and an
// administrator sees each as file:line: problem on /staff/surveys.
func TestServeRefusesOnlyBrokenSurveys(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"../../surveys/children.yaml", "../../surveys/training-needs.yaml",
		"../../internal/survey/testdata/syntax/broken.yaml", "../../internal/survey/testdata/unknown/typo.yaml"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = dir
	svc := start(t, e)
	b := newBrowser(t, svc.URL)
	if p := b.get("/s/children/baseline").must(t, http.StatusOK); !strings.Contains(p.Body, "What do you think?") {
		t.Errorf("the good survey's start page:\n%s", text(p.Body))
	}
	if p := b.get("/").must(t, http.StatusOK); strings.Contains(p.Body, "/s/broken/") || strings.Contains(p.Body, "/s/typo/") {
		t.Errorf("the home page links to a refused survey:\n%s", text(p.Body))
	}
	p := b.get("/s/broken/a")
	if p.Status != http.StatusServiceUnavailable || !strings.Contains(text(p.Body), "This survey is not available at the moment") {
		t.Errorf("a refused survey's page: status %d\n%s", p.Status, text(p.Body))
	}
	if p := b.get("/s/never-was/a"); p.Status != http.StatusNotFound {
		t.Errorf("a survey never loaded: status %d, want 404", p.Status)
	}
	for _, want := range []string{dir + "/broken.yaml:4: this line's indentation", dir + "/typo.yaml:6: sectons: did you mean sections?"} {
		if !strings.Contains(svc.logs.String(), want) {
			t.Errorf("the log does not name %q:\n%s", want, svc.logs.String())
		}
	}

	admin := staffBrowser(t, svc, "admin", "")
	page := text(admin.get("/staff/surveys").must(t, http.StatusOK).Body)
	for _, want := range []string{"2 survey files have problems and are not served",
		"broken (" + dir + "/broken.yaml)", dir + "/broken.yaml:4: this line's indentation does not match",
		dir + "/typo.yaml:6: sectons: did you mean sections?", "Rounds of What do you think?"} {
		if !strings.Contains(page, want) {
			t.Errorf("/staff/surveys does not say %q:\n%s", want, page)
		}
	}

	// check still fails, listing every problem; and the commands that work
	// on every survey refuse to leave one out.
	for _, cmd := range [][]string{{"check", dir}, {"recount", "--all"}} {
		err := run(context.Background(), cmd, e.getenv, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "broken.yaml:4: ") || !strings.Contains(err.Error(), "typo.yaml:6: ") {
			t.Errorf("%v: %v, want both files' problems", cmd, err)
		}
	}
}

// checkedRadios checks that every answer in form that the page shows as
// radios is the one checked, and says how many it found shown.
func checkedRadios(t *testing.T, body string, form url.Values, why string) (shown int) {
	t.Helper()
	for k, v := range form {
		radio := `name="` + k + `" type="radio"`
		if len(v) != 1 || !strings.Contains(body, radio) {
			continue
		}
		shown++
		if !strings.Contains(body, radio+` value="`+v[0]+`" checked`) {
			t.Errorf("%s: the page lost the answer %s=%s", why, k, v[0])
		}
	}
	return shown
}

// waitReady waits for /readyz to answer 200, for a minute at most.
func waitReady(t *testing.T, b *browser, why string) {
	t.Helper()
	for i := 0; b.get("/readyz").Status != http.StatusOK; i++ {
		if i == 600 {
			t.Fatalf("/readyz did not answer 200 within a minute %s", why)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// binaryCmd is the program (the test binary, told to run main) run as its
// own process, as an operator would, with the environment e.
func binaryCmd(e env, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "IWT_TEST_AS_BINARY=1", "MONGODB_URI=")
	for k, v := range e { // the last of a repeated name counts
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}
