package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// staffStore is what the staff side needs of a store; Store embeds it.
type staffStore interface {
	CreateAccount(ctx context.Context, a store.Account) error
	Account(ctx context.Context, id string) (store.Account, error)
	AccountByEmail(ctx context.Context, email string) (store.Account, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, tokenHash string) (store.Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteOtherSessions(ctx context.Context, accountID, keep string) error
	Increment(ctx context.Context, key string, now, expires time.Time) (int64, error)
	Count(ctx context.Context, key string, now time.Time) (int64, error)
	Audit(ctx context.Context, e store.AuditEntry) error
	AuditLog(ctx context.Context, limit int) ([]store.AuditEntry, error)
	Secret(ctx context.Context, name string) ([]byte, error)
	Ping(ctx context.Context) error
}

// staffState is what the server keeps in memory for the staff side: only
// copies of secrets from the store, fetched on first use with the
// request's context.
type staffState struct {
	mu      sync.Mutex
	secrets map[string][]byte
}

// secret returns a secret shared by every instance on the store.
func (s *Server) secret(ctx context.Context, name string) ([]byte, error) {
	s.staff.mu.Lock()
	defer s.staff.mu.Unlock()
	if v, ok := s.staff.secrets[name]; ok {
		return v, nil
	}
	v, err := s.store.Secret(ctx, name)
	if err != nil {
		return nil, err
	}
	if s.staff.secrets == nil {
		s.staff.secrets = map[string][]byte{}
	}
	s.staff.secrets[name] = v
	return v, nil
}

// keyedHash is an HMAC of v under the store's "client-hash" secret: what
// counters key an IP address or an email by, so that neither is stored
// and a copy of the store cannot be reversed by trying every address.
func (s *Server) keyedHash(ctx context.Context, v string) (string, error) {
	key, err := s.secret(ctx, "client-hash")
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil)[:16]), nil
}

const (
	sessionCookie   = "iwt_session"
	sessionLifetime = 8 * time.Hour // a working day; sign in again tomorrow
	staffLocal      = "staff"
)

// staffRoutes lists the staff routes. Every one but signing in goes
// through staffOnly, with the permission it needs.
func (s *Server) staffRoutes(app *fiber.App) {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)

	app.Get("/staff/sign-in", s.signInForm)
	app.Post("/staff/sign-in", s.signIn)
	app.Post("/staff/sign-out", s.staffOnly(anyStaff, s.signOut))
	app.Get("/staff", s.staffOnly(anyStaff, s.dashboard))
	app.Get("/staff/audit", s.staffOnly(auth.User.CanSeeAudit, s.auditLog))
	app.Get("/staff/users", s.staffOnly(auth.User.CanManageUsers, s.users))
	app.Get("/staff/users/new", s.staffOnly(auth.User.CanManageUsers, s.newUserForm))
	app.Post("/staff/users/new", s.staffOnly(auth.User.CanManageUsers, s.createUser))
	// :org is checked against the user's scope by staffOnly.
	app.Get("/staff/organisations/:org", s.staffOnly(anyStaff, s.organisation))
}

func anyStaff(u auth.User) bool { return u.Valid() == nil }

// signedIn is a member of staff on this request.
type signedIn struct {
	Account store.Account
	User    auth.User
}

func staffOf(c *fiber.Ctx) signedIn {
	v, _ := c.Locals(staffLocal).(signedIn)
	return v
}

// staffOnly wraps a staff handler: it loads the account from the session
// cookie, sends anyone not signed in to the sign-in page, and refuses with
// a 403 anyone whose role does not allow the page or whose organisation is
// not the one in the address. Nothing a handler does happens before this.
func (s *Server) staffOnly(allowed func(auth.User) bool, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		who, ok, err := s.currentStaff(c)
		if err != nil {
			return err
		}
		if !ok {
			return c.Redirect("/staff/sign-in?next="+url.QueryEscape(string(c.Request().URI().RequestURI())), http.StatusSeeOther)
		}
		if !allowed(who.User) {
			return fiber.NewError(http.StatusForbidden, "You do not have permission to see this page")
		}
		if c.Params("org") != "" && !who.User.CanSeeOrganisation(orgParam(c)) {
			return fiber.NewError(http.StatusForbidden, "You do not have permission to see this page")
		}
		c.Locals(staffLocal, who)
		return h(c)
	}
}

// orgParam is the organisation in the address, decoded. staffOnly checks
// it and handlers read it through this one function, so that the check and
// the use cannot see two different values. An address that does not
// decode names no organisation anyone may see.
func orgParam(c *fiber.Ctx) string {
	org, err := url.PathUnescape(c.Params("org"))
	if err != nil {
		return ""
	}
	return org
}

