package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Bad input gets a clear page with a 4xx, and an invalid answer re-renders
// the page with what was entered and an error summary.
func TestBadRequests(t *testing.T) {
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = "../../internal/survey/testdata/valid" // mini.yaml: follow-up is closed
	svc := start(t, e)
	b := newBrowser(t, svc.URL)
	signInStaff(t, b, e, "analyst", "") // reports are for signed-in staff

	for _, tc := range []struct {
		method, path, contentType, body string
		status                          int
		says                            string
	}{
		{"GET", "/s/nope/baseline", "", "", 404, "There is no survey at this address"},
		{"GET", "/s/mini/nope", "", "", 404, "There is no round of this survey at this address"},
		{"GET", "/s/mini/follow-up", "", "", 410, "Mini self-assessment: Follow-up is closed"},
		{"POST", "/s/mini/follow-up/section/about-you", "application/x-www-form-urlencoded", "sector=health", 403, "Your session has expired"}, // no CSRF token
		{"GET", "/s/mini/baseline/section/nope", "", "", 404, "There is no such part of this survey"},
		{"GET", "/s/..%2F..%2Fetc/baseline", "", "", 404, "There is no survey"},
		{"GET", "/r/nope", "", "", 404, "There is no survey at this address"},
		{"GET", "/r/mini?a=nope", "", "", 404, "This survey has no round called nope"},
		{"GET", "/no/such/page", "", "", 404, "Page not found"},
		{"POST", "/s/mini/baseline/section/about-you", "application/json", `{"sector":"health"}`, 415, "This form must be sent as a web form"},
		{"POST", "/s/mini/baseline/section/about-you", "application/x-www-form-urlencoded", "sector=%ff%fe", 400, "could not be read"},
	} {
		req, _ := http.NewRequest(tc.method, svc.URL+tc.path, strings.NewReader(tc.body))
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		p := b.do(req)
		if p.Status != tc.status || !strings.Contains(text(p.Body), tc.says) {
			t.Errorf("%s %s: %d %q, want %d saying %q", tc.method, tc.path, p.Status, text(p.Body), tc.status, tc.says)
		}
	}

	// An oversized body is refused from its Content-Length, before it is read.
	conn, err := net.Dial("tcp", strings.TrimPrefix(svc.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /s/mini/baseline/section/about-you HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nsector=", 10<<20)
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 413 ") {
		t.Errorf("10 MB body: %q %v, want 413", status, err)
	}

	// An incomplete strand page comes back with the error summary, inline
	// errors and everything that was entered.
	b.get("/s/mini/baseline/section/about-you").must(t, http.StatusOK)
	form := url.Values{"caf-1": {"2"}, "caf-comment": {"Training <b>needed</b>"}}
	p := b.postWithToken("/s/mini/baseline/section/caf", form).must(t, http.StatusUnprocessableEntity)
	for _, want := range []string{
		`<title>Error: Common Assessment Framework (CAF)`,
		`There is a problem`,
		`<a href="#caf-2">Select a rating for ‘I know who to ask for help with a CAF.’</a>`,
		`id="caf-2_error"`,
		`id="caf-1_2" name="caf-1" type="radio" value="2" checked`,
		`Training &lt;b&gt;needed&lt;/b&gt;</textarea>`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("re-rendered page lacks %s", want)
		}
	}
	// What was entered was kept in the draft: the page shows it again.
	p = b.get("/s/mini/baseline/section/caf").must(t, http.StatusOK)
	if !strings.Contains(p.Body, `value="2" checked`) || strings.Contains(p.Body, "There is a problem") {
		t.Error("answers entered on an invalid page were not kept")
	}
	// Sending with pages unanswered goes back to check answers with links.
	p = b.postWithToken("/s/mini/baseline/check", url.Values{}).must(t, http.StatusUnprocessableEntity)
	for _, want := range []string{`<a href="#about-you">Answer every question in ‘About you’</a>`, `<a href="#caf">`, `<a href="#more">`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("check answers page lacks %s", want)
		}
	}
	// A value that is not one of the options is refused.
	p = b.postWithToken("/s/mini/baseline/section/about-you", url.Values{"sector": {"planets"}, "role": {"frontline"}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "Select one of the answers given for ‘Which sector do you work in?’") {
		t.Errorf("a made-up option was not refused:\n%s", text(p.Body))
	}
}

// Every page carries a strict Content-Security-Policy and related headers.
func TestSecurityHeaders(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	resp, err := http.Get(svc.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy allows inline code: %q", csp)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options %q", got)
	}
}
