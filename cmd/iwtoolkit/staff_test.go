package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"iwtoolkit/internal/auth"
)

// addStaff adds an account with the add-user command, as an operator would.
func addStaff(t *testing.T, e env, email, role, org, password string) {
	t.Helper()
	args := []string{"add-user", "--email", email, "--name", "Test " + role, "--role", role}
	if org != "" {
		args = append(args, "--organisation", org)
	}
	var out bytes.Buffer
	if err := addUser(context.Background(), args[1:], e.getenv, strings.NewReader(password+"\n"), &out); err != nil {
		t.Fatalf("add-user %s: %v", email, err)
	}
}

func TestStaffAddUser(t *testing.T) {
	e := sqliteEnv(t)
	addStaff(t, e, "First.Admin@Example.org", "admin", "", "a long admin password")
	for _, tc := range []struct {
		args     []string
		password string
		says     string
	}{
		{[]string{"--email", "first.admin@example.org", "--name", "Again", "--role", "admin"}, "another long password", "already an account"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "admin"}, "too short", "at least 12 characters"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "admin"}, "", "no password"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "root"}, "a long enough password", "choose a role"},
		{[]string{"--email", "b@example.org", "--name", "B", "--role", "coordinator"}, "a long enough password", "organisation"},
		{[]string{"--email", "not-an-email", "--name", "B", "--role", "analyst"}, "a long enough password", "email address"},
	} {
		err := addUser(context.Background(), tc.args, e.getenv, strings.NewReader(tc.password+"\n"), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("add-user %v: error %v, want one saying %q", tc.args, err, tc.says)
		}
	}
	if err := run(context.Background(), []string{"add-user", "--bogus"}, e.getenv, io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("add-user --bogus: %v, want usage", err)
	}

	st := storeOf(t, e)
	a, err := st.AccountByEmail(context.Background(), "first.admin@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if a.Role != "admin" || a.Name != "Test admin" || strings.Contains(a.PasswordHash, "long admin") {
		t.Errorf("stored account %+v", a)
	}
	if ok, _ := auth.VerifyPassword(a.PasswordHash, "a long admin password"); !ok {
		t.Error("the stored hash does not verify the password given")
	}
	all, _ := st.Accounts(context.Background())
	if len(all) != 1 {
		t.Errorf("%d accounts stored, want 1", len(all))
	}
	log, _ := st.AuditLog(context.Background(), 10)
	if len(log) != 1 || log[0].Action != "created user" || log[0].Target != "first.admin@example.org (admin)" {
		t.Errorf("audit log %+v", log)
	}
}

const staffPassword = "staff password for tests"

var staffSeq atomic.Int64

// signInStaff adds an account with the role (and organisation) given and
// signs b in with it, through the sign-in page. It returns the email.
func signInStaff(t *testing.T, b *browser, e env, role, org string) string {
	t.Helper()
	email := fmt.Sprintf("%s-%d@example.org", role, staffSeq.Add(1))
	addStaff(t, e, email, role, org, staffPassword)
	form := url.Values{"email": {email}, "password": {staffPassword}}
	p := b.postWithToken("/staff/sign-in", form).must(t, http.StatusOK)
	if p.URL.Path != "/staff" {
		t.Fatalf("after signing in as %s: at %s, want /staff\n%s", role, p.URL, text(p.Body))
	}
	return email
}

// staffBrowser is a browser signed in with a new account of the role.
func staffBrowser(t *testing.T, svc *service, role, org string) *browser {
	t.Helper()
	b := newBrowser(t, svc.URL)
	signInStaff(t, b, svc.env, role, org)
	return b
}

