package staff

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

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
	web.Page
	Email string
	Next  string
}

func (s *Pages) signInForm(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, http.StatusOK, "staff-sign-in.html", signInPage{Page: web.Page{Title: "Sign in", CSRF: web.Token(c)}, Next: safeNext(c.Query("next"))})
}

// throttle counts sign-in failures by email and by client address, each
// under a keyed hash so that the store holds neither. Windows are fixed
// (15 minutes) but a check adds the previous window to the current one,
// so that failures do not start again from nought at a window's edge.
type throttle struct {
	email, client [2]string // counter keys: this window, the previous one
	expires       time.Time
}

func (s *Pages) throttleFor(c *fiber.Ctx, email string) (throttle, error) {
	ctx := c.UserContext()
	e, err1 := s.secrets.KeyedHash(ctx, "email:"+email)
	ip, err2 := s.secrets.KeyedHash(ctx, "ip:"+c.IP())
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
func (s *Pages) refused(c *fiber.Ctx, t throttle) (bool, error) {
	var byEmail, byClient int64
	for i := range 2 {
		e, err1 := s.st.Count(c.UserContext(), t.email[i], s.now())
		ip, err2 := s.st.Count(c.UserContext(), t.client[i], s.now())
		if err := errors.Join(err1, err2); err != nil {
			return false, err
		}
		byEmail, byClient = byEmail+e, byClient+ip
	}
	return byEmail >= maxFailsPerEmail || byClient >= maxFailsPerClient, nil
}

// failed counts one failure.
func (s *Pages) failed(c *fiber.Ctx, t throttle) error {
	_, err1 := s.st.Increment(c.UserContext(), t.email[0], s.now(), t.expires)
	_, err2 := s.st.Increment(c.UserContext(), t.client[0], s.now(), t.expires)
	return errors.Join(err1, err2)
}

func (s *Pages) signIn(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx := c.UserContext()
	email := store.NormaliseEmail(c.FormValue("email"))
	password := c.FormValue("password")
	p := signInPage{Page: web.Page{Title: "Sign in", CSRF: web.Token(c)}, Email: c.FormValue("email"), Next: safeNext(c.FormValue("next"))}
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
		if err := s.sessions.AuditAs(c, "", "sign-in refused: too many failures", email); err != nil {
			return err
		}
		p.Errors = []survey.FieldError{{Field: "email", Message: "There have been too many attempts to sign in. Wait 30 minutes, then try again."}}
		return s.render(c, http.StatusTooManyRequests, "staff-sign-in.html", p)
	}

	a, err := s.st.AccountByEmail(ctx, email)
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
		if err := errors.Join(s.failed(c, th), s.sessions.AuditAs(c, "", "sign-in failed", email)); err != nil {
			return err
		}
		p.Errors = []survey.FieldError{{Field: "email", Message: "The email address or password is not correct"}}
		return s.render(c, http.StatusUnauthorized, "staff-sign-in.html", p)
	}

	if err := s.sessions.Start(c, a); err != nil {
		return err
	}
	if err := s.sessions.AuditAs(c, a.Email, "signed in", ""); err != nil {
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
	if next == "/staff" || strings.HasPrefix(next, "/staff/") || strings.HasPrefix(next, "/r/") {
		return next
	}
	return ""
}

func (s *Pages) signOut(c *fiber.Ctx) error {
	if err := s.sessions.End(c); err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "signed out", ""); err != nil {
		return err
	}
	return c.Redirect("/staff/sign-in", http.StatusSeeOther)
}

// Dashboard and audit log.

type dashboardPage struct {
	session.Page
	Surveys []*survey.Definition
	// Split are the surveys whose results are split by organisation: the
	// reports an organisation co-ordinator may read, of their own
	// organisation.
	Split []*survey.Definition
	// Open are the rounds open now (a co-ordinator's: staff surveys only),
	// with their published counts and what needs doing.
	Open []openRound
	// ToDo are things for an administrator to do besides open rounds: a
	// closed round past its retention date, a survey file refused.
	ToDo []string
}

