package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

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
}

// base is the path of the round's flow.
func (f *flow) base() string { return "/s/" + f.survey.ID + "/" + f.round.ID }

// pageURL is the path of a page of the flow ("profile" or a section ID).
func (f *flow) pageURL(p string) string {
	if p == "profile" {
		return f.base() + "/profile"
	}
	return f.base() + "/section/" + p
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
	f := &flow{survey: d, round: r}
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
		c.Cookie(&fiber.Cookie{
			Name: draftCookie, Value: f.token, Path: f.base(),
			HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure,
		})
	}
	f.draft.Updated = s.now().UTC()
	return s.store.SaveDraft(c.UserContext(), f.draft)
}

// next is where a respondent goes after a page: back to check answers when
// they came from there, otherwise the next page of the flow.
func (f *flow) next(c *fiber.Ctx, current string) string {
	if c.Query("return") == "check" {
		return f.base() + "/check"
	}
	pages := f.survey.Pages()
	for i, p := range pages {
		if p == current && i+1 < len(pages) {
			return f.pageURL(pages[i+1])
		}
	}
	return f.base() + "/check"
}

// back is the page before current.
func (f *flow) back(current string) string {
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

func (s *Server) start(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "start.html", startPage{
		page:     page{Title: f.survey.Title},
		Survey:   f.survey,
		Round:    f.round,
		StartURL: f.pageURL(f.survey.Pages()[0]),
	})
}

// formPage is a page of questions: the profile, or a strand's statements.
type formPage struct {
	page
	Survey      *survey.Definition
	Round       survey.Round
	Caption     string
	Description string
	Action      string
	Scale       *survey.Scale // for the "what the levels mean" list
	Questions   []question
	Comment     *comment
}

type question struct {
	ID, Legend, Hint, Error string
	Options                 []option
	Others                  []option // Don't know and Not applicable, after an "or"
}

type option struct {
	ID, Value, Label string
	Checked          bool
}

type comment struct {
	Label, Value, Error string
	Max                 int
}

// options builds radios named id. The first radio's id is the field's, so
// that the error summary's link lands on it.
func options(id string, values, labels []string, chosen string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		oid := id
		if i > 0 {
			oid = fmt.Sprintf("%s-%d", id, i+1)
		}
		out[i] = option{ID: oid, Value: v, Label: labels[i], Checked: v == chosen}
	}
	return out
}

func errorFor(errs []survey.FieldError, field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

func (s *Server) profilePage(f *flow, errs []survey.FieldError) formPage {
	p := formPage{
		page:    page{Title: "About you", Errors: errs, Back: f.back("profile")},
		Survey:  f.survey,
		Round:   f.round,
		Caption: f.survey.Title,
		Action:  f.pageURL("profile"),
	}
	for _, q := range f.survey.Profile {
		values, labels := make([]string, len(q.Options)), make([]string, len(q.Options))
		for i, o := range q.Options {
			values[i], labels[i] = o.Value, o.Label
		}
		p.Questions = append(p.Questions, question{
			ID: q.ID, Legend: q.Label, Hint: q.Hint, Error: errorFor(errs, q.ID),
			Options: options(q.ID, values, labels, f.draft.Profile[q.ID]),
		})
	}
	return p
}

func (s *Server) profileForm(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "form.html", s.profilePage(f, nil))
}

func (s *Server) saveProfile(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	f.draft.Profile = map[string]string{}
	for _, q := range f.survey.Profile {
		if v := c.FormValue(q.ID); v != "" {
			f.draft.Profile[q.ID] = v
		}
	}
	return s.savePage(c, f, "profile", f.survey.CheckProfile(f.draft.Profile), func(errs []survey.FieldError) formPage {
		return s.profilePage(f, errs)
	})
}

// savePage keeps what the respondent entered, valid or not, so that nothing
// is lost; then either re-renders the page with the errors or moves on.
func (s *Server) savePage(c *fiber.Ctx, f *flow, current string, errs []survey.FieldError, pageWith func([]survey.FieldError) formPage) error {
	if err := s.saveDraft(c, f); err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "form.html", pageWith(errs))
	}
	return c.Redirect(f.next(c, current), http.StatusSeeOther)
}

func (s *Server) section(c *fiber.Ctx, f *flow) (*survey.Section, error) {
	sec, ok := f.survey.Section(c.Params("section"))
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "There is no such part of this survey")
	}
	return sec, nil
}

