package optout

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

var tokenField = regexp.MustCompile(`name="` + web.CSRFField + `" value="([^"]+)"`)

// TestOptOut checks the link in every email on a real embedded store: the
// link alone opts nobody out (a mail scanner follows links), the button
// does, once, whatever is pressed after; the page is in the contact's
// language; a link with a wrong MAC, or another contact's MAC, is a 404.
func TestOptOut(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(ctx) })
	cat, err := survey.LoadDir(os.DirFS("../../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	links := mail.NewLinks(st, "https://iwt.example.org")
	p, err := New(Options{Store: st, Surveys: cat, Links: links, Now: func() time.Time { return now }, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(web.CSRF(web.NewSecrets(st), false, func() time.Time { return now }))
	p.Register(web.NewRoutes(app, nil))

	contacts := []store.Contact{
		{ID: "c1", SurveyID: "young-people", Round: "baseline", Email: "a@example.org", Created: now},
		{ID: "c2", SurveyID: "young-people", Round: "baseline", Email: "b@example.org", Language: "pl", Created: now},
	}
	if err := st.AddContacts(ctx, contacts, nil, nil); err != nil {
		t.Fatal(err)
	}
	path := func(id string) string {
		p, err := links.OptOutPath(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return "/o/" + p
	}
	var cookie *http.Cookie
	do := func(method, target, token string) (int, string) {
		t.Helper()
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(url.Values{web.CSRFField: {token}}.Encode())
		}
		req := httptest.NewRequest(method, target, body)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		for _, c := range resp.Cookies() {
			cookie = c
		}
		if cc := resp.Header.Get("Cache-Control"); resp.StatusCode == http.StatusOK && cc != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", method, target, cc)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	optedOut := func(id string) bool {
		t.Helper()
		c, err := st.Contact(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return c.OptedOut
	}

	status, page := do(http.MethodGet, path("c1"), "")
	if status != http.StatusOK || !strings.Contains(page, `id="stop_emails"`) {
		t.Fatalf("the link: %d, want the page with its button\n%.500s", status, page)
	}
	if optedOut("c1") {
		t.Fatal("opening the link opted the contact out: a mail scanner would")
	}
	m := tokenField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no form token on the page")
	}
	for range 2 {
		if status, page := do(http.MethodPost, path("c1"), m[1]); status != http.StatusOK || !strings.Contains(page, `id="opted_out"`) {
			t.Fatalf("pressing the button: %d\n%.500s", status, page)
		}
	}
	if !optedOut("c1") || optedOut("c2") {
		t.Errorf("opted out: c1 %v, c2 %v; want c1 only", optedOut("c1"), optedOut("c2"))
	}

	if _, page := do(http.MethodGet, path("c2"), ""); !strings.Contains(page, `lang="pl"`) {
		t.Errorf("a Polish contact's page is not in Polish\n%.500s", page)
	}

	c1, c2 := path("c1"), path("c2")
	last := "0" // c2's link with its last character changed
	if strings.HasSuffix(c2, last) {
		last = "1"
	}
	for _, wrong := range []string{
		"/o/c2-" + strings.SplitN(c1, "-", 2)[1], // c1's MAC on c2
		c2[:len(c2)-1] + last,
		"/o/c2",
		"/o/nobody-" + strings.SplitN(c1, "-", 2)[1],
	} {
		if status, _ := do(http.MethodGet, wrong, ""); status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", wrong, status)
		}
	}
	if optedOut("c2") {
		t.Error("a wrong link opted c2 out")
	}
}