var csrfField = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="([0-9a-f]{64})">`)

// csrfOf returns the CSRF token in a page's forms.
func csrfOf(t *testing.T, p page) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("%s: no csrf_token field in the page", p.URL)
	}
	return m[1]
}

// postWithToken posts a form with the CSRF token from the form's own page
// (GET of the same path), as a browser submitting the form would.
func (b *browser) postWithToken(path string, form url.Values) page {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf_token", csrfOf(b.t, b.get(path)))
	return b.post(path, f)
}

// auditActions are the audit log's entries as "actor action target", newest first.
func auditActions(t *testing.T, e env) []string {
	t.Helper()
	entries, err := storeOf(t, e).AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range entries {
		out = append(out, strings.TrimSpace(x.Actor+" "+x.Action+" "+x.Target))
	}
	return out
}

// noRedirects is a browser's client that stops at redirects, to read the
// headers of the response that sets a cookie.
func noRedirects(b *browser) *http.Client {
	c := *b.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func TestStaffSecureCookies(t *testing.T) {
	e := sqliteEnv(t)
	e["IWT_BASE_URL"] = "https://iwt.example.gov.uk"
	svc := start(t, e)
	addStaff(t, e, "admin@example.org", "admin", "", staffPassword)
	b := newBrowser(t, svc.URL)
	token := csrfOf(t, b.get("/staff/sign-in")) // the jar keeps a Secure cookie from http too
	form := url.Values{"email": {"admin@example.org"}, "password": {staffPassword}, "csrf_token": {token}}
	req, _ := http.NewRequest(http.MethodPost, svc.URL+"/staff/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range b.client.Jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	resp, err := noRedirects(b).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in over https settings: %d", resp.StatusCode)
	}
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "iwt_session=") && !strings.Contains(strings.ToLower(c), "; secure") {
			t.Errorf("session cookie %q is not Secure with an https base URL", c)
		}
	}
}

func TestStaffThrottle(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	addStaff(t, e, "analyst@example.org", "analyst", "", staffPassword)
	b := newBrowser(t, svc.URL)
	for i := 0; i < 5; i++ {
		b.postWithToken("/staff/sign-in", url.Values{"email": {"analyst@example.org"}, "password": {"wrong password"}}).must(t, http.StatusUnauthorized)
	}
	// The sixth try is refused even with the right password.
	p := b.postWithToken("/staff/sign-in", url.Values{"email": {"analyst@example.org"}, "password": {staffPassword}}).must(t, http.StatusTooManyRequests)
	if !strings.Contains(p.Body, "too many attempts to sign in. Wait 30 minutes") || !strings.Contains(p.Body, `value="analyst@example.org"`) {
		t.Errorf("throttled sign-in page: %s", text(p.Body))
	}
	if p.URL.Path != "/staff/sign-in" {
		t.Errorf("throttled sign-in: at %s", p.URL)
	}
	// Another account from the same address still signs in.
	signInStaff(t, newBrowser(t, svc.URL), e, "admin", "")

	// Many failures from one address, each for a different email, stop
	// that address too: 20 in all.
	for i := 0; i < 15; i++ {
		b.postWithToken("/staff/sign-in", url.Values{"email": {fmt.Sprintf("guess%d@example.org", i)}, "password": {"guess"}}).must(t, http.StatusUnauthorized)
	}
	b.postWithToken("/staff/sign-in", url.Values{"email": {"someone@example.org"}, "password": {"guess"}}).must(t, http.StatusTooManyRequests)

	// Counters are keyed by hashes: the client's address is nowhere in
	// the database.
	db, err := os.ReadFile(e["IWT_DATA_DIR"] + "/iwtoolkit.db")
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(e["IWT_DATA_DIR"] + "/iwtoolkit.db-wal")
	if bytes.Contains(append(db, wal...), []byte("127.0.0.1")) {
		t.Error("the client's IP address is in the database")
	}
}

func TestStaffHealthAndReadiness(t *testing.T) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) {
			svc := start(t, newEnv(t))
			b := newBrowser(t, svc.URL)
			for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
				p := b.get(path)
				if p.Status != http.StatusOK || strings.TrimSpace(p.Body) != want {
					t.Errorf("GET %s: %d %q, want 200 %q", path, p.Status, p.Body, want)
				}
			}
			req, _ := http.NewRequest(http.MethodGet, svc.URL+"/healthz", nil)
			resp, err := b.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID header")
			}
			if resp.Header.Get("Set-Cookie") != "" {
				t.Errorf("/healthz sets a cookie: %s", resp.Header.Get("Set-Cookie"))
			}
		})
	}
}
