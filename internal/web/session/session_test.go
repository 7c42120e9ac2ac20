package session

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
)

// guarded is an app with two guarded routes on a real embedded store: one
// for administrators, one for whoever may invite for the organisation in
// the address. Both answer who they ran for.
func guarded(t *testing.T, now *time.Time) (*fiber.App, *Sessions, *sqlite.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	s := New(st, nil, func() time.Time { return *now }, true)
	app := fiber.New()
	who := func(c *fiber.Ctx) error { return c.SendString(Of(c).Account.Email) }
	app.Get("/rounds", s.Guard(auth.ManageRounds), who)
	app.Get("/org/:org", s.Guard(auth.Invite), who)
	app.Get("/sign-in/:id", func(c *fiber.Ctx) error {
		a, err := st.Account(c.UserContext(), c.Params("id"))
		if err != nil {
			return err
		}
		return s.Start(c, a)
	})
	app.Get("/sign-out", s.Guard(auth.Staff), func(c *fiber.Ctx) error { return s.End(c) })
	return app, s, st
}

func account(t *testing.T, st *sqlite.Store, id string, role auth.Role, org string, now time.Time) {
	t.Helper()
	a := store.Account{ID: id, Email: id + "@example.org", Name: id, Role: string(role), Organisation: org, Created: now}
	if err := st.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
}

// get requests path with the session cookie, if any, and returns the
// response and its body.
func get(t *testing.T, app *fiber.App, path string, cookie *http.Cookie) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

// signIn starts a session for the account and returns its cookie.
func signIn(t *testing.T, app *fiber.App, id string) *http.Cookie {
	t.Helper()
	resp, _ := get(t, app, "/sign-in/"+id, nil)
	for _, c := range resp.Cookies() {
		if c.Name == Cookie {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v: want HttpOnly, Secure and SameSite=Lax", c)
			}
			return c
		}
	}
	t.Fatalf("signing %s in set no session cookie", id)
	return nil
}

// TestGuard checks the guard every staff route sits behind: nobody is sent
// to sign in, with the address to come back to; a role the permission does
// not allow, or an organisation not one's own, is refused; an expired
// session or a disabled account is nobody; no guarded page is cached.
func TestGuard(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	app, _, st := guarded(t, &now)
	account(t, st, "admin", auth.Admin, "", now)
	account(t, st, "police", auth.Coordinator, "police", now)

	resp, _ := get(t, app, "/rounds?x=1", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/sign-in?next=%2Frounds%3Fx%3D1" {
		t.Errorf("nobody: %d %q, want 303 to sign in and back", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = get(t, app, "/rounds", &http.Cookie{Name: Cookie, Value: "made-up"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a made-up session: %d, want 303", resp.StatusCode)
	}

	admin, police := signIn(t, app, "admin"), signIn(t, app, "police")
	cases := []struct {
		path   string
		cookie *http.Cookie
		status int
	}{
		{"/rounds", admin, http.StatusOK},
		{"/rounds", police, http.StatusForbidden},
		{"/org/police", police, http.StatusOK},
		{"/org/health", police, http.StatusForbidden},
		{"/org/%70olice", police, http.StatusOK}, // decoded once, for the check and the handler alike
		{"/org/health", admin, http.StatusOK},
	}
	for _, c := range cases {
		resp, body := get(t, app, c.path, c.cookie)
		if resp.StatusCode != c.status {
			t.Errorf("%s as %s: %d %s, want %d", c.path, c.cookie.Value[:4], resp.StatusCode, body, c.status)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", c.path, cc)
		}
	}

	// An expired session is nobody, and is deleted.
	now = now.Add(Lifetime)
	if resp, _ := get(t, app, "/rounds", admin); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("expired session: %d, want 303", resp.StatusCode)
	}
	if _, err := st.Session(context.Background(), auth.TokenHash(admin.Value)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired session still stored: %v", err)
	}
}

// TestDisabledAccountIsNobody checks that disabling an account ends what
// its open sessions may do at their next request.
func TestDisabledAccountIsNobody(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	app, _, st := guarded(t, &now)
	a := store.Account{ID: "gone", Email: "gone@example.org", Name: "Gone", Role: string(auth.Admin), Created: now, Disabled: true}
	if err := st.CreateAccount(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	cookie := signIn(t, app, "gone")
	if resp, _ := get(t, app, "/rounds", cookie); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("disabled account: %d, want 303 to sign in", resp.StatusCode)
	}
}

// TestSignOutEndsOnlyItsSession checks that signing out deletes that
// session, clears its cookie, and leaves the person's other sessions.
func TestSignOutEndsOnlyItsSession(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	app, _, st := guarded(t, &now)
	account(t, st, "admin", auth.Admin, "", now)
	desk, phone := signIn(t, app, "admin"), signIn(t, app, "admin")
	resp, _ := get(t, app, "/sign-out", desk)
	cleared := false
	for _, c := range resp.Cookies() {
		cleared = cleared || (c.Name == Cookie && c.Value == "" && (c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(now))))
	}
	if !cleared {
		t.Error("signing out did not clear the session cookie")
	}
	if resp, _ := get(t, app, "/rounds", desk); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed-out session: %d, want 303", resp.StatusCode)
	}
	if resp, body := get(t, app, "/rounds", phone); resp.StatusCode != http.StatusOK || body != "admin@example.org" {
		t.Errorf("the other session: %d %q, want it still signed in", resp.StatusCode, body)
	}
}
