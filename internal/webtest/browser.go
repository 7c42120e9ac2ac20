package webtest

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/testenv"
	"iwtoolkit/internal/web"
)

// Browser is a browser with JavaScript off, on the Env's app: it keeps
// cookies, follows redirects, and sends forms as url-encoded posts.
type Browser struct {
	t   *testing.T
	e   *Env
	jar http.CookieJar
}

var base, _ = url.Parse(BaseURL)

// Browser is a new browser with no cookies.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: e.T, e: e, jar: jar}
}

// onClock is cookies as a browser whose clock is the Env's would keep
// them: an Expires, which the service writes from the Env's clock, becomes
// the Max-Age it leaves on that clock. The cookie jar judges Expires by the
// real clock, on which the Env's 7 December 2026 is past or to come: on it,
// a staff session (8 hours from 9:00 on the Env's clock) would be dropped
// as expired whenever a test ran after 17:00 UTC on that day, or later.
func (e *Env) onClock(cs []*http.Cookie) []*http.Cookie {
	e.clock.Lock()
	now := e.Now
	e.clock.Unlock()
	out := make([]*http.Cookie, len(cs))
	for i, c := range cs {
		out[i] = c
		if c.MaxAge != 0 || c.Expires.IsZero() {
			continue // Max-Age counts from when the jar gets it, on any clock
		}
		kept := *c
		kept.Expires = time.Time{}
		if left := c.Expires.Sub(now); left <= 0 {
			kept.MaxAge = -1 // already expired: the cookie is deleted
		} else {
			kept.MaxAge = int((left + time.Second - 1) / time.Second)
		}
		out[i] = &kept
	}
	return out
}

// Page is a fetched page: its status, final address, headers and body.
type Page struct {
	t      *testing.T
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

// Do sends a request, following redirects as a browser does.
func (b *Browser) Do(req *http.Request) Page {
	b.t.Helper()
	return b.do(req, true)
}

// Once sends a request and does not follow a redirect: for the headers of
// the response that redirects (a cookie set on signing in, say).
func (b *Browser) Once(req *http.Request) Page {
	b.t.Helper()
	return b.do(req, false)
}

// SetCookie sets a cookie in the browser, as a page's script or an
// attacker's might.
func (b *Browser) SetCookie(c *http.Cookie) { b.jar.SetCookies(base, []*http.Cookie{c}) }

// Cookie is the value of the cookie the browser sends to path with the
// name, or "".
func (b *Browser) Cookie(path, name string) string {
	for _, c := range b.jar.Cookies(base.ResolveReference(&url.URL{Path: path})) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func (b *Browser) do(req *http.Request, follow bool) Page {
	b.t.Helper()
	if b.e.App == nil {
		b.t.Fatal("webtest: Serve before a request")
	}
	for redirects := 0; ; redirects++ {
		req.URL = base.ResolveReference(req.URL)
		for _, c := range b.jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
		resp, err := b.e.App.Test(req, -1)
		if err != nil {
			b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			b.t.Fatal(err)
		}
		b.jar.SetCookies(req.URL, b.e.onClock(resp.Cookies()))
		if loc := resp.Header.Get("Location"); loc != "" && follow && resp.StatusCode >= 300 && resp.StatusCode < 400 && redirects < 10 {
			to, err := req.URL.Parse(loc)
			if err != nil {
				b.t.Fatalf("%s %s: Location %q: %v", req.Method, req.URL, loc, err)
			}
			to.Fragment = "" // a browser keeps it to itself
			req = httptest.NewRequest(http.MethodGet, to.String(), nil)
			continue
		}
		// Every page a test opens: a form without its token would be
		// refused when sent (the service does not scan what it renders).
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			if bad := testenv.FormsWithoutToken(string(body)); len(bad) > 0 {
				b.t.Errorf("%s %s: forms without their CSRF token (the model's Page has no CSRF): %q", req.Method, req.URL, bad)
			}
		}
		return Page{t: b.t, Status: resp.StatusCode, URL: req.URL, Header: resp.Header, Body: string(body)}
	}
}

// Get fetches a page.
func (b *Browser) Get(path string) Page {
	b.t.Helper()
	return b.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post sends a form.
func (b *Browser) Post(path string, form url.Values) Page {
	b.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// PostWithToken sends a form with the CSRF token from the form's own page
// (GET of the same path), as a browser submitting the form would.
func (b *Browser) PostWithToken(path string, form url.Values) Page {
	b.t.Helper()
	return b.PostFrom(path, path, form)
}

// PostFrom sends a form to action with the CSRF token of the page at from.
func (b *Browser) PostFrom(from, action string, form url.Values) Page {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set(web.CSRFField, b.Get(from).CSRF())
	return b.Post(action, f)
}

// Upload sends a form with a file, as a browser sends the upload form
// on the page at from: the file in the field "file", with the form token
// of that page, as multipart/form-data to action.
func (b *Browser) Upload(from, action, name string, data []byte) Page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField(web.CSRFField, b.Get(from).CSRF())
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, action, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.Do(req)
}

var csrfField = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="([0-9a-f]{64})">`)

// CSRF is the form token in a page's forms.
func (p Page) CSRF() string {
	p.t.Helper()
	m := csrfField.FindStringSubmatch(p.Body)
	if m == nil {
		p.t.Fatalf("%s: no csrf_token field in the page", p.URL)
	}
	return m[1]
}

// Must checks a page's status, and that no two elements share an id (so
// that labels, hints and error links reach the right field).
func (p Page) Must(status int) Page {
	p.t.Helper()
	if p.Status != status {
		p.t.Fatalf("%s: status %d, want %d\n%s", p.URL, p.Status, status, Text(p.Body))
	}
	seen := map[string]bool{}
	for _, m := range idAttr.FindAllStringSubmatch(p.Body, -1) {
		if seen[m[1]] {
			p.t.Errorf("%s: id %q is used twice", p.URL, m[1])
		}
		seen[m[1]] = true
	}
	return p
}

// Text is what the page says.
func (p Page) Text() string { return Text(p.Body) }

var (
	idAttr = regexp.MustCompile(`\sid="([^"]*)"`)
	tags   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaces = regexp.MustCompile(`\s+`)
)

// Text is what a page says, without markup, in single spaces.
func Text(page string) string {
	s := html.UnescapeString(tags.ReplaceAllString(page, " "))
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

// Element returns the HTML of the element with the given id, from its
// opening tag to its closing tag (the elements looked for do not nest
// inside their own kind).
func Element(t testing.TB, html, tag, id string) string {
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
