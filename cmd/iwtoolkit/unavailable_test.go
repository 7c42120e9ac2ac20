package main

import (
	"html"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/survey"
)

// cutProxy is a TCP proxy between the service and MongoDB that a test can
// cut, as a network fault or a database going down would: every open
// connection is closed, and new ones are closed as soon as they are
// accepted. Restoring it lets connections through again. It can also
// stall, as a network that drops packets or a database that stopped
// answering would: connections stay open, but nothing is passed on until
// it is restored.
type cutProxy struct {
	ln      net.Listener
	target  string
	mu      sync.Mutex
	cut     bool
	stalled bool
	conns   map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.setCut(true)
	})
	return p
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed at the end of the test
		}
		go p.pipe(c)
	}
}

// pipe joins a client's connection to the target's, unless the proxy is cut.
func (p *cutProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	if !p.track(c, up) {
		c.Close()
		up.Close()
		return
	}
	go p.copy(up, c)
	p.copy(c, up)
}

// copy passes what src sends on to dst, holding it while the proxy is
// stalled, and closes dst when src ends.
func (p *cutProxy) copy(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for p.isStalled() {
			time.Sleep(10 * time.Millisecond)
		}
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// isStalled reports whether the proxy holds what passes through it; a cut
// ends a stall.
func (p *cutProxy) isStalled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stalled && !p.cut
}

func (p *cutProxy) setStalled(stalled bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled = stalled
}

// track remembers open connections so that a cut can close them; it says
// false when the proxy is cut.
func (p *cutProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// throughProxy is e with MongoDB reached through a new cutProxy.
func throughProxy(t *testing.T, e env) (env, *cutProxy) {
	t.Helper()
	u, err := url.Parse(e["MONGODB_URI"])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u.Host, ",") {
		t.Skip("MONGODB_URI names more than one host: the proxy stands in for one")
	}
	p := newCutProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	out := maps.Clone(e)
	out["MONGODB_URI"] = u.String()
	return out, p
}

// withDeadlines is e with the service's own store deadlines, not the
// tests' longer ones (testTimeouts): the tests here are of what the
// deadlines do.
func withDeadlines(e env, respondent, staff string) env {
	out := maps.Clone(e)
	out["IWT_RESPONDENT_TIMEOUT"], out["IWT_STAFF_TIMEOUT"] = respondent, staff
	return out
}

// recovered does a request again while it answers 503, for two minutes at
// most, and returns the first other answer. Once MongoDB is back (or
// before it is cut), the service answers; but the tests here keep the 5 s
// respondent deadline, and on a busy machine a page's store calls can take
// longer than that, when the page says to try again, as this does.
func recovered(t *testing.T, what string, do func() page) page {
	t.Helper()
	began := time.Now()
	for tries := 1; ; tries++ {
		p := do()
		if p.Status != http.StatusServiceUnavailable {
			if tries > 1 {
				t.Logf("%s: 503 %d times after MongoDB came back, then %d", what, tries-1, p.Status)
			}
			return p
		}
		if time.Since(began) > 2*time.Minute {
			t.Fatalf("%s: still 503 after two minutes of trying again, with MongoDB there", what)
		}
		time.Sleep(time.Second)
	}
}

// postRecovered is postWithToken with each of its two requests (the
// form's page, for its token, and the post) done again while it answers
// 503, as recovered does.
func postRecovered(t *testing.T, b *browser, path string, form url.Values) page {
	t.Helper()
	f := maps.Clone(form)
	f.Set("csrf_token", csrfOf(t, recovered(t, "GET "+path, func() page { return b.get(path) })))
	return recovered(t, "POST "+path, func() page { return b.post(path, f) })
}

// timed is a request and how long it took.
func timed(took *[]string, what string, do func() page) page {
	start := time.Now()
	v := do()
	*took = append(*took, what+" "+time.Since(start).Round(10*time.Millisecond).String())
	return v
}

