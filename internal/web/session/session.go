// Package session is staff signing in, shared by the staff pages, the
// reports and the Board pack: the session cookie, who is signed in on a
// request, the check of a route's permission before its handler runs, and the
// audit log of what they do.
package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// Store is what sessions need of a store.
type Store interface {
	CreateSession(ctx context.Context, s store.Session) error
	Session(ctx context.Context, tokenHash string) (store.Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	Account(ctx context.Context, id string) (store.Account, error)
	Audit(ctx context.Context, e store.AuditEntry) error
}

const (
	// Cookie is the session cookie: a random token, of which the store
	// keeps the SHA-256.
	Cookie = "iwt_session"
	// Lifetime is a working day: sign in again tomorrow.
	Lifetime = 8 * time.Hour
	local    = "staff"
)

// Sessions are staff sessions in a store.
type Sessions struct {
	st      Store
	surveys *survey.Catalogue
	now     func() time.Time
	secure  bool
}

// New returns the sessions of a store; secure marks the cookie Secure
// (the service is reached over https). The surveys name organisations on
// staff pages.
func New(st Store, surveys *survey.Catalogue, now func() time.Time, secure bool) *Sessions {
	return &Sessions{st: st, surveys: surveys, now: now, secure: secure}
}

// SignedIn is a member of staff on a request.
type SignedIn struct {
	Account store.Account
	User    auth.User
	surveys *survey.Catalogue
}

// OrganisationLabel names an organisation as the surveys do ("Community
// health trust"), not by its value.
func (w SignedIn) OrganisationLabel(value string) string {
	return w.surveys.OrganisationLabel(value)
}

// Organisation names the organisation of their account, if it has one.
func (w SignedIn) Organisation() string { return w.OrganisationLabel(w.Account.Organisation) }

// CanInvite says whether they may make invitations (auth.User.CanInvite),
// for the navigation.
func (w SignedIn) CanInvite() bool { return w.User.CanInvite() }

// Of is who is signed in on a request that went through Guard.
func Of(c *fiber.Ctx) SignedIn {
	v, _ := c.Locals(local).(SignedIn)
	return v
}

// Guard is the check of every route that is not public (web.Routes.Add
// puts it before the handler): it loads the account from the session
// cookie, sends anyone not signed in to the sign-in page, and refuses with
// a 403 anyone whose role the permission does not allow or whose
// organisation is not the one in the address (:org). Nothing a handler
// does happens before this, and no page it answers is cached.
func (s *Sessions) Guard(p auth.Permission) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderCacheControl, "no-store")
		who, ok, err := s.Current(c)
		if err != nil {
			return err
		}
		if !ok {
			return c.Redirect("/staff/sign-in?next="+url.QueryEscape(string(c.Request().URI().RequestURI())), http.StatusSeeOther)
		}
		if !p.Allows(who.User) {
			return fiber.NewError(http.StatusForbidden, "You do not have permission to see this page")
		}
		if c.Params("org") != "" && !who.User.CanSeeOrganisation(OrgParam(c)) {
			return fiber.NewError(http.StatusForbidden, "You do not have permission to see this page")
		}
		c.Locals(local, who)
		return c.Next()
	}
}

// OrgParam is the organisation in the address, decoded. Guard checks it and
// handlers read it through this one function, so that the check and the
// use cannot see two different values. An address that does not decode
// names no organisation anyone may see.
func OrgParam(c *fiber.Ctx) string {
	org, err := url.PathUnescape(c.Params("org"))
	if err != nil {
		return ""
	}
	return org
}

// Current returns who is signed in on this request, if anyone: the session
// must exist and be unexpired, and its account must exist and be enabled.
func (s *Sessions) Current(c *fiber.Ctx) (SignedIn, bool, error) {
	token := c.Cookies(Cookie)
	if token == "" {
		return SignedIn{}, false, nil
	}
	ctx := c.UserContext()
	sess, err := s.st.Session(ctx, auth.TokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, false, nil
	}
	if err != nil {
		return SignedIn{}, false, err
	}
	if !s.now().Before(sess.Expires) {
		return SignedIn{}, false, s.st.DeleteSession(ctx, sess.TokenHash)
	}
	a, err := s.st.Account(ctx, sess.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return SignedIn{}, false, nil
	}
	if err != nil || a.Disabled {
		return SignedIn{}, false, err
	}
	return SignedIn{Account: a, User: auth.User{Role: auth.Role(a.Role), Organisation: a.Organisation}, surveys: s.surveys}, true, nil
}

// Start signs an account in: a new session, and its cookie.
func (s *Sessions) Start(c *fiber.Ctx, a store.Account) error {
	token := auth.NewToken()
	now := s.now()
	if err := s.st.CreateSession(c.UserContext(), store.Session{TokenHash: auth.TokenHash(token), AccountID: a.ID, Created: now, Expires: now.Add(Lifetime)}); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: Cookie, Value: token, Path: "/",
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: now.Add(Lifetime),
	})
	return nil
}

// End signs this request's session out.
func (s *Sessions) End(c *fiber.Ctx) error {
	if err := s.st.DeleteSession(c.UserContext(), auth.TokenHash(c.Cookies(Cookie))); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{
		Name: Cookie, Value: "", Path: "/",
		HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
		Expires: time.Unix(0, 0), MaxAge: -1,
	})
	return nil
}

// Audit records what the signed-in member of staff did, and to what; never
// anything a respondent wrote.
func (s *Sessions) Audit(c *fiber.Ctx, action, target string) error {
	return s.AuditAs(c, Of(c).Account.Email, action, target)
}

// AuditAs records an action by someone not signed in (yet): a sign-in
// refused or failed.
func (s *Sessions) AuditAs(c *fiber.Ctx, actor, action, target string) error {
	if err := s.st.Audit(c.UserContext(), store.AuditEntry{At: s.now(), Actor: actor, Action: action, Target: target}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Page is what every staff page has: the signed-in person, for the
// navigation and the sign-out button.
type Page struct {
	web.Page
	Staff SignedIn
}

// RoleLabel names a stored role as pages show it.
func (Page) RoleLabel(role string) string { return auth.Role(role).Label() }

// PageFor is a staff page's model for this request.
func PageFor(c *fiber.Ctx, title string) Page {
	return Page{Page: web.Page{Title: title, CSRF: web.Token(c)}, Staff: Of(c)}
}
