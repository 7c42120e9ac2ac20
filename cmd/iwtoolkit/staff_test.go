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
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
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

func TestStaffSignInAndOut(t *testing.T) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testStaffSignInAndOut(t, newEnv(t)) })
	}
}

func testStaffSignInAndOut(t *testing.T, e env) {
	svc := start(t, e)
	addStaff(t, e, "Admin@Example.org", "admin", "", staffPassword)
	b := newBrowser(t, svc.URL)

	// Not signed in: staff pages and reports lead to the sign-in page.
	for _, path := range []string{"/staff", "/staff/users", "/r/integrated-working"} {
		p := b.get(path).must(t, http.StatusOK)
		if p.URL.Path != "/staff/sign-in" || p.URL.Query().Get("next") != path {
			t.Errorf("GET %s when signed out: at %s, want the sign-in page returning to %s", path, p.URL, path)
		}
	}

	// A wrong password: the page again, with the error and the email.
	p := b.postWithToken("/staff/sign-in", url.Values{"email": {"admin@example.org"}, "password": {"not the password"}}).must(t, http.StatusUnauthorized)
	for _, want := range []string{"<title>Error: Sign in", "There is a problem", `<a href="#email">The email address or password is not correct</a>`, `value="admin@example.org"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("sign-in with a wrong password: page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "not the password") {
		t.Error("the page shows the password that was typed")
	}
	p = b.postWithToken("/staff/sign-in", url.Values{"email": {""}, "password": {""}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "Enter your email address") || !strings.Contains(p.Body, "Enter your password") {
		t.Errorf("empty sign-in form: %s", text(p.Body))
	}

	// The right password, in another case of email: a session cookie.
	token := csrfOf(t, b.get("/staff/sign-in?next=/staff/users"))
	form := url.Values{"email": {"ADMIN@example.org"}, "password": {staffPassword}, "next": {"/staff/users"}, "csrf_token": {token}}
	req, _ := http.NewRequest(http.MethodPost, svc.URL+"/staff/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := noRedirects(b).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/users" {
		t.Fatalf("sign-in: %d to %q, want 303 to /staff/users", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie string
	for _, c := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "iwt_session=") {
			cookie = c
		}
	}
	for _, want := range []string{"httponly", "samesite=lax", "path=/"} {
		if !strings.Contains(strings.ToLower(cookie), want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(strings.ToLower(cookie), "secure") {
		t.Errorf("session cookie %q is Secure on http", cookie)
	}
	sessionValue := strings.TrimPrefix(strings.SplitN(cookie, ";", 2)[0], "iwt_session=")

	p = b.get("/staff").must(t, http.StatusOK)
	if !strings.Contains(text(p.Body), "Signed in as Test admin (Administrator)") {
		t.Errorf("dashboard: %s", text(p.Body))
	}

	// Signing out ends the session in the store, not only in the browser.
	p = b.post("/staff/sign-out", url.Values{"csrf_token": {csrfOf(t, b.get("/staff"))}}).must(t, http.StatusOK)
	if p.URL.Path != "/staff/sign-in" {
		t.Errorf("after signing out: at %s", p.URL)
	}
	if p := b.get("/staff").must(t, http.StatusOK); p.URL.Path != "/staff/sign-in" {
		t.Errorf("GET /staff after signing out: at %s", p.URL)
	}
	replay, _ := http.NewRequest(http.MethodGet, svc.URL+"/staff", nil)
	replay.AddCookie(&http.Cookie{Name: "iwt_session", Value: sessionValue})
	resp, err = noRedirects(b).Do(replay)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the old session cookie after signing out: %d, want 303 to sign in", resp.StatusCode)
	}

	got := auditActions(t, e)
	want := []string{
		"admin@example.org signed out",
		"admin@example.org signed in",
		"sign-in failed admin@example.org",
		"add-user command created user admin@example.org (admin)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
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

// TestStaffRoles checks what each role reaches, on the server: by address,
// by form, and a co-ordinator by editing the organisation in the address.
func TestStaffRoles(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	browsers := map[string]*browser{
		"admin":        staffBrowser(t, svc, "admin", ""),
		"analyst":      staffBrowser(t, svc, "analyst", ""),
		"board-viewer": staffBrowser(t, svc, "board-viewer", ""),
		"coordinator":  staffBrowser(t, svc, "coordinator", "Northfield School"),
	}
	const ok, no = http.StatusOK, http.StatusForbidden
	for _, tc := range []struct {
		path string
		want map[string]int // by role
	}{
		{"/staff", map[string]int{"admin": ok, "analyst": ok, "board-viewer": ok, "coordinator": ok}},
		{"/r/integrated-working", map[string]int{"admin": ok, "analyst": ok, "board-viewer": ok, "coordinator": ok}},
		{"/staff/users", map[string]int{"admin": ok, "analyst": no, "board-viewer": no, "coordinator": no}},
		{"/staff/users/new", map[string]int{"admin": ok, "analyst": no, "board-viewer": no, "coordinator": no}},
		{"/staff/audit", map[string]int{"admin": ok, "analyst": no, "board-viewer": no, "coordinator": no}},
		{"/staff/organisations/Northfield%20School", map[string]int{"admin": ok, "analyst": ok, "board-viewer": ok, "coordinator": ok}},
		{"/staff/organisations/Southside%20Academy", map[string]int{"admin": ok, "analyst": ok, "board-viewer": ok, "coordinator": no}},
		{"/staff/organisations/northfield%20school", map[string]int{"admin": ok, "analyst": ok, "board-viewer": ok, "coordinator": no}},
	} {
		for role, b := range browsers {
			p := b.get(tc.path).must(t, tc.want[role])
			if tc.want[role] == no && !strings.Contains(p.Body, "You do not have permission to see this page") {
				t.Errorf("%s GET %s: 403 without saying why", role, tc.path)
			}
			if tc.want[role] == ok && p.URL.Path == "/staff/sign-in" {
				t.Errorf("%s GET %s: sent to sign in", role, tc.path)
			}
		}
	}

	// The navigation offers only what the role may use.
	dash := browsers["board-viewer"].get("/staff").must(t, ok)
	if strings.Contains(dash.Body, `href="/staff/users"`) || strings.Contains(dash.Body, `href="/staff/audit"`) {
		t.Error("the board viewer's dashboard links to admin pages")
	}
	if dash := browsers["coordinator"].get("/staff").must(t, ok); !strings.Contains(dash.Body, `href="/staff/organisations/Northfield%20School"`) {
		t.Error("the co-ordinator's dashboard does not link to their organisation")
	}

	// Forms: anyone but an admin posting the add-user form, with a valid
	// CSRF token of their own, is refused and nothing is stored.
	for _, role := range []string{"analyst", "board-viewer", "coordinator"} {
		b := browsers[role]
		token := csrfOf(t, b.get("/staff"))
		form := url.Values{"csrf_token": {token}, "email": {role + "-made@example.org"}, "name": {"Made"}, "role": {"admin"}, "password": {staffPassword}}
		b.post("/staff/users/new", form).must(t, no)
	}
	// An admin adds a co-ordinator; a role that is not one, or an
	// organisation for a role without one, is caught.
	admin := browsers["admin"]
	p := admin.postWithToken("/staff/users/new", url.Values{"email": {"x@example.org"}, "name": {"X"}, "role": {"root"}, "password": {staffPassword}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `<a href="#role">Select a role</a>`) || !strings.Contains(p.Body, `value="x@example.org"`) {
		t.Errorf("add user with an unknown role: %s", text(p.Body))
	}
	p = admin.postWithToken("/staff/users/new", url.Values{"email": {"New.Coordinator@example.org"}, "name": {"New <b>Co-ordinator</b>"}, "role": {"coordinator"}, "organisation": {"Southside Academy"}, "password": {staffPassword}}).must(t, ok)
	if p.URL.Path != "/staff/users" || !strings.Contains(p.Body, "Account added for new.coordinator@example.org") {
		t.Errorf("after adding a user: at %s: %s", p.URL, text(p.Body))
	}
	if !strings.Contains(p.Body, "New &lt;b&gt;Co-ordinator&lt;/b&gt;") {
		t.Error("the users page does not escape names")
	}
	p = admin.postWithToken("/staff/users/new", url.Values{"email": {"new.coordinator@EXAMPLE.org"}, "name": {"Again"}, "role": {"analyst"}, "password": {staffPassword}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "There is already an account with this email address") {
		t.Errorf("add a user twice: %s", text(p.Body))
	}
	// The new co-ordinator signs in and sees their organisation only.
	southside := newBrowser(t, svc.URL)
	southside.postWithToken("/staff/sign-in", url.Values{"email": {"new.coordinator@example.org"}, "password": {staffPassword}}).must(t, ok)
	southside.get("/staff/organisations/Southside%20Academy").must(t, ok)
	southside.get("/staff/organisations/Northfield%20School").must(t, no)

	st := storeOf(t, e)
	all, err := st.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("%d accounts stored, want the 4 the test added and the admin's 1", len(all))
	}
	for _, a := range all {
		if a.Email == "new.coordinator@example.org" && (a.Role != "coordinator" || a.Organisation != "Southside Academy") {
			t.Errorf("stored co-ordinator %+v", a)
		}
	}
	log := auditActions(t, e)
	if !slices.Contains(log, "admin-"+adminNumber(t, all)+"@example.org created user new.coordinator@example.org (coordinator, Southside Academy)") {
		t.Errorf("audit log lacks the admin's new user:\n%s", strings.Join(log, "\n"))
	}
	if !slices.ContainsFunc(log, func(s string) bool { return strings.HasSuffix(s, "viewed report integrated-working") }) {
		t.Error("audit log lacks report views")
	}
}

// adminNumber finds the sequence number in the test admin's email.
func adminNumber(t *testing.T, all []store.Account) string {
	t.Helper()
	for _, a := range all {
		if n, ok := strings.CutPrefix(a.Email, "admin-"); ok {
			return strings.TrimSuffix(n, "@example.org")
		}
	}
	t.Fatal("no admin account")
	return ""
}

// TestStaffCSRF checks that forged or missing tokens are refused with a
// 403 and store nothing, on a staff form and on the sign-in form.
func TestStaffCSRF(t *testing.T) {
	e := sqliteEnv(t)
	svc := start(t, e)
	admin := staffBrowser(t, svc, "admin", "")
	other := newBrowser(t, svc.URL)
	othersToken := csrfOf(t, other.get("/staff/sign-in")) // valid, for another browser's cookie
	before := len(auditActions(t, e))

	newUser := url.Values{"email": {"forged@example.org"}, "name": {"Forged"}, "role": {"admin"}, "password": {staffPassword}}
	for name, token := range map[string]string{
		"missing":               "",
		"forged":                strings.Repeat("0", 64),
		"another browser's":     othersToken,
		"from a changed cookie": "",
	} {
		b := admin
		form := url.Values{}
		for k, v := range newUser {
			form[k] = v
		}
		if token != "" {
			form.Set("csrf_token", token)
		}
		if name == "from a changed cookie" {
			// A page's token, then a different cookie: the pair no longer matches.
			form.Set("csrf_token", csrfOf(t, b.get("/staff/users/new")))
			u, _ := url.Parse(svc.URL)
			b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "iwt_csrf", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Path: "/"}})
		}
		p := b.post("/staff/users/new", form).must(t, http.StatusForbidden)
		if !strings.Contains(text(p.Body), "Your session has expired or the form was changed. Go back, reload the page and try again.") {
			t.Errorf("%s token: %s", name, text(p.Body))
		}
	}
	// No cookie at all: a fresh client posting a form.
	bare := &http.Client{}
	resp, err := bare.PostForm(svc.URL+"/staff/sign-in", url.Values{"email": {"a@example.org"}, "password": {"x"}, "csrf_token": {othersToken}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in with no CSRF cookie: %d, want 403", resp.StatusCode)
	}

	if _, err := storeOf(t, e).AccountByEmail(context.Background(), "forged@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an account was stored from a forged form: %v", err)
	}
	if after := len(auditActions(t, e)); after != before {
		t.Errorf("refused forms wrote %d audit entries", after-before)
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