// currentStaff returns who is signed in on this request, if anyone: the
// session must exist and be unexpired, and its account must exist and be
// enabled.
func (s *Server) currentStaff(c *fiber.Ctx) (signedIn, bool, error) {
	token := c.Cookies(sessionCookie)
	if token == "" {
		return signedIn{}, false, nil
	}
	ctx := c.UserContext()
	sess, err := s.store.Session(ctx, auth.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return signedIn{}, false, nil
	}
	if err != nil {
		return signedIn{}, false, err
	}
	if !s.now().Before(sess.Expires) {
		return signedIn{}, false, s.store.DeleteSession(ctx, sess.TokenHash)
	}
	a, err := s.store.Account(ctx, sess.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return signedIn{}, false, nil
	}
	if err != nil || a.Disabled {
		return signedIn{}, false, err
	}
	return signedIn{Account: a, User: auth.User{Role: auth.Role(a.Role), Organisation: a.Organisation}}, true, nil
}

// audit records a staff action. Handlers pass what was done and to what;
// never anything a respondent wrote.
func (s *Server) audit(c *fiber.Ctx, actor, action, target string) error {
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{At: s.now(), Actor: actor, Action: action, Target: target}); err != nil {
		return fmt.Errorf("server: audit %s: %w", action, err)
	}
	return nil
}

// staffPage is what every staff page has: the signed-in person, for the
// navigation and the sign-out button.
type staffPage struct {
	page
	Staff signedIn
}

// ErrorFor is the error message for a field, for the inline error above it.
func (p staffPage) ErrorFor(field string) string { return fieldMessage(p.Errors, field) }

// RoleLabel names a stored role as pages show it.
func (staffPage) RoleLabel(role string) string { return auth.Role(role).Label() }

func fieldMessage(errs []survey.FieldError, field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

func (s *Server) staffPageFor(c *fiber.Ctx, title string) staffPage {
	return staffPage{page: page{Title: title}, Staff: staffOf(c)}
}

// Sign in.

// Sign-in throttling: after this many failures in 15 to 30 minutes (see
// throttle) for one email, or for one client address, sign-in is refused. The per-address limit is higher because a council office or a
// school shares one address among many staff.
const (
	signInWindow      = 15 * time.Minute
	maxFailsPerEmail  = 5
	maxFailsPerClient = 20
)

type signInPage struct {
	page
	Email string
	Next  string
}

// ErrorFor is the error message for a field, for the inline error above it.
func (p signInPage) ErrorFor(field string) string { return fieldMessage(p.Errors, field) }

func (s *Server) signInForm(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, "staff-sign-in.html", signInPage{page: page{Title: "Sign in"}, Next: safeNext(c.Query("next"))})
}

// throttle counts sign-in failures by email and by client address, each
// under a keyed hash so that the store holds neither. Windows are fixed
// (15 minutes) but a check adds the previous window to the current one,
// so that failures do not start again from nought at a window's edge.
type throttle struct {
	email, client     [2]string // counter keys: this window, the previous one
	expires, previous time.Time
}

func (s *Server) throttleFor(c *fiber.Ctx, email string) (throttle, error) {
	ctx := c.UserContext()
	e, err1 := s.keyedHash(ctx, "email:"+email)
	ip, err2 := s.keyedHash(ctx, "ip:"+c.IP())
	if err := errors.Join(err1, err2); err != nil {
		return throttle{}, err
	}
	window := s.now().Truncate(signInWindow)
	var t throttle
	for i, w := range []time.Time{window, window.Add(-signInWindow)} {
		t.email[i] = fmt.Sprintf("signin-email:%s:%d", e, w.Unix())
		t.client[i] = fmt.Sprintf("signin-client:%s:%d", ip, w.Unix())
	}
	t.expires = window.Add(2 * signInWindow) // still read as the previous window
	return t, nil
}

// refused reports whether there have been too many failures.
func (s *Server) refused(c *fiber.Ctx, t throttle) (bool, error) {
	var byEmail, byClient int64
	for i := range 2 {
		e, err1 := s.store.Count(c.UserContext(), t.email[i], s.now())
		ip, err2 := s.store.Count(c.UserContext(), t.client[i], s.now())
		if err := errors.Join(err1, err2); err != nil {
			return false, err
		}
		byEmail, byClient = byEmail+e, byClient+ip
	}
	return byEmail >= maxFailsPerEmail || byClient >= maxFailsPerClient, nil
}

// failed counts one failure.
func (s *Server) failed(c *fiber.Ctx, t throttle) error {
	_, err1 := s.store.Increment(c.UserContext(), t.email[0], s.now(), t.expires)
	_, err2 := s.store.Increment(c.UserContext(), t.client[0], s.now(), t.expires)
	return errors.Join(err1, err2)
}

