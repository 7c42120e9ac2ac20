package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/survey"
)

// The hostile-input suite: the public forms of the bundled self-assessment
// under the requests an attacker, a broken client or an impatient person
// sends, against the real service. Every bad request gets a 4xx, never a
// 500, and nothing half-made is stored.

const (
	scriptTag = `<script>alert(1)</script>`
	imgTag    = `"><img src=x onerror=alert(1)>`
)

// responses are the responses stored for a survey.
func responses(t *testing.T, e env, surveyID string) []survey.Response {
	t.Helper()
	var out []survey.Response
	err := storeOf(t, e).EachResponse(context.Background(), surveyID, nil, func(r survey.Response) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// resumeCode is the code on the page of answers saved for later.
var resumeCode = regexp.MustCompile(`<strong class="app-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>`)

// answerAll answers every section of a round in b, adding extra to each
// form, up to check answers.
func answerAll(t *testing.T, b *browser, d *survey.Definition, round string, extra url.Values) {
	t.Helper()
	flow := "/s/" + d.ID + "/" + round
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		form := answer(d, sec, answers, respondent{Level: "3"}, 0)
		for k, v := range extra {
			if _, own := form[k]; !own {
				form[k] = v
			}
		}
		b.postWithToken(flow+"/section/"+sec.ID, form).must(t, http.StatusOK)
	}
}

// Bodies that are too big, not forms, or not UTF-8 are refused before any
// handler reads them; so are forms without the right CSRF token. None of
// them stores anything.
func TestHostileRequests(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	section := flow + "/section/" + d.Sections[0].ID
	b := newBrowser(t, svc.URL)
	token := csrfOf(t, b.get(section))
	other := newBrowser(t, svc.URL) // a token valid for another browser's cookie
	otherToken := csrfOf(t, other.get(section))
	valid := answer(d, d.Sections[0], map[string]string{}, respondent{Level: "3"}, 0)

	withToken := func(tok string) string {
		f := url.Values{}
		for k, v := range valid {
			f[k] = v
		}
		if tok != "" {
			f.Set("csrf_token", tok)
		}
		return f.Encode()
	}
	big := withToken(token) + "&filler=" + strings.Repeat("a", 65<<10)
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
	}{
		{"65 KB body", "application/x-www-form-urlencoded", big, 413},
		{"JSON", "application/json", `{"sector":"health"}`, 415},
		{"plain text", "text/plain", withToken(token), 415},
		{"multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"sector\"\r\n\r\nhealth\r\n--x--\r\n", 415},
		{"broken multipart", "multipart/form-data; boundary=x", "- x\r\n\r\n--- x\rx--", 415},
		{"no content type", "", withToken(token), 415},
		{"form-ish content type", "application/x-www-form-urlencodedXXX", withToken(token), 415},
		{"invalid UTF-8 value", "application/x-www-form-urlencoded", withToken(token) + "&sector=%C0%AF", 400},
		{"invalid UTF-8 name", "application/x-www-form-urlencoded", withToken(token) + "&%FF%FE=1", 400},
		{"no CSRF token", "application/x-www-form-urlencoded", withToken(""), 403},
		{"forged CSRF token", "application/x-www-form-urlencoded", withToken(strings.Repeat("0", 64)), 403},
		{"another browser's CSRF token", "application/x-www-form-urlencoded", withToken(otherToken), 403},
		{"CSRF token twice", "application/x-www-form-urlencoded", withToken(otherToken) + "&csrf_token=" + token, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, svc.URL+section, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			p := b.do(req)
			if p.Status != tc.status || !strings.Contains(p.Body, "<title>") {
				t.Errorf("status %d, want %d with a page:\n%.300s", p.Status, tc.status, text(p.Body))
			}
		})
	}
	// A browser with no CSRF cookie at all, posting a token it copied.
	bare := &http.Client{Timeout: 2 * time.Minute} // a bound, past the service's own deadlines
	resp, err := bare.PostForm(svc.URL+section, url.Values{"csrf_token": {token}, "sector": {"health"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("token without its cookie: status %d, want 403", resp.StatusCode)
	}
	// None of it made a draft: the section is still empty in this browser.
	if p := b.get(section).must(t, http.StatusOK); strings.Contains(p.Body, " checked") {
		t.Error("a refused post left answers in a draft")
	}

	// An oversized body announced by Content-Length is refused as soon as
	// it starts, long before it is sent.
	conn, err := net.Dial("tcp", strings.TrimPrefix(svc.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nsector=", section, 1<<30)
	if status, err := bufio.NewReader(conn).ReadString('\n'); err != nil || !strings.HasPrefix(status, "HTTP/1.1 413 ") {
		t.Errorf("1 GB body: %q %v, want 413", status, err)
	}

	// A forged send of a complete draft stores nothing.
	answerAll(t, b, d, "baseline", nil)
	for _, tok := range []string{"", strings.Repeat("0", 64), otherToken} {
		f := url.Values{}
		if tok != "" {
			f.Set("csrf_token", tok)
		}
		b.post(flow+"/check", f).must(t, http.StatusForbidden)
	}
	if rs := responses(t, e, d.ID); len(rs) != 0 {
		t.Errorf("forged sends stored %d responses", len(rs))
	}
	// ... and so does a forged change to an answer.
	sector, _, _ := d.Question("sector")
	changed := sector.Options[1].Value
	if changed == valid.Get("sector") {
		t.Fatal("the forged answer is the one given")
	}
	b.post(section, url.Values{"csrf_token": {otherToken}, "sector": {changed}}).must(t, http.StatusForbidden)
	if p := b.get(section); !strings.Contains(p.Body, `value="`+valid.Get("sector")+`" checked`) {
		t.Error("a forged post changed an answer")
	}

	// 10,000 small fields, and one field 10,000 times, under 64 KB.
	var many strings.Builder
	many.WriteString("csrf_token=" + token)
	for i := range 10000 {
		many.WriteString("&" + strconv.FormatInt(int64(i), 36) + "=")
	}
	repeated := "csrf_token=" + token + strings.Repeat("&sector=health", 4000)
	for name, body := range map[string]string{"10,000 fields": many.String(), "one field 4,000 times": repeated} {
		if len(body) >= 64<<10 {
			t.Fatalf("%s: %d bytes, over the limit", name, len(body))
		}
		req, _ := http.NewRequest(http.MethodPost, svc.URL+section, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if p := b.do(req); p.Status >= 500 || p.Status == http.StatusForbidden {
			t.Errorf("%s: status %d\n%.300s", name, p.Status, text(p.Body))
		}
	}
}

// Unknown fields, answers to questions of other sections and to questions
// not asked are never stored; answers that are not offered are refused and
// keep the response from being sent.
func TestHostileAnswers(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"

	// A question only leaders are asked, whose section a frontline
	// practitioner never sees.
	var leaders string
	for _, sec := range d.Sections {
		if sec.ShowIf != nil {
			leaders = sec.Questions[0].Keys()[0]
			break
		}
	}
	if leaders == "" {
		t.Fatal("the bundled survey has no section for leaders only")
	}
	extra := url.Values{
		"evil": {"1"}, "__proto__": {"x"}, "next_step_": {"y"}, leaders: {"5"},
		"caf-1": {"5"}, // a real question, sent with every other section's page
		"id":    {"x"}, "Sector": {"health"}, "sector ": {"health"}, "sector[]": {"health"},
	}
	b := newBrowser(t, svc.URL)
	answerAll(t, b, d, "baseline", extra)
	ref := send(t, b, flow)
	r, err := storeOf(t, e).Response(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]bool{}
	for _, sec := range d.Pages(r.Answers) {
		for _, q := range sec.Shown(r.Answers) {
			for _, k := range q.Keys() {
				asked[k] = true
			}
		}
	}
	for k := range r.Answers {
		if !asked[k] {
			t.Errorf("stored answer %s=%q is not to a question asked", k, r.Answers[k])
		}
	}
	if _, ok := r.Answers[leaders]; ok {
		t.Errorf("stored %s, a question for leaders only", leaders)
	}
	if r.Answers["caf-1"] != "3" {
		t.Errorf("caf-1 stored as %q, want 3 from its own page", r.Answers["caf-1"])
	}

	// Answers that are not offered: 422 on the page, and the response cannot
	// be sent until they are put right.
	b = newBrowser(t, svc.URL)
	answerAll(t, b, d, "baseline", nil)
	sec := d.Sections[0]
	for _, bad := range []url.Values{
		{"sector": {"planets"}},
		{"sector": {"health "}},
		{"sector": {"health\x00"}},
		{"sector": {scriptTag}},
		{"workforce": {"-1"}},
		{"workforce": {"1e9"}},
	} {
		form := answer(d, sec, map[string]string{}, respondent{Level: "3"}, 0)
		for k, v := range bad {
			form[k] = v
		}
		p := b.postWithToken(flow+"/section/"+sec.ID, form)
		if p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%v: status %d, want 422", bad, p.Status)
		}
		b.postWithToken(flow+"/check", url.Values{}).must(t, http.StatusUnprocessableEntity)
	}
	// A grid rating off the scale, and a rating of "prefer not to say"
	// where it is not offered.
	caf, _ := d.Section("caf")
	for _, v := range []string{"6", "0", "-1", "3.0", survey.PreferNotToSay} {
		form := answer(d, caf, map[string]string{}, respondent{Level: "3"}, 0)
		form.Set("caf-1", v)
		b.postWithToken(flow+"/section/caf", form).must(t, http.StatusUnprocessableEntity)
	}
	b.postWithToken(flow+"/check", url.Values{}).must(t, http.StatusUnprocessableEntity)
	if rs := responses(t, e, d.ID); len(rs) != 1 {
		t.Errorf("%d responses stored, want only the first", len(rs))
	}
}

// Script and HTML typed into a text answer come back as text on every
// page that shows it.
func TestHostileTextIsEscaped(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	caf, _ := d.Section("caf")
	comment := commentOf(caf)
	if comment == nil {
		t.Fatal("no comment box in the CAF section")
	}
	payload := scriptTag + " " + imgTag + ` '--><svg onload=alert(1)>`
	unescaped := []string{scriptTag, "<img src=x", "<svg onload"}
	look := func(where string, p page) {
		t.Helper()
		for _, raw := range unescaped {
			if strings.Contains(p.Body, raw) {
				t.Errorf("%s: %q comes back unescaped", where, raw)
			}
		}
		if !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s: the answer is not shown, escaped", where)
		}
	}

	b := newBrowser(t, svc.URL)
	answerAll(t, b, d, "baseline", nil)
	// Re-rendered with an error: the ratings are missing.
	p := b.postWithToken(flow+"/section/caf", url.Values{comment.ID: {payload}}).must(t, http.StatusUnprocessableEntity)
	look("the page re-rendered with errors", p)
	look("the page opened again", b.get(flow+"/section/caf").must(t, http.StatusOK))
	form := answer(d, caf, map[string]string{}, respondent{Level: "3"}, 0)
	form.Set(comment.ID, payload)
	b.postWithToken(flow+"/section/caf", form).must(t, http.StatusOK)
	look("check answers", b.get(flow+"/check").must(t, http.StatusOK))
	// Check answers with an error summary.
	b.postWithToken(flow+"/section/"+d.Sections[0].ID, url.Values{}).must(t, http.StatusUnprocessableEntity)
	look("check answers with errors", b.postWithToken(flow+"/check", url.Values{}).must(t, http.StatusUnprocessableEntity))

	// Markup in the address is not reflected either.
	for _, path := range []string{
		flow + "/section/caf?return=" + url.QueryEscape(imgTag),
		flow + "?lang=" + url.QueryEscape(imgTag),
		flow + "/resume?code=" + url.QueryEscape(scriptTag),
		flow + "/done?ref=" + url.QueryEscape(scriptTag),
		"/s/" + url.PathEscape(scriptTag) + "/baseline",
	} {
		p := b.get(path)
		if p.Status >= 500 {
			t.Errorf("GET %s: status %d", path, p.Status)
		}
		for _, raw := range unescaped {
			if strings.Contains(p.Body, raw) {
				t.Errorf("GET %s: %q comes back unescaped", path, raw)
			}
		}
	}
}

// Odd survey, round, section and invitation ids are pages not found, never
// a server error, and never a file.
func TestHostilePaths(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	long := strings.Repeat("a", 2000)
	b := newBrowser(t, svc.URL)
	for _, path := range []string{
		"/s/..%2F..%2Fetc%2Fpasswd/baseline",
		"/s/..%2F" + d.ID + "/baseline",
		"/s/%2E%2E/baseline",
		"/s/" + d.ID + "%00/baseline",
		"/s/" + d.ID + "/baseline%00",
		"/s/" + d.ID + "/..%2Fbaseline",
		"/s/" + d.ID + "/%2E%2E%2F%2E%2E%2Fsurveys",
		"/s/" + long + "/baseline",
		"/s/" + d.ID + "/" + long,
		"/s/ankieta-%C5%BC%C3%B3%C5%82w/baseline",
		"/s/%E2%80%AE" + d.ID + "/baseline",
		"/s/" + strings.ToUpper(d.ID) + "/baseline",
		flow + "/section/..%2F..%2Fcheck",
		flow + "/section/%00",
		flow + "/section/" + long,
		flow + "/section/%F0%9F%92%A9",
		flow + "/section/leading-integrated-working", // not asked of this respondent
		"/i/..%2F..%2Fetc%2Fpasswd",
		"/i/%00",
		"/i/" + long,
		"/static/..%2F..%2Fgo.mod",
		"/static/%2E%2E/templates/layout.html",
	} {
		p := b.get(path)
		if p.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404\n%.200s", path, p.Status, text(p.Body))
		}
		if strings.Contains(p.Body, "module iwtoolkit") || strings.Contains(p.Body, "root:") || strings.Contains(p.Body, "{{define") {
			t.Errorf("GET %s: served a file", path)
		}
	}
	// Reports take survey ids too (for signed-in staff).
	staff := staffBrowser(t, svc, "analyst", "")
	for _, path := range []string{"/r/..%2F..%2Fetc%2Fpasswd", "/r/%00", "/r/" + long, "/r/" + d.ID + "?a=..%2F..&b=%00"} {
		if p := staff.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, p.Status)
		}
	}
	// The same ids in a post, with a valid token, are refused the same way.
	token := csrfOf(t, b.get(flow+"/section/"+d.Sections[0].ID))
	for _, path := range []string{"/s/..%2F..%2Fetc/baseline/check", flow + "/section/..%2Fcheck", "/s/" + long + "/baseline/resume"} {
		p := b.post(path, url.Values{"csrf_token": {token}})
		if p.Status != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", path, p.Status)
		}
	}
}