// openRound is one open round on the dashboard: its published count
// (publish.Round.Counted, rounded down to a multiple of the minimum
// group; never the live count) and what needs doing.
type openRound struct {
	Survey   *survey.Definition
	Round    rounds.Now
	Status   string
	Counted  int
	Min      int
	Base     string   // the round's staff page, for administrators
	Needs    []string // what needs doing, for administrators
	Admin    bool
	Invitees bool // the survey is one the reader invites people to
	Report   bool // the reader may read the survey's report
}

func (s *Pages) dashboard(c *fiber.Ctx) error {
	who := session.Of(c).User
	p := dashboardPage{Page: session.PageFor(c, "Staff dashboard"), Surveys: s.surveys.All()}
	for _, d := range p.Surveys {
		if _, ok := d.BreakdownQuestion("organisation"); ok {
			p.Split = append(p.Split, d)
		}
	}
	admin := who.Role == auth.Admin
	invitable := s.invitable(who)
	for _, d := range p.Surveys {
		mine := slices.Contains(invitable, d)
		if who.Role == auth.Coordinator && !mine {
			continue
		}
		all, err := rounds.Of(c.UserContext(), s.st, d, s.now())
		if err != nil {
			return err
		}
		for _, r := range all {
			if !r.Open {
				if until, ok := r.KeptUntil(d, s.now()); admin && ok && !s.now().Before(until) {
					p.ToDo = append(p.ToDo, fmt.Sprintf("%s, %s: its retention date (%s) has passed. Delete its responses on the round's page.", d.Title, r.Label, rounds.LondonDate(until)))
				}
				continue
			}
			pub, err := s.publisher.Round(c.UserContext(), d, r.ID)
			if err != nil {
				return err
			}
			o := openRound{Survey: d, Round: r, Status: r.Status(s.now()), Counted: pub.Counted, Min: d.GroupSize(),
				Base: roundBase(d, r), Admin: admin, Invitees: mine && who.CanInvite(),
				Report: who.CanSeeAllOrganisations() || slices.Contains(p.Split, d)}
			if admin {
				if o.Needs, err = s.needs(c, d, r); err != nil {
					return err
				}
			}
			p.Open = append(p.Open, o)
		}
	}
	if admin {
		for _, f := range s.surveys.Refused() {
			p.ToDo = append(p.ToDo, fmt.Sprintf("The survey file %s is not served: it has problems to put right (Surveys and rounds lists them).", f.File))
		}
	}
	return s.render(c, http.StatusOK, "staff-home.html", p)
}

// needs is what an administrator has to do for an open round: set when
// it closes, and see to emails that were not sent.
func (s *Pages) needs(c *fiber.Ctx, d *survey.Definition, r rounds.Now) ([]string, error) {
	var out []string
	if r.State.ClosesAt.IsZero() {
		out = append(out, "Set when it closes: it has no closing time, so its figures and its retention date wait until someone closes it.")
	}
	counts, err := s.st.MailCounts(c.UserContext(), d.ID, r.ID)
	if err != nil {
		return nil, err
	}
	failed := 0
	for _, n := range counts {
		if n.Kind == store.MailInvitation && n.State == store.MailFailed && n.Reason != store.ReasonOptedOut {
			failed += n.N
		}
	}
	if failed > 0 {
		out = append(out, fmt.Sprintf("%d %s not sent: the contact lists page says why.", failed, plural(failed, "invitation was", "invitations were")))
	}
	return out, nil
}

// auditLogLimit is how many entries the audit page shows.
const auditLogLimit = 200

type auditPage struct {
	session.Page
	Entries []store.AuditEntry
}

func (s *Pages) auditLog(c *fiber.Ctx) error {
	entries, err := s.st.AuditLog(c.UserContext(), auditLogLimit)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-audit.html", auditPage{Page: session.PageFor(c, "Audit log"), Entries: entries})
}