func (s *Server) sectionPage(f *flow, sec *survey.Section, errs []survey.FieldError) formPage {
	scale := f.survey.ScaleOf(sec)
	number := 0
	for i, x := range f.survey.Sections {
		if x == sec {
			number = i + 1
		}
	}
	p := formPage{
		page:        page{Title: sec.Title, Errors: errs, Back: f.back(sec.ID)},
		Survey:      f.survey,
		Round:       f.round,
		Caption:     fmt.Sprintf("%s: part %d of %d", f.survey.Title, number, len(f.survey.Sections)),
		Description: sec.Description,
		Action:      f.pageURL(sec.ID),
		Scale:       scale,
	}
	var levelValues, levelLabels, otherValues, otherLabels []string
	for _, v := range scale.Values() {
		if _, isLevel := scale.Level(v); isLevel {
			levelValues, levelLabels = append(levelValues, v), append(levelLabels, scale.AnswerLabel(v))
		} else {
			otherValues, otherLabels = append(otherValues, v), append(otherLabels, scale.AnswerLabel(v))
		}
	}
	for _, st := range sec.Statements {
		chosen := f.draft.Answers[st.ID]
		all := options(st.ID, append(levelValues, otherValues...), append(levelLabels, otherLabels...), chosen)
		p.Questions = append(p.Questions, question{
			ID: st.ID, Legend: st.Text, Hint: st.Hint, Error: errorFor(errs, st.ID),
			Options: all[:len(levelValues)], Others: all[len(levelValues):],
		})
	}
	if sec.Comment != "" {
		p.Comment = &comment{Label: sec.Comment, Value: f.draft.Comments[sec.ID], Error: errorFor(errs, "comment"), Max: survey.MaxCommentLength}
	}
	return p
}

func (s *Server) sectionForm(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	sec, err := s.section(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "form.html", s.sectionPage(f, sec, nil))
}

func (s *Server) saveSection(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	sec, err := s.section(c, f)
	if err != nil {
		return err
	}
	answers := copyMap(f.draft.Answers)
	for _, st := range sec.Statements {
		if v := c.FormValue(st.ID); v != "" {
			answers[st.ID] = v
		} else {
			delete(answers, st.ID)
		}
	}
	comments := copyMap(f.draft.Comments)
	text := strings.TrimSpace(c.FormValue("comment"))
	if sec.Comment != "" && text != "" {
		comments[sec.ID] = text
	} else {
		delete(comments, sec.ID)
	}
	f.draft.Answers, f.draft.Comments = answers, comments
	return s.savePage(c, f, sec.ID, f.survey.CheckSection(sec, answers, text), func(errs []survey.FieldError) formPage {
		return s.sectionPage(f, sec, errs)
	})
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type checkPage struct {
	page
	Survey *survey.Definition
	Round  survey.Round
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

func (s *Server) checkPage(f *flow, errs []survey.FieldError) checkPage {
	p := checkPage{
		page:   page{Title: "Check your answers before sending them", Errors: errs},
		Survey: f.survey, Round: f.round, Action: f.base() + "/check",
	}
	if pages := f.survey.Pages(); len(pages) > 0 {
		p.Back = f.pageURL(pages[len(pages)-1])
	}
	change := func(pageID, field string) string {
		return f.pageURL(pageID) + "?return=check#" + url.PathEscape(field)
	}
	if len(f.survey.Profile) > 0 {
		g := checkGroup{ID: "profile", Title: "About you"}
		for _, q := range f.survey.Profile {
			g.Rows = append(g.Rows, checkRow{Key: q.Label, Value: q.OptionLabel(f.draft.Profile[q.ID]), ChangeURL: change("profile", q.ID), Optional: q.Optional})
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
			g.Rows = append(g.Rows, checkRow{Key: sec.Comment, Value: f.draft.Comments[sec.ID], ChangeURL: change(sec.ID, "comment"), Optional: true})
		}
		p.Groups = append(p.Groups, g)
	}
	return p
}

func (s *Server) checkAnswers(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "check.html", s.checkPage(f, nil))
}

// submit stores the response. A page left unanswered sends the respondent
// back to check answers with a link to it.
func (s *Server) submit(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
	if f.token == "" {
		return c.Redirect(f.base(), http.StatusSeeOther)
	}
	if missing := f.survey.Incomplete(f.draft); len(missing) > 0 {
		var errs []survey.FieldError
		for _, m := range missing {
			title := "About you"
			if sec, ok := f.survey.Section(m); ok {
				title = sec.Title
			}
			errs = append(errs, survey.FieldError{Field: m, Message: fmt.Sprintf("Answer every question in ‘%s’", title)})
		}
		p := s.checkPage(f, errs)
		return s.render(c, http.StatusUnprocessableEntity, "check.html", p)
	}
	r := f.survey.Response(f.draft)
	r.Submitted = s.now().UTC()
	var stored survey.Response
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
	c.Cookie(&fiber.Cookie{Name: draftCookie, Value: "", Path: f.base(), MaxAge: -1, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure})
	return c.Redirect(f.base()+"/done?ref="+url.QueryEscape(stored.Reference), http.StatusSeeOther)
}

type donePage struct {
	page
	Survey    *survey.Definition
	Round     survey.Round
	Reference string
}

func (s *Server) done(c *fiber.Ctx) error {
	f, err := s.openFlow(c)
	if err != nil {
		return err
	}
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
