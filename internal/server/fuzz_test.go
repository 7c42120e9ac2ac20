package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
)

var tokenField = regexp.MustCompile(`name="csrf_token" value="([0-9a-f]{64})"`)

// FuzzSectionForm posts whatever the fuzzer makes, with a valid CSRF token,
// to a section of the bundled self-assessment, through every middleware
// and handler on the embedded store. Whatever the body and its content
// type, the reply is a redirect or a 4xx page, never a 500, and markup sent
// never comes back as markup.
func FuzzSectionForm(f *testing.F) {
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		f.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close(context.Background()) })
	// The fuzzer's workers keep the machine busy: a draft's save can take
	// longer than a respondent's 5 s deadline there, and its 503 would be
	// taken for a fault (testTimeout).
	s, err := New(Options{Store: st, Surveys: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RespondentTimeout: testTimeout, StaffTimeout: testTimeout})
	if err != nil {
		f.Fatal(err)
	}
	const section = "/s/integrated-working/baseline/section/about-you"
	resp, err := s.App().Test(httptest.NewRequest(http.MethodGet, section, nil), -1)
	if err != nil {
		f.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	m := tokenField.FindSubmatch(body)
	if m == nil {
		f.Fatal("no CSRF token on the section page")
	}
	cookies := resp.Cookies()
	token := string(m[1])

	form := "application/x-www-form-urlencoded"
	for _, seed := range []struct{ contentType, body string }{
		{form, "sector=health&role=frontline&workforce=children&organisation=nhs-trust"},
		{form, "sector=%3Cscript%3Ealert(1)%3C%2Fscript%3E&role=&role=frontline"},
		{form, "sector=health&next_step=later&caf-1=5&evil=1"},
		{form + "; charset=utf-8", "sector=%ff"},
		{form, "a=1&a=2&&&=&%zz=%"},
		{"multipart/form-data; boundary=x", "--x\r\n\r\n--x--"},
		{"application/json", `{"sector":"health"}`},
	} {
		f.Add(seed.contentType, seed.body)
	}
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req := httptest.NewRequest(http.MethodPost, section, strings.NewReader("csrf_token="+token+"&"+body))
		req.Header.Set("Content-Type", contentType)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := s.App().Test(req, -1)
		if err != nil {
			// With no timeout, app.Test fails only when fasthttp cannot
			// read the request (a broken multipart body, headers over the
			// read buffer): the running service answers those with a 4xx
			// before any handler (TestHostileRequests sends one).
			return
		}
		out, _ := io.ReadAll(resp.Body)
		if code := resp.StatusCode; code != http.StatusOK && code != http.StatusSeeOther && (code < 400 || code > 499) {
			t.Fatalf("status %d for %q %q:\n%.500s", code, contentType, body, out)
		}
		if strings.Contains(string(out), "<script>alert") {
			t.Fatalf("markup sent came back unescaped for %q", body)
		}
	})
}