// While MongoDB cannot be reached, readiness fails, a section's answers
// come back on the page with a "not saved yet" message, and sending the
// answers says they are not sent yet; nothing is lost. Once MongoDB is
// back, the same post saves, and the respondent finishes with one response
// holding every answer, the ones saved before the cut included.
func TestMongoDBUnavailable(t *testing.T) {
	t.Parallel()
	direct := mongoEnv(t)
	e, proxy := throughProxy(t, withDeadlines(direct, "5s", "2m"))
	svc := start(t, e)
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	b := newBrowser(t, svc.URL)
	recovered(t, "the start page", func() page { return b.get(flow) }).must(t, http.StatusOK)

	// The sections a frontline respondent is asked, in order.
	var pages []*survey.Section
	answers := map[string]string{"role": "frontline"}
	for _, sec := range d.Sections {
		if sec.ShowIf.Holds(answers) {
			pages = append(pages, sec)
		}
	}
	delete(answers, "role")
	who := respondent{Level: "3"}
	for _, sec := range pages[:2] {
		postRecovered(t, b, flow+"/section/"+sec.ID, answer(d, sec, answers, who, 0)).must(t, http.StatusOK)
	}

	// The third section's form, filled in, with a comment that must not
	// reach the log.
	sec := pages[2]
	sectionURL := flow + "/section/" + sec.ID
	token := csrfOf(t, recovered(t, "section "+sec.ID, func() page { return b.get(sectionURL) }))
	form := answer(d, sec, answers, who, 0)
	comment := "Our <team> meets \"weekly\" & shares plans"
	form.Set(commentOf(sec).ID, comment)
	answers[commentOf(sec).ID] = comment
	form.Set("csrf_token", token)

	proxy.setCut(true)
	var took []string
	ready := timed(&took, "GET /readyz", func() page { return b.get("/readyz") })
	if ready.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with MongoDB cut: %d, want 503", ready.Status)
	}

	// The section's post: the page again, with what was entered.
	p := timed(&took, "POST section", func() page { return b.post(sectionURL, form) }).must(t, http.StatusServiceUnavailable)
	if p.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	notSaved := "Sorry, there is a problem with the service. Your answers on this page have not been saved yet. Please try again."
	for _, want := range []string{
		`<title>Error: ` + html.EscapeString(sec.Title),
		`There is a problem`,
		`<li>` + notSaved + `</li>`,
		`<form method="post" action="` + sectionURL + `"`,
		`name="csrf_token" value="` + token + `"`,
		`>` + html.EscapeString(comment) + `</textarea>`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("section page shown with MongoDB cut lacks %s", want)
		}
	}
	// Every answer but the token and the comment is a radio, checked.
	if shown := checkedRadios(t, p.Body, form, "section page shown with MongoDB cut"); shown != len(form)-2 {
		t.Errorf("section page shown with MongoDB cut shows %d of the %d answers as radios", shown, len(form)-2)
	}

	// Sending: not sent yet, and the same button again.
	p = timed(&took, "POST check (send)", func() page {
		return b.post(flow+"/check", url.Values{"csrf_token": {token}})
	}).must(t, http.StatusServiceUnavailable)
	for _, want := range []string{
		"Your answers have not been sent yet",
		"Nothing you entered has been lost. Please try again",
		`<form method="post" action="` + flow + `/check"`,
		`name="csrf_token" value="` + token + `"`,
		"Send your answers</button>",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("send with MongoDB cut: page lacks %s\n%s", want, text(p.Body))
		}
	}

	// Any other page says to try again.
	p = timed(&took, "GET tasks", func() page { return b.get(flow + "/tasks") }).must(t, http.StatusServiceUnavailable)
	if got := text(p.Body); !strings.Contains(got, "Sorry, there is a problem with the service Please try again in a few minutes.") {
		t.Errorf("task list with MongoDB cut says %q", got)
	}
	// Readiness again, now that the driver knows the server is gone.
	if p := timed(&took, "GET /readyz", func() page { return b.get("/readyz") }); p.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with MongoDB cut: %d, want 503", p.Status)
	}
	t.Logf("with MongoDB cut: %s", strings.Join(took, ", "))

	logs := svc.logs.String()
	if !strings.Contains(logs, "store unavailable") {
		t.Error("the store failure was not logged")
	}
	if strings.Contains(logs, "weekly") {
		t.Error("the log holds a respondent's answer")
	}

	// Back: ready again, as soon as the driver finds the server.
	proxy.setCut(false)
	waitReady(t, b, "of MongoDB coming back")
	if p := recovered(t, "the same post", func() page { return b.post(sectionURL, form) }).must(t, http.StatusOK); p.URL.Path != flow+"/tasks" {
		t.Fatalf("the same post once MongoDB is back: at %s, want the task list", p.URL.Path)
	}
	for _, sec := range pages[3:] {
		postRecovered(t, b, flow+"/section/"+sec.ID, answer(d, sec, answers, who, 0)).must(t, http.StatusOK)
	}
	if check := recovered(t, "check answers", func() page { return b.get(flow + "/check") }).must(t, http.StatusOK); strings.Contains(check.Body, "Not answered") {
		t.Fatalf("check answers shows unanswered questions:\n%s", text(check.Body))
	}
	done := postRecovered(t, b, flow+"/check", url.Values{}).must(t, http.StatusOK)
	m := refPattern.FindStringSubmatch(done.Body)
	if m == nil || done.URL.Path != flow+"/done" {
		t.Fatalf("after sending: at %s with no reference:\n%s", done.URL, text(done.Body))
	}
	ref := m[1]

	stored := responses(t, direct, d.ID)
	if len(stored) != 1 || stored[0].Reference != ref {
		t.Fatalf("stored %d responses, want the one with reference %s", len(stored), ref)
	}
	if diff := cmp.Diff(answers, stored[0].Answers); diff != "" {
		t.Errorf("stored answers (-want +got):\n%s", diff)
	}
}

