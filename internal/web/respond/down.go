package respond

import (
	"net/http"
	"regexp"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// When the store fails (MongoDB unreachable, a disk full), nothing a
// respondent entered may be lost, and no page may hang: every store call
// of a request shares the respondent's deadline, and a failure is
// answered 503 with Retry-After:
//
//   - a part's form sent: the page again, with what was entered and a
//     "not saved yet, try again" error summary (sectionNotSaved);
//   - "Send your answers": a page saying they are not sent yet, with the
//     same button (notSent);
//   - anything else: a "try again in a few minutes" page.
//
// Each route that shows more than the last says so where it is
// registered (whenDown), so that nothing here depends on its address.

// downLocal holds the request's page for a store failure, set by whenDown.
const downLocal = "down"

// whenDown runs h, and, should the store fail during it, has down show
// the page. down gets the request's flow as it was opened, or, when the
// store failed before that, as the survey file alone gives it (fileFlow).
func (s *Pages) whenDown(down func(*fiber.Ctx, *flow) error, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(downLocal, down)
		return h(c)
	}
}

// storeDown answers a request whose store call failed. It logs where the
// request went and why it failed, never the answers.
func (s *Pages) storeDown(c *fiber.Ctx, err error) error {
	if s.health.NoteDamage(err) {
		s.log.Warn("store damaged", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", http.StatusServiceUnavailable)
	} else {
		s.log.Error("store unavailable", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", http.StatusServiceUnavailable, "error", err)
	}
	c.Set(fiber.HeaderRetryAfter, web.RetryAfter)
	f, ok := c.Locals(flowLocal).(*flow)
	if !ok {
		f = s.fileFlow(c)
	}
	if f == nil {
		message := survey.Message("en", "unavailable")
		return s.render(c, http.StatusServiceUnavailable, "error", errorPage{ErrorPage: web.ErrorPage{
			Page: web.Page{Title: message, CSRF: web.Token(c)}, Status: http.StatusServiceUnavailable, Message: message, Detail: survey.Message("en", "unavailable-later")}})
	}
	if down, ok := c.Locals(downLocal).(func(*fiber.Ctx, *flow) error); ok {
		if err := down(c, f); err != errNoPage {
			return err
		}
	}
	p := f.page(f.msg("unavailable"), nil, "")
	return s.render(c, http.StatusServiceUnavailable, "error", errorPage{ErrorPage: web.ErrorPage{Page: p, Status: http.StatusServiceUnavailable, Message: p.Title, Detail: f.msg("unavailable-later")}})
}

// errNoPage is a down page's way of saying it has none for this request:
// the generic one is shown.
var errNoPage = fiber.NewError(http.StatusServiceUnavailable, "no page")

// sectionNotSaved shows a part's page again with what was entered, when
// the store failed before saving it.
func (s *Pages) sectionNotSaved(c *fiber.Ctx, f *flow) error {
	sec, ok := f.survey.Section(c.Params("section"))
	// Without the draft, an invitation cannot be checked: a survey for
	// invited people only shows its questions to a browser that has a
	// draft, as every invited one does.
	if !ok || f.fromFile && f.survey.InvitationOnly && c.Cookies(draftCookie) == "" {
		return errNoPage
	}
	if f.fromFile {
		f.draft.Answers = sec.Posted(postedValues(c))
	}
	notSaved := []survey.FieldError{{Message: f.msg("not-saved")}} // no Field: the summary links nowhere
	return s.render(c, http.StatusServiceUnavailable, "form", sectionPage(f, sec, notSaved))
}

// notSent is shown when "Send your answers" could not store them.
func (s *Pages) notSent(c *fiber.Ctx, f *flow) error {
	return s.render(c, http.StatusServiceUnavailable, "unsent", unsentPage{
		Page: f.page(f.msg("not-sent-title"), nil, ""), Survey: f.survey, Action: f.checkURL(),
	})
}

// unsentPage is shown when "Send your answers" could not store them.
type unsentPage struct {
	web.Page
	Survey *survey.Definition
	Action string
}

// roundID is the form of a round's id staff may add.
var roundID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// fileFlow is the request's flow as the survey file alone gives it, when
// the store cannot say which rounds are open or what the draft holds: the
// file's round (or only its id, for a round staff added) and no draft. It
// is only for showing a page again: nothing is taken or stored through it,
// so whether staff have closed the round does not matter.
func (s *Pages) fileFlow(c *fiber.Ctx) *flow {
	if s.surveys == nil { // the preview, which has no survey files of its own
		return nil
	}
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
