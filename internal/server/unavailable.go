package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// When the store fails (MongoDB unreachable, a disk full), nothing a
// respondent entered may be lost, and no page may hang. Every store call
// of a request shares one deadline (requestDeadline), and
// handleError sends every store failure here, to storeDown, which answers
// 503 with Retry-After:
//
//   - a section's form sent: the page again, with what was entered and a
//     "not saved yet, try again" error summary;
//   - "Send your answers": a page saying they are not sent yet, with the
//     same button;
//   - anything else: a "try again in a few minutes" page.
//
// Readiness (/readyz) fails at the same time, so a load balancer stops
// sending people to an instance that cannot reach its store.

// DefaultRespondentTimeout bounds the store calls of one respondent
// request: well above a healthy store's answer, well below a person giving
// up on a page. DefaultStaffTimeout bounds those of any other request: a
// report reads for a few hundred milliseconds, pages that read every
// response of a round (comments, safeguarding) for longer at scale, but no
// request may wait for ever on a store that stopped answering (a MongoDB
// replica set that cannot acknowledge a majority write, say). Both are
// settings (IWT_RESPONDENT_TIMEOUT, IWT_STAFF_TIMEOUT), so that a slow
// store (a test stand-in on a busy machine) can be given longer.
// longTimeout is for work that must not be cut off half done: downloads
// streamed after their handler returns, and a deletion with its audit
// entry (detach).
const (
	DefaultRespondentTimeout = 5 * time.Second
	DefaultStaffTimeout      = 2 * time.Minute
	longTimeout              = time.Hour
)

// retryAfter is the Retry-After of a 503, in seconds.
const retryAfter = "30"

// errInternal marks an error that is the service's own fault, not the
// store's (a page that would not render, a panic): a 500, not a 503.
var errInternal = errors.New("server: internal error")

// requestDeadline gives a request its deadline for the store: a
// respondent's (the survey pages and invitation links) the respondent
// timeout, any other the staff timeout.
func (s *Server) requestDeadline(c *fiber.Ctx) error {
	timeout := s.staffTimeout
	if p := c.Path(); strings.HasPrefix(p, "/s/") || strings.HasPrefix(p, "/i/") {
		timeout = s.respondentTimeout
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), timeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// detach gives the rest of a request its own deadline, longTimeout, in
// place of the request's: a deletion cut off by the staff timeout could leave
// responses deleted with no audit entry (on MongoDB a deletion also
// recounts the round's tallies, which takes longer the bigger the round).
func detach(c *fiber.Ctx) context.CancelFunc {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), longTimeout)
	c.SetUserContext(ctx)
	return cancel
}

// storeFailed reports whether err is the store failing to do its work:
// down, slower than the request's deadline, full or read-only. Handlers do
// little but call the store, so that is any error other than a page's own
// refusal (a *fiber.Error), one of the store's answers (not found,
// conflict, invitation used) or the service's own fault (errInternal).
func storeFailed(err error) bool {
	var fe *fiber.Error
	return err != nil && !errors.As(err, &fe) && !errors.Is(err, errInternal) &&
		!errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrInvitationUsed)
}

// unsentPage is shown when "Send your answers" could not store them.
type unsentPage struct {
	page
	Survey *survey.Definition
	Action string
}

// storeDown answers a request whose store call failed: see the top of this
// file. It logs where the request went and why it failed, never the
// answers.
func (s *Server) storeDown(c *fiber.Ctx, err error) error {
	const status = http.StatusServiceUnavailable
	if s.noteDamage(err) {
		s.log.Warn("store damaged", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status)
	} else {
		s.log.Error("store unavailable", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status, "error", err)
	}
	c.Set(fiber.HeaderRetryAfter, retryAfter)
	f := s.failedFlow(c)
	if f == nil {
		message := survey.Message("en", "unavailable")
		p := errorPage{page: page{Title: message}, Status: status, Message: message}
		if isStaffPath(c.Path()) {
			p.Detail = "Please try again in a few minutes. If it keeps happening, tell whoever runs the service: it cannot reach its database."
			if s.damaged.Load() {
				p.Detail = "Tell whoever runs the service: its database is damaged, and must be restored from a backup or repaired."
			}
		}
		return s.render(c, status, "error.html", p)
	}
	post := c.Method() == fiber.MethodPost
	switch route := c.Route().Path; {
	case post && route == sectionRoute:
		sec, ok := f.survey.Section(c.Params("section"))
		// Without the draft, an invitation cannot be checked: a survey
		// for invited people only shows its questions to a browser that
		// has a draft, as every invited one does.
		if !ok || f.fromFile && f.survey.InvitationOnly && c.Cookies(draftCookie) == "" {
			break
		}
		if f.fromFile {
			f.draft.Answers = sec.Posted(postedValues(c))
		}
		notSaved := []survey.FieldError{{Message: f.msg("not-saved")}} // no Field: the summary links nowhere
		return s.render(c, status, "form", sectionPage(f, sec, notSaved))
	case post && route == checkRoute:
		return s.render(c, status, "unsent.html", unsentPage{
			page: f.page(f.msg("not-sent-title"), nil, ""), Survey: f.survey, Action: f.checkURL(),
		})
	}
	p := f.page(f.msg("unavailable"), nil, "")
	return s.render(c, status, "error.html", errorPage{page: p, Status: status, Message: p.Title, Detail: f.msg("unavailable-later")})
}

// noteDamage says whether err is the store reporting its data damaged
// (store.ErrDamaged: a broken page of the embedded store's file). The
// first such error turns readiness off for good (restarting checks the
// file and refuses it: docs/deployment.md) and is logged, in full and with
// what to do, once; later ones are logged in a line without the detail.
func (s *Server) noteDamage(err error) bool {
	if !errors.Is(err, store.ErrDamaged) {
		return false
	}
	if s.damaged.CompareAndSwap(false, true) {
		s.log.Error("the store's data is damaged: this instance is not ready from now on; stop it, then restore the data from a backup or repair it (docs/deployment.md)", "error", err)
	}
	return true
}

// failedFlow is the flow of a respondent's request whose store call failed:
// as it was opened, when the store failed after that, or else as the
// survey file gives it (fileFlow). It is nil outside the survey pages.
func (s *Server) failedFlow(c *fiber.Ctx) *flow {
	if f, ok := c.Locals(flowLocal).(*flow); ok {
		return f
	}
	if !strings.HasPrefix(c.Route().Path, flowRoute) {
		return nil
	}
	return s.fileFlow(c)
}

// fileFlow is the request's flow as the survey file alone gives it, when
// the store cannot say which rounds are open or what the draft holds: the
// file's round (or only its id, for a round staff added) and no draft. It
// is only for showing a page again: nothing is taken or stored through it,
// so whether staff have closed the round does not matter.
func (s *Server) fileFlow(c *fiber.Ctx) *flow {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil
	}
	r, ok := d.Round(c.Params("round"))
	if !ok {
		// A round staff added: its id is not in the file, but its form is
		// known, and the page's links are built from it.
		if id := c.Params("round"); roundID.MatchString(id) && len(id) <= 40 {
			r = survey.Round{ID: id}
		} else {
			return nil
		}
	}
	f := s.newFlow(c, d, r)
	f.fromFile = true
	return f
}
