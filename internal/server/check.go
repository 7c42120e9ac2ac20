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

type checkPage struct {
	page
	Survey *survey.Definition
	Action string
	Groups []checkGroup
}

type checkGroup struct {
	ID    string // the page's ID, where the error summary links to
	Title string
	Rows  []checkRow
}

type checkRow struct {
	Key, Value, ChangeURL string
	Optional              bool // an empty answer is fine
}

func checkPageFor(f *flow, errs []survey.FieldError) checkPage {
	p := checkPage{
		page:   page{Title: "Check your answers before sending them", Errors: errs},
		Survey: f.survey, Action: f.checkURL(),
	}
	if pages := f.survey.Pages(); len(pages) > 0 {
		p.Back = f.pageURL(pages[len(pages)-1])
	}
	change := func(pageID, field string) string { return f.changeURL(pageID) + "#" + url.PathEscape(field) }
	if len(f.survey.Profile) > 0 {
		g := checkGroup{ID: survey.ProfilePage, Title: profileTitle}
		for _, q := range f.survey.Profile {
			g.Rows = append(g.Rows, checkRow{Key: q.Label, Value: q.OptionLabel(f.draft.Profile[q.ID]), ChangeURL: change(survey.ProfilePage, q.ID), Optional: q.Optional})
		}
		p.Groups = append(p.Groups, g)
	}
	for _, sec := range f.survey.Sections {
		scale := f.survey.ScaleOf(sec)
		g := checkGroup{ID: sec.ID, Title: sec.Title}
		for _, st := range sec.Statements {
			g.Rows = append(g.Rows, checkRow{Key: st.Text, Value: scale.AnswerLabel(f.draft.Answers[st.ID]), ChangeURL: change(sec.ID, st.ID)})
		}
		if sec.Comment != "" {
			g.Rows = append(g.Rows, checkRow{Key: sec.Comment, Value: f.draft.Comments[sec.ID], ChangeURL: change(sec.ID, survey.CommentField), Optional: true})
		}
		p.Groups = append(p.Groups, g)
	}
	return p
}

func (s *Server) checkAnswers(c *fiber.Ctx, f *flow) error {
	return s.render(c, http.StatusOK, "check.html", checkPageFor(f, nil))
}

// submit stores the response. A page left unanswered sends the respondent
// back to check answers with a link to it.
func (s *Server) submit(c *fiber.Ctx, f *flow) error {
	if f.token == "" {
		return s.sentBefore(c, f)
	}
	if missing := f.survey.Incomplete(f.draft); len(missing) > 0 {
		var errs []survey.FieldError
		for _, m := range missing {
			errs = append(errs, survey.FieldError{Field: m, Message: fmt.Sprintf("Answer every question in ‘%s’", f.pageTitle(m))})
		}
		return s.render(c, http.StatusUnprocessableEntity, "check.html", checkPageFor(f, errs))
	}
	r := f.survey.Response(f.draft)
	r.Submitted = s.now().UTC()
	var stored survey.Response
	var err error
	for try := 0; ; try++ {
		r.Reference = survey.NewReference()
		stored, err = s.store.Submit(c.UserContext(), r)
		if !errors.Is(err, store.ErrConflict) || try == 2 {
			break
		}
	}
	if err != nil {
		return err
	}
	s.setDraftCookie(c, f, "")
	return c.Redirect(f.doneURL(stored.Reference), http.StatusSeeOther)
}

// sentBefore answers a send with no draft. When the cookie's draft was sent
// already (a second click, a refresh, a second tab), the respondent sees
// that confirmation again; otherwise they start at the beginning.
func (s *Server) sentBefore(c *fiber.Ctx, f *flow) error {
	if token := c.Cookies(draftCookie); token != "" {
		r, err := s.store.SubmittedResponse(c.UserContext(), survey.DraftKey(token))
		switch {
		case err == nil && r.SurveyID == f.survey.ID && r.Round == f.round.ID:
			return c.Redirect(f.doneURL(r.Reference), http.StatusSeeOther)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return c.Redirect(f.base(), http.StatusSeeOther)
}

type donePage struct {
	page
	Survey    *survey.Definition
	Round     survey.Round
	Reference string
}

func (s *Server) done(c *fiber.Ctx, f *flow) error {
	r, err := s.store.Response(c.UserContext(), c.Query("ref"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (r.SurveyID != f.survey.ID || r.Round != f.round.ID)) {
		return fiber.NewError(http.StatusNotFound, "There is no response with that reference")
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "done.html", donePage{
		page: page{Title: "Your answers have been sent"}, Survey: f.survey, Round: f.round, Reference: r.Reference,
	})
}
