package staff_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/webtest"
)

// TestStaffSignInAndOut signs in through the sign-in page, on both stores:
// signed out, staff pages and reports lead to it; a wrong password or
// empty fields are said on the page; the right one, in another case of
// email, gives a session cookie and goes where the address said; signing
// out ends the session in the store, not only in the browser.
func TestStaffSignInAndOut(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, testStaffSignInAndOut)
}

func testStaffSignInAndOut(t *testing.T, e *webtest.Env) {
	serve(t, e, reportsAndPack(t, e)...)
	a := e.AccountWithPassword(auth.Admin, "")
	email := a.Email
	b := e.Browser()

	// Not signed in: staff pages and reports lead to the sign-in page.
	for _, path := range []string{"/staff", "/staff/users", "/r/integrated-working"} {
		p := b.Get(path).Must(http.StatusOK)
		if p.URL.Path != "/staff/sign-in" || p.URL.Query().Get("next") != path {
			t.Errorf("GET %s when signed out: at %s, want the sign-in page returning to %s", path, p.URL, path)
		}
	}

	// A wrong password: the page again, with the error and the email.
	p := b.PostWithToken("/staff/sign-in", url.Values{"email": {email}, "password": {"not the password"}}).Must(http.StatusUnauthorized)
	for _, want := range []string{"<title>Error: Sign in", "There is a problem", `<a href="#email">The email address or password is not correct</a>`, `value="` + email + `"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("sign-in with a wrong password: page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "not the password") {
		t.Error("the page shows the password that was typed")
	}
	p = b.PostWithToken("/staff/sign-in", url.Values{"email": {""}, "password": {""}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "Enter your email address") || !strings.Contains(p.Body, "Enter your password") {
		t.Errorf("empty sign-in form: %s", webtest.Text(p.Body))
	}

	// The right password, in another case of email: a session cookie.
	token := b.Get("/staff/sign-in?next=/staff/users").CSRF()
	form := url.Values{"email": {strings.ToUpper(email[:5]) + email[5:]}, "password": {webtest.Password}, "next": {"/staff/users"}, "csrf_token": {token}}
	req := httptest.NewRequest(http.MethodPost, "/staff/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := b.Once(req)
	if resp.Status != http.StatusSeeOther || resp.Header.Get("Location") != "/staff/users" {
		t.Fatalf("sign-in: %d to %q, want 303 to /staff/users", resp.Status, resp.Header.Get("Location"))
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

	p = b.Get("/staff").Must(http.StatusOK)
	if !strings.Contains(webtest.Text(p.Body), "Signed in as Test admin (Administrator)") {
		t.Errorf("dashboard: %s", webtest.Text(p.Body))
	}

	// Signing out ends the session in the store, not only in the browser.
	p = b.Post("/staff/sign-out", url.Values{"csrf_token": {b.Get("/staff").CSRF()}}).Must(http.StatusOK)
	if p.URL.Path != "/staff/sign-in" {
		t.Errorf("after signing out: at %s", p.URL)
	}
	if p := b.Get("/staff").Must(http.StatusOK); p.URL.Path != "/staff/sign-in" {
		t.Errorf("GET /staff after signing out: at %s", p.URL)
	}
	replay := e.Browser()
	replay.SetCookie(&http.Cookie{Name: "iwt_session", Value: sessionValue, Path: "/"})
	if resp := replay.Once(httptest.NewRequest(http.MethodGet, "/staff", nil)); resp.Status != http.StatusSeeOther {
		t.Errorf("the old session cookie after signing out: %d, want 303 to sign in", resp.Status)
	}

	got := e.AuditLog()
	want := []string{
		email + " signed out",
		email + " signed in",
		"sign-in failed " + email,
	} // the account was made in the store: the add-user command's entry is cmd/iwtoolkit's TestStaffAddUser
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
}

// TestStaffRoles checks what each role reaches, on the server: by address,
// by form, and a co-ordinator by editing the organisation in the address.
func TestStaffRoles(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e, reportsAndPack(t, e)...)
	browsers := map[string]*webtest.Browser{
		"admin":        staffBrowser(t, e, auth.Admin, ""),
		"analyst":      staffBrowser(t, e, auth.Analyst, ""),
		"board-viewer": staffBrowser(t, e, auth.BoardViewer, ""),
		"coordinator":  staffBrowser(t, e, auth.Coordinator, "Northfield School"),
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
			p := b.Get(tc.path).Must(tc.want[role])
			if tc.want[role] == no && !strings.Contains(p.Body, "You do not have permission to see this page") {
				t.Errorf("%s GET %s: 403 without saying why", role, tc.path)
			}
			if tc.want[role] == ok && p.URL.Path == "/staff/sign-in" {
				t.Errorf("%s GET %s: sent to sign in", role, tc.path)
			}
		}
	}

	// The navigation offers only what the role may use.
	dash := browsers["board-viewer"].Get("/staff").Must(ok)
	if strings.Contains(dash.Body, `href="/staff/users"`) || strings.Contains(dash.Body, `href="/staff/audit"`) {
		t.Error("the board viewer's dashboard links to admin pages")
	}
	if dash := browsers["coordinator"].Get("/staff").Must(ok); !strings.Contains(dash.Body, `href="/staff/organisations/Northfield%20School"`) {
		t.Error("the co-ordinator's dashboard does not link to their organisation")
	}

	// Forms: anyone but an admin posting the add-user form, with a valid
	// CSRF token of their own, is refused and nothing is stored.
	for _, role := range []string{"analyst", "board-viewer", "coordinator"} {
		b := browsers[role]
		token := b.Get("/staff").CSRF()
		form := url.Values{"csrf_token": {token}, "email": {role + "-made@example.org"}, "name": {"Made"}, "role": {"admin"}, "password": {webtest.Password}}
		b.Post("/staff/users/new", form).Must(no)
	}
	// An admin adds a co-ordinator; a role that is not one, or an
	// organisation for a role without one, is caught.
	admin := browsers["admin"]
	p := admin.PostWithToken("/staff/users/new", url.Values{"email": {"x@example.org"}, "name": {"X"}, "role": {"root"}, "password": {webtest.Password}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, `<a href="#role">Select a role</a>`) || !strings.Contains(p.Body, `value="x@example.org"`) {
		t.Errorf("add user with an unknown role: %s", webtest.Text(p.Body))
	}
	p = admin.PostWithToken("/staff/users/new", url.Values{"email": {"New.Coordinator@example.org"}, "name": {"New <b>Co-ordinator</b>"}, "role": {"coordinator"}, "organisation": {"Southside Academy"}, "password": {webtest.Password}}).Must(ok)
	if p.URL.Path != "/staff/users" || !strings.Contains(p.Body, "Account added for new.coordinator@example.org") {
		t.Errorf("after adding a user: at %s: %s", p.URL, webtest.Text(p.Body))
	}
	if !strings.Contains(p.Body, "New &lt;b&gt;Co-ordinator&lt;/b&gt;") {
		t.Error("the users page does not escape names")
	}
	p = admin.PostWithToken("/staff/users/new", url.Values{"email": {"new.coordinator@EXAMPLE.org"}, "name": {"Again"}, "role": {"analyst"}, "password": {webtest.Password}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "There is already an account with this email address") {
		t.Errorf("add a user twice: %s", webtest.Text(p.Body))
	}
	// The new co-ordinator signs in and sees their organisation only.
	southside := e.Browser()
	southside.PostWithToken("/staff/sign-in", url.Values{"email": {"new.coordinator@example.org"}, "password": {webtest.Password}}).Must(ok)
	southside.Get("/staff/organisations/Southside%20Academy").Must(ok)
	southside.Get("/staff/organisations/Northfield%20School").Must(no)

	st := e.Store
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
	log := e.AuditLog()
	if !slices.Contains(log, adminEmail(t, all)+" created user new.coordinator@example.org (coordinator, Southside Academy)") {
		t.Errorf("audit log lacks the admin's new user:\n%s", strings.Join(log, "\n"))
	}
	if !slices.ContainsFunc(log, func(s string) bool { return strings.HasSuffix(s, "viewed report integrated-working") }) {
		t.Error("audit log lacks report views")
	}
}

// TestStaffCSRF checks that forged or missing tokens are refused with a
// 403 and store nothing, on a staff form and on the sign-in form.
func TestStaffCSRF(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	admin := staffBrowser(t, e, auth.Admin, "")
	other := e.Browser()
	othersToken := other.Get("/staff/sign-in").CSRF() // valid, for another browser's cookie
	before := len(e.AuditLog())

	newUser := url.Values{"email": {"forged@example.org"}, "name": {"Forged"}, "role": {"admin"}, "password": {webtest.Password}}
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
			form.Set("csrf_token", b.Get("/staff/users/new").CSRF())
			b.SetCookie(&http.Cookie{Name: "iwt_csrf", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Path: "/"})
		}
		p := b.Post("/staff/users/new", form).Must(http.StatusForbidden)
		if !strings.Contains(webtest.Text(p.Body), "Your session has expired or the form was changed. Go back, reload the page and try again.") {
			t.Errorf("%s token: %s", name, webtest.Text(p.Body))
		}
	}
	// No cookie at all: a fresh client posting a form.
	bare := e.Browser().Post("/staff/sign-in", url.Values{"email": {"a@example.org"}, "password": {"x"}, "csrf_token": {othersToken}})
	if bare.Status != http.StatusForbidden {
		t.Errorf("sign-in with no CSRF cookie: %d, want 403", bare.Status)
	}

	if _, err := e.Store.AccountByEmail(context.Background(), "forged@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an account was stored from a forged form: %v", err)
	}
	if after := len(e.AuditLog()); after != before {
		t.Errorf("refused forms wrote %d audit entries", after-before)
	}
}

// TestStaffPagesNameThings checks that staff pages name organisations and
// rounds by their labels, not their ids; that a co-ordinator's dashboard
// links to their organisation's reports; and that the report and its
// views carry the staff navigation with signing out, as every staff page
// does.
func TestStaffPagesNameThings(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e, reportsAndPack(t, e)...)
	d := e.Survey("integrated-working")
	ref := e.Respond(d, "baseline", respondent0, 0)
	const org, label = "council-childrens-services", "Borough council children's services"

	coordinator := staffBrowser(t, e, auth.Coordinator, org)
	home := coordinator.Get("/staff").Must(http.StatusOK)
	if s := webtest.Text(home.Body); strings.Contains(s, "will appear here") || strings.Contains(s, "("+"Organisation co-ordinator, "+org+")") {
		t.Errorf("a co-ordinator's dashboard: %s", s)
	}
	if !strings.Contains(home.Body, `<a class="govuk-link" href="/r/`+d.ID+`">`) {
		t.Errorf("a co-ordinator's dashboard does not link to the report of %s:\n%s", d.ID, webtest.Text(home.Body))
	}
	if !strings.Contains(webtest.Text(home.Body), label) {
		t.Errorf("a co-ordinator's dashboard does not name their organisation %q:\n%s", label, webtest.Text(home.Body))
	}
	if s := webtest.Text(coordinator.Get("/staff/organisations/" + org).Must(http.StatusOK).Body); !strings.Contains(s, label) {
		t.Errorf("the organisation's page does not name it %q: %s", label, s)
	}
	view := coordinator.Get("/r/" + d.ID + "/views/overview").Must(http.StatusOK)
	if s := webtest.Text(view.Body); !strings.Contains(s, "organisation: "+label) {
		t.Errorf("a co-ordinator's report view does not say its filter in words: %s", s)
	}

	admin := staffBrowser(t, e, auth.Admin, "")
	if s := webtest.Text(admin.Get("/staff/users").Must(http.StatusOK).Body); !strings.Contains(s, label) {
		t.Errorf("the users page does not name the co-ordinator's organisation %q: %s", label, s)
	}
	for _, path := range []string{"/r/" + d.ID, "/r/" + d.ID + "/views/trend", "/r/" + d.ID + "/pack"} {
		p := admin.Get(path).Must(http.StatusOK)
		if !strings.Contains(p.Body, `aria-label="Staff pages"`) || !strings.Contains(p.Body, `action="/staff/sign-out"`) {
			t.Errorf("%s has no staff navigation or sign-out button", path)
		}
	}
	confirm := admin.PostWithToken("/staff/erasure", url.Values{"reference": {ref}}).Must(http.StatusOK)
	if s := webtest.Text(webtest.Element(t, confirm.Body, "dl", "confirm_details")); !strings.Contains(s, "Round Baseline, autumn 2026") {
		t.Errorf("the erasure confirmation does not name the round by its label: %s", s)
	}
}

// TestAdminRoundPages: an administrator's round page gives the full
// address and a QR code while the round is open, only the actions its
// state allows, and its retention date; the dashboard lists open rounds
// with what needs doing.
func TestAdminRoundPages(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	admin := staffBrowser(t, e, auth.Admin, "")
	base := "/staff/surveys/" + d.ID + "/rounds/baseline"
	open := admin.Get(base).Must(http.StatusOK).Body
	address := webtest.BaseURL + "/s/" + d.ID + "/baseline"
	if !strings.Contains(open, `id="round_address" name="round_address" type="text" value="`+address+`"`) {
		t.Errorf("the round's page does not give its full address %s", address)
	}
	qr := admin.Get(base + "/qr.png").Must(http.StatusOK)
	img, err := png.Decode(bytes.NewReader([]byte(qr.Body)))
	if err != nil || img.Bounds().Dx() != 512 {
		t.Errorf("the QR code is not a 512-pixel PNG: %v", err)
	}
	staffBrowser(t, e, auth.Coordinator, "police").Get(base + "/qr.png").Must(http.StatusForbidden)
	if strings.Contains(open, `id="open_now"`) || !strings.Contains(open, `id="close_now"`) || strings.Contains(open, `id="delete_responses"`) {
		t.Errorf("an open round's actions: %s", webtest.Text(webtest.Element(t, open, "div", "open_close")))
	}
	if got := webtest.Text(webtest.Element(t, open, "dd", "round_retention")); got != "Kept for 24 months after the round closes. It has no closing time yet, so there is no date yet." {
		t.Errorf("an open round's retention: %q", got)
	}
	if got := webtest.Text(webtest.Element(t, admin.Get("/staff").Must(http.StatusOK).Body, "dd", "needs_"+d.ID+"_baseline")); !strings.Contains(got, "Set when it closes") {
		t.Errorf("the dashboard says of an open round with no closing time: %q", got)
	}

	admin.PostWithToken(base+"/close", url.Values{"confirm": {"yes"}}).Must(http.StatusOK)
	closed := admin.Get(base).Must(http.StatusOK).Body
	if !strings.Contains(closed, `id="open_now"`) || strings.Contains(closed, `id="close_now"`) || !strings.Contains(closed, `id="delete_responses"`) {
		t.Errorf("a closed round's actions: %s", webtest.Text(webtest.Element(t, closed, "div", "open_close")))
	}
	if strings.Contains(closed, `id="round_address"`) || strings.Contains(closed, "qr.png") {
		t.Error("a closed round's page offers its address to share")
	}
	status := webtest.Text(webtest.Element(t, closed, "dd", "round_status"))
	day := strings.TrimPrefix(status, "Closed on ")
	closedAt, err := rounds.ParseLondonTime(day)
	if err != nil {
		t.Fatalf("a closed round's state: %q (%v)", status, err)
	}
	want := fmt.Sprintf("Kept for 24 months after the round closed: until %s.", rounds.LondonDate(closedAt.AddDate(0, 24, 0)))
	if got := webtest.Text(webtest.Element(t, closed, "dd", "round_retention")); got != want {
		t.Errorf("a closed round's retention: %q, want %q", got, want)
	}
	if strings.Contains(admin.Get("/staff").Must(http.StatusOK).Body, `id="open_`+d.ID+`_baseline"`) {
		t.Error("the dashboard lists a closed round as open")
	}
}

// adminEmail is the test admin's email.
func adminEmail(t *testing.T, all []store.Account) string {
	t.Helper()
	for _, a := range all {
		if strings.HasPrefix(a.Email, "admin-") {
			return a.Email
		}
	}
	t.Fatal("no admin account")
	return ""
}