// A MongoDB that stops answering on connections already open (a network
// dropping packets) must not hold a request for ever: the page is a 503,
// for respondents within the respondent deadline, and for staff within the
// driver's own limits (its monitor gives up on a server whose heartbeat
// does not answer, about 10 s here) or the staff deadline, whichever comes
// first. The staff deadline is for waits the monitor cannot see, such as a write
// waiting for a majority that a replica set cannot give. Once MongoDB
// answers again, so does the service.
func TestMongoDBStalled(t *testing.T) {
	t.Parallel()
	// The staff deadline is shorter than the service's own (2 minutes),
	// so that the test need not wait that long when the driver's monitor
	// does not give up first.
	e, proxy := throughProxy(t, withDeadlines(mongoEnv(t), "5s", "30s"))
	svc := start(t, e)
	flow := "/s/" + bundled(t).ID + "/baseline"
	respondent := newBrowser(t, svc.URL)
	recovered(t, "the start page", func() page { return respondent.get(flow) }).must(t, http.StatusOK)
	staff := staffBrowser(t, svc, "admin", "")
	staff.client.Timeout = 2 * time.Minute // past the staff deadline: the service must answer first
	recovered(t, "GET /staff", func() page { return staff.get("/staff") }).must(t, http.StatusOK)

	proxy.setStalled(true)
	var took []string
	timed(&took, "GET tasks", func() page { return respondent.get(flow + "/tasks") }).must(t, http.StatusServiceUnavailable)
	p := timed(&took, "GET /staff", func() page { return staff.get("/staff") }).must(t, http.StatusServiceUnavailable)
	if got := text(p.Body); !strings.Contains(got, "tell whoever runs the service: it cannot reach its database") {
		t.Errorf("staff page with MongoDB stalled says %q", got)
	}
	if p := timed(&took, "GET /readyz", func() page { return respondent.get("/readyz") }); p.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with MongoDB stalled: %d, want 503", p.Status)
	}
	t.Logf("with MongoDB stalled: %s", strings.Join(took, ", "))

	proxy.setStalled(false)
	waitReady(t, respondent, "of MongoDB answering again")
	recovered(t, "GET /staff", func() page { return staff.get("/staff") }).must(t, http.StatusOK)
	recovered(t, "GET tasks", func() page { return respondent.get(flow + "/tasks") }).must(t, http.StatusOK)
}
