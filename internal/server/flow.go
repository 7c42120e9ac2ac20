package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// The respondent flow: start page, profile, one page per strand, check your
// answers, confirmation. Each page's answers are kept in a draft in the
// store, found through a random token in a cookie scoped to the round's
// path, so that any instance of the service can serve the next page and
// nothing depends on JavaScript.

const draftCookie = "iwt_draft"

// flow is one request's survey, round and draft.
type flow struct {
	survey *survey.Definition
	round  survey.Round
	draft  survey.Draft
	token  string // empty until the draft is first saved
	// returning is set when the respondent came to change an answer from
	// the check-answers page: the page then leads back there.
	returning bool
}

// base is the path of the round's flow.
func (f *flow) base() string { return "/s/" + f.survey.ID + "/" + f.round.ID }

// pageURL is the path of a page of the flow (survey.ProfilePage or a
// section ID).
func (f *flow) pageURL(p string) string {
	if p == survey.ProfilePage {
		return f.base() + "/profile"
	}
	return f.base() + "/section/" + p
}

// changeURL is a page opened from check answers, to which it leads back.
func (f *flow) changeURL(p string) string { return f.pageURL(p) + "?return=check" }

func (f *flow) checkURL() string { return f.base() + "/check" }

func (f *flow) doneURL(reference string) string {
	return f.base() + "/done?ref=" + url.QueryEscape(reference)
}

// profileTitle names the profile page wherever it is shown.
const profileTitle = "About you"

// pageTitle is the heading of a page of the flow.
func (f *flow) pageTitle(p string) string {
	if sec, ok := f.survey.Section(p); ok {
		return sec.Title
	}
	return profileTitle
}

// inFlow runs a handler of the flow with the request's flow opened.
func (s *Server) inFlow(h func(*fiber.Ctx, *flow) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.openFlow(c)
		if err != nil {
			return err
		}
		return h(c, f)
	}
}

// openFlow finds the survey and round of the request, answering 404 for an
// unknown one and 410 for a closed round, and loads the respondent's draft.
func (s *Server) openFlow(c *fiber.Ctx) (*flow, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	r, ok := d.Round(c.Params("round"))
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "There is no round of this survey at this address")
	}
	if !r.Open {
		return nil, fiber.NewError(http.StatusGone, fmt.Sprintf("%s: %s is closed", d.Title, r.Label))
	}
	f := &flow{survey: d, round: r, returning: c.Query("return") == "check"}
	f.draft = survey.Draft{SurveyID: d.ID, Round: r.ID}
	if token := c.Cookies(draftCookie); token != "" {
		dr, err := s.store.Draft(c.UserContext(), survey.DraftKey(token))
		switch {
		case err == nil && dr.SurveyID == d.ID && dr.Round == r.ID:
			f.draft, f.token = dr, token
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	return f, nil
}

// saveDraft stores the draft, first giving the respondent a token if they
// have none.
func (s *Server) saveDraft(c *fiber.Ctx, f *flow) error {
	if f.token == "" {
		f.token, f.draft.Key = survey.NewToken()
		s.setDraftCookie(c, f, f.token)
	}
	f.draft.Updated = s.now().UTC()
	return s.store.SaveDraft(c.UserContext(), f.draft)
}

// setDraftCookie gives the respondent the draft's token, scoped to the
// round's path; an empty token removes it.
func (s *Server) setDraftCookie(c *fiber.Ctx, f *flow, token string) {
	cookie := &fiber.Cookie{
		Name: draftCookie, Value: token, Path: f.base(),
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure,
	}
	if token == "" {
		cookie.MaxAge = -1
	}
	c.Cookie(cookie)
}

// action is where a page's form posts: the page itself, remembering that
// the respondent came from check answers.
func (f *flow) action(p string) string {
	if f.returning {
		return f.changeURL(p)
	}
	return f.pageURL(p)
}

// next is where a respondent goes after a page: back to check answers when
// they came from there, otherwise the next page of the flow.
func (f *flow) next(current string) string {
	if f.returning {
		return f.checkURL()
	}
	pages := f.survey.Pages()
	for i, p := range pages {
		if p == current && i+1 < len(pages) {
			return f.pageURL(pages[i+1])
		}
	}
	return f.checkURL()
}

// back is the page before current, or check answers for a respondent who
// came from there.
func (f *flow) back(current string) string {
	if f.returning {
		return f.checkURL()
	}
	pages := f.survey.Pages()
	for i, p := range pages {
		if p == current && i > 0 {
			return f.pageURL(pages[i-1])
		}
	}
	return f.base()
}

type startPage struct {
	page
	Survey   *survey.Definition
	Round    survey.Round
	StartURL string
}

func (s *Server) start(c *fiber.Ctx, f *flow) error {
	return s.render(c, http.StatusOK, "start.html", startPage{
		page:     page{Title: f.survey.Title},
		Survey:   f.survey,
		Round:    f.round,
		StartURL: f.pageURL(f.survey.Pages()[0]),
	})
}