func (s *Server) signIn(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx := c.UserContext()
	email := store.NormaliseEmail(c.FormValue("email"))
	password := c.FormValue("password")
	p := signInPage{page: page{Title: "Sign in"}, Email: c.FormValue("email"), Next: safeNext(c.FormValue("next"))}
	if email == "" {
		p.Errors = append(p.Errors, survey.FieldError{Field: "email", Message: "Enter your email address"})
	}
	if password == "" {
		p.Errors = append(p.Errors, survey.FieldError{Field: "password", Message: "Enter your password"})
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-sign-in.html", p)
	}

	th, err := s.throttleFor(c, email)
	if err != nil {
		return err
	}
	refused, err := s.refused(c, th)
	if err != nil {
		return err
	}
	if refused {
		if err := s.audit(c, "", "sign-in refused: too many failures", email); err != nil {
			return err
		}
		p.Errors = []survey.FieldError{{Field: "email", Message: "There have been too many attempts to sign in. Wait 30 minutes, then try again."}}
		return s.render(c, http.StatusTooManyRequests, "staff-sign-in.html", p)
	}

	a, err := s.store.AccountByEmail(ctx, email)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		auth.VerifyNothing(password) // as long as a real check takes
	case err != nil:
		return err
	default:
		ok, err = auth.VerifyPassword(a.PasswordHash, password)
		if err != nil {
			return fmt.Errorf("server: sign in %s: %w", a.ID, err)
		}
		ok = ok && !a.Disabled
	}
	if !ok {
		if err := errors.Join(s.failed(c, th), s.audit(c, "", "sign-in failed", email)); err != nil {
			return err
		}
		p.Errors = []survey.FieldError{{Field: "email", Message: "The email address or password is not correct"}}
		return s.render(c, http.StatusUnauthorized, "staff-sign-in.html", p)
	}

	token := auth.NewToken()
	now := s.now()
	if err := s.store.CreateSession(ctx, store.Session{TokenHash: auth.TokenHash(token), AccountID: a.ID, Created: now, Expires: now.Add(sessionLifetime)}); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: token, Path: "/",
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: now.Add(sessionLifetime),
	})
	if err := s.audit(c, a.Email, "signed in", ""); err != nil {
		return err
	}
	next := p.Next
	if next == "" {
		next = "/staff"
	}
	return c.Redirect(next, http.StatusSeeOther)
}

// safeNext keeps a return address only if it is a staff page or a report
// on this site, so that the sign-in page cannot send anyone elsewhere.
func safeNext(next string) string {
	if strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	if isStaffPath(next) {
		return next
	}
	return ""
}

// isStaffPath reports whether path is a staff page or a report.
func isStaffPath(path string) bool {
	return path == "/staff" || strings.HasPrefix(path, "/staff/") || strings.HasPrefix(path, "/r/")
}

func (s *Server) signOut(c *fiber.Ctx) error {
	who := staffOf(c)
	if err := s.store.DeleteSession(c.UserContext(), auth.TokenHash(c.Cookies(sessionCookie))); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: sessionCookie, Value: "", Path: "/",
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Unix(0, 0), MaxAge: -1,
	})
	if err := s.audit(c, who.Account.Email, "signed out", ""); err != nil {
		return err
	}
	return c.Redirect("/staff/sign-in", http.StatusSeeOther)
}

// Dashboard and audit log.

type dashboardPage struct {
	staffPage
	Surveys []*survey.Definition
}

func (s *Server) dashboard(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "staff-home.html", dashboardPage{staffPage: s.staffPageFor(c, "Staff dashboard"), Surveys: s.surveys.All()})
}

// auditLogLimit is how many entries the audit page shows.
const auditLogLimit = 200

type auditPage struct {
	staffPage
	Entries []store.AuditEntry
}

func (s *Server) auditLog(c *fiber.Ctx) error {
	entries, err := s.store.AuditLog(c.UserContext(), auditLogLimit)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-audit.html", auditPage{staffPage: s.staffPageFor(c, "Audit log"), Entries: entries})
}

// viewReport is the report, for signed-in staff, with an audit entry.
//
// Co-ordinators see the whole report for now: reports cannot yet be
// filtered by organisation. Once they can, this is where a co-ordinator's
// report is limited to their organisation.
func (s *Server) viewReport(c *fiber.Ctx) error {
	if err := s.report(c); err != nil {
		return err
	}
	if c.Response().StatusCode() != http.StatusOK {
		return nil
	}
	return s.audit(c, staffOf(c).Account.Email, "viewed report", c.Params("survey"))
}
