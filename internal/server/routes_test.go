package server

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// params fills a route's parameters with values that exist where that
// matters (a survey, its round, the co-ordinator's organisation).
var params = map[string]string{
	"survey": "integrated-working", "round": "baseline", "section": "about-you", "org": "police",
	"version": "live", "view": "strands", "strand": "x", "id": "x", "token": "x", "key": "x",
}

var param = regexp.MustCompile(`:[a-z]+`)

// TestEveryRouteAsEveryRole walks the app's own routes (app.GetRoutes) and
// requests each as nobody and as each role. Every route must be in the
// route table (Server.Routes) with a permission; a public route is
// answered to anyone, any other sends nobody to sign in, refuses (403) a
// role its permission does not allow, and lets in a role it does.
func TestEveryRouteAsEveryRole(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	s, st, _ := testServer(t, &now)

	table := map[string]web.Route{}
	for _, r := range s.Routes() {
		table[r.Method+" "+r.Path] = r
	}
	users := map[auth.Role]store.Account{}
	for _, role := range auth.Roles {
		a := store.Account{ID: string(role), Email: string(role) + "@example.org", Name: string(role), Role: string(role), Created: now}
		if role == auth.Coordinator {
			a.Organisation = "police"
		}
		if err := st.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		users[role] = a
	}
	csrfCookie, token := formToken(t, s)

	if names, err := web.Unclaimed(); err != nil || len(names) > 0 {
		t.Errorf("templates no audience parses (add each to its package's list): %v %v", names, err)
	}
	checked := 0
	for _, route := range s.App().GetRoutes(true) {
		method := route.Method
		if method == http.MethodHead {
			method = http.MethodGet
		}
		r, ok := table[method+" "+route.Path]
		if !ok {
			t.Errorf("%s %s is not in the route table: add it with its permission to its audience's Register", route.Method, route.Path)
			continue
		}
		if r.Allow.IsPublic() && staffOnly(route.Path) {
			t.Errorf("%s %s is public under a staff address: give it its permission (only signing in is open to anyone there)", route.Method, route.Path)
		}
		path := param.ReplaceAllStringFunc(route.Path, func(p string) string { return params[p[1:]] })
		for _, role := range append([]auth.Role{""}, auth.Roles...) {
			var req *http.Request
			if route.Method == http.MethodPost {
				req = httptest.NewRequest(route.Method, path, strings.NewReader(web.CSRFField+"="+token))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req = httptest.NewRequest(route.Method, path, nil)
			}
			req.AddCookie(csrfCookie)
			if role != "" {
				req.AddCookie(signedIn(t, st, users[role], now))
			}
			resp, err := s.App().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			who := cmp.Or(string(role), "nobody")
			toSignIn := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/staff/sign-in?next=")
			refused := resp.StatusCode == http.StatusForbidden
			if resp.StatusCode >= 500 {
				// Every page renders: a template that does not parse, or
				// that its audience did not list, fails here, not in use.
				t.Errorf("%s %s as %s: %d\n%.300s", route.Method, path, cmp.Or(string(role), "nobody"), resp.StatusCode, body)
			}
			switch {
			case r.Allow.IsPublic() && (toSignIn || refused):
				t.Errorf("%s %s (public) as %s: %d %s", route.Method, path, who, resp.StatusCode, resp.Header.Get("Location"))
			case r.Allow.IsPublic():
			case role == "" && !toSignIn:
				t.Errorf("%s %s (%s) as nobody: %d, want a redirect to sign in", route.Method, path, r.Allow, resp.StatusCode)
			case role == "":
			case r.Allow.Allows(userOf(users[role])) && (toSignIn || refused):
				t.Errorf("%s %s (%s) as %s: %d, want it allowed\n%.300s", route.Method, path, r.Allow, who, resp.StatusCode, body)
			case !r.Allow.Allows(userOf(users[role])) && !refused:
				t.Errorf("%s %s (%s) as %s: %d, want 403", route.Method, path, r.Allow, who, resp.StatusCode)
			}
		}
		checked++
	}
	if checked < len(table) {
		t.Errorf("%d routes checked of %d in the table", checked, len(table))
	}
	t.Logf("%d routes (HEAD included), each as nobody and %d roles", checked, len(auth.Roles))
}

// staffOnly: the address is a staff page, a report or the report API,
// which only signed-in staff may use: the one public page there is the
// sign-in page. A staff page registered public by mistake is caught by
// this, as the walk alone sees a public page answered to anyone as right.
func staffOnly(path string) bool {
	for _, prefix := range []string{"/staff/", "/r/", "/api/"} {
		if strings.HasPrefix(path+"/", prefix) {
			return path != "/staff/sign-in"
		}
	}
	return false
}

// formToken is a browser's form-token cookie and the token its forms carry.
func formToken(t *testing.T, s *Server) (*http.Cookie, string) {
	t.Helper()
	resp, err := s.App().Test(httptest.NewRequest(http.MethodGet, "/staff/sign-in", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := tokenField.FindSubmatch(body)
	if m == nil {
		t.Fatal("no form token on the sign-in page")
	}
	for _, c := range resp.Cookies() {
		if c.Name == "iwt_csrf" {
			return c, string(m[1])
		}
	}
	t.Fatal("no form-token cookie")
	return nil, ""
}

// signedIn is a new session's cookie for an account: each request gets
// its own, so that signing out ends only its own.
func signedIn(t *testing.T, st store.Store, a store.Account, now time.Time) *http.Cookie {
	t.Helper()
	token := auth.NewToken()
	if err := st.CreateSession(context.Background(), store.Session{TokenHash: auth.TokenHash(token), AccountID: a.ID, Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: session.Cookie, Value: token}
}

func userOf(a store.Account) auth.User {
	return auth.User{Role: auth.Role(a.Role), Organisation: a.Organisation}
}