// A resume code gives back its draft until the answers are sent, on any
// device, always as last saved; then it is a 422 page that says they were
// sent, and never shows anyone's answers. Guesses find nothing.
func TestHostileResumeCodes(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	d := bundled(t)
	flow := "/s/" + d.ID + "/baseline"
	first := d.Sections[0]

	saveForLater := func(b *browser, sec *survey.Section, level string) string {
		t.Helper()
		form := answer(d, sec, map[string]string{}, respondent{Level: level}, 0)
		form.Set("next_step", "later")
		p := b.postWithToken(flow+"/section/"+sec.ID, form).must(t, http.StatusOK)
		m := resumeCode.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no resume code on the saved page:\n%s", text(p.Body))
		}
		return m[1]
	}
	refused := func(code, why, says string) {
		t.Helper()
		b := newBrowser(t, svc.URL)
		p := b.postWithToken(flow+"/resume", url.Values{"code": {code}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(text(p.Body), says) {
			t.Errorf("%s: status %d, want 422 saying %q\n%.300s", why, p.Status, says, text(p.Body))
		}
		// The browser has no draft: the first page is empty.
		if p := b.get(flow + "/section/" + first.ID); strings.Contains(p.Body, " checked") {
			t.Errorf("%s: the browser was given a draft", why)
		}
	}
	resumed := func(code string) *browser {
		t.Helper()
		b := newBrowser(t, svc.URL)
		b.postWithToken(flow+"/resume", url.Values{"code": {code}}).must(t, http.StatusOK)
		return b
	}
	strand := d.Sections[1]
	ratings := func(b *browser) int {
		t.Helper()
		return strings.Count(b.get(flow+"/section/"+strand.ID).must(t, http.StatusOK).Body, `value="4" checked`)
	}

	code := saveForLater(newBrowser(t, svc.URL), first, "3")
	// At home: carried on, a strand rated 4, and saved for later again:
	// the same code.
	home := resumed(code)
	if again := saveForLater(home, strand, "4"); again != code {
		t.Fatalf("saving again gave %s, want the same code %s", again, code)
	}
	// At work, the same link: the answers as last saved at home.
	work := resumed(code)
	if n := ratings(work); n == 0 {
		t.Errorf("at work the strand has no rating 4 saved at home")
	}
	// Sent from work: the code now says so, and opens nothing.
	answerAll(t, work, d, "baseline", nil)
	send(t, work, flow)
	refused(code, "the code of sent answers", "have been sent")
	refused(strings.ToLower(code), "the code of sent answers, in lower case", "have been sent")

	for _, guess := range []string{"AAAA-AAAA-AAAA", "0000-0000-0000-0000-0000", code + code, "%", strings.Repeat("Z", 5000), "' OR 1=1 --", `{"$ne": null}`} {
		refused(guess, "a guessed code "+guess[:min(len(guess), 20)], "does not match saved answers")
	}
	// A code saved in this survey finds nothing in another.
	other := "/s/training-needs/baseline"
	p := newBrowser(t, svc.URL).postWithToken(other+"/resume", url.Values{"code": {saveForLater(newBrowser(t, svc.URL), first, "3")}})
	if p.Status != http.StatusUnprocessableEntity {
		t.Errorf("a code from another survey: status %d, want 422", p.Status)
	}
}

// An invitation link works once: after its answers are sent it is a 410,
// in this browser and in any other.
func TestHostileInvitationReplay(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	d := bundled(t)
	token, key := survey.NewToken()
	inv := survey.Invitation{Key: key, SurveyID: d.ID, Round: "baseline", RespondentKey: "person-1", Created: time.Now().UTC()}
	if err := storeOf(t, e).CreateInvitations(context.Background(), []survey.Invitation{inv}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, svc.URL)
	b.get("/i/"+token).must(t, http.StatusOK)
	// A second opening before sending makes a second draft; only one can
	// be sent.
	b2 := newBrowser(t, svc.URL)
	b2.get("/i/"+token).must(t, http.StatusOK)
	answerAll(t, b2, d, "baseline", nil)

	answerAll(t, b, d, "baseline", nil)
	send(t, b, "/s/"+d.ID+"/baseline")
	for _, who := range []*browser{b, newBrowser(t, svc.URL)} {
		if p := who.get("/i/" + token); p.Status != http.StatusGone {
			t.Errorf("a used invitation: status %d, want 410", p.Status)
		}
	}
	if p := b2.postWithToken("/s/"+d.ID+"/baseline/check", url.Values{}); p.Status != http.StatusGone {
		t.Errorf("a second draft of a used invitation: status %d, want 410", p.Status)
	}
	if rs := responses(t, e, d.ID); len(rs) != 1 {
		t.Errorf("%d responses stored from one invitation", len(rs))
	}
}

// Twenty sends of the same draft at once store one response, and every
// reply sends the browser to the same confirmation. It runs on both stores.
func TestHostileConcurrentSends(t *testing.T) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			svc := start(t, e)
			d := bundled(t)
			flow := "/s/" + d.ID + "/baseline"
			b := fill(t, svc.URL, d, "baseline", respondent{Level: "4"}, 0)
			token := csrfOf(t, b.get(flow+"/check"))
			u, _ := url.Parse(svc.URL + flow + "/check")
			cookies := b.client.Jar.Cookies(u)

			const n = 20
			locations := make([]string, n)
			statuses := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					req, _ := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(url.Values{"csrf_token": {token}}.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					for _, c := range cookies {
						req.AddCookie(c)
					}
					// The shared pool dials spare connections that never
					// send a request: the service must still shut down.
					client := &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
					<-start
					resp, err := client.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					statuses[i], locations[i] = resp.StatusCode, resp.Header.Get("Location")
				})
			}
			close(start)
			wg.Wait()
			for i := range n {
				if statuses[i] != http.StatusSeeOther || !strings.HasPrefix(locations[i], flow+"/done?ref=") || locations[i] != locations[0] {
					t.Errorf("send %d: %d to %q, want 303 to the same confirmation as send 0 (%q)", i, statuses[i], locations[i], locations[0])
				}
			}
			if rs := responses(t, e, d.ID); len(rs) != 1 {
				t.Errorf("%d responses stored, want 1", len(rs))
			}
		})
	}
}

// A connection that is opened and never sends a request (a browser's
// preconnect, a load balancer's spare, or someone holding sockets) does
// not hold up a graceful shutdown.
func TestHostileSilentConnectionShutdown(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	conn, err := net.Dial("tcp", strings.TrimPrefix(svc.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	time.Sleep(100 * time.Millisecond) // accepted, waiting for a request
	// Were the silent connection waited for, the shutdown would run out of
	// its 20 s and the service stop with an error, which stop reports: no
	// clock is read here, so a busy machine cannot fail it.
	svc.stop()
}
