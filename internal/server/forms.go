package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
)

// formPage is a page of questions: the profile, or a strand's statements.
type formPage struct {
	page
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
	Small                   bool // small radios, for the many statements of a strand
}

type option struct {
	ID, Value, Label string
	Checked          bool
	OrBefore         bool // Don't know and Not applicable come after an "or"
}

type comment struct {
	Label, Value, Error string
	Max                 int
}

// options builds radios named id. The first radio's id is the field's, so
// that the error summary's link lands on it.
func options(id string, choices []survey.Option, chosen string) []option {
	out := make([]option, len(choices))
	for i, c := range choices {
		oid := id
		if i > 0 {
			oid = fmt.Sprintf("%s_%d", id, i+1) // never a survey ID: see survey.CommentField
		}
		out[i] = option{ID: oid, Value: c.Value, Label: c.Label, Checked: c.Value == chosen}
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

func profilePage(f *flow, errs []survey.FieldError) formPage {
	p := formPage{
		page:    page{Title: profileTitle, Errors: errs, Back: f.back(survey.ProfilePage)},
		Caption: f.survey.Title,
		Action:  f.action(survey.ProfilePage),
	}
	for _, q := range f.survey.Profile {
		p.Questions = append(p.Questions, question{
			ID: q.ID, Legend: q.Label, Hint: q.Hint, Error: errorFor(errs, q.ID),
			Options: options(q.ID, q.Options, f.draft.Profile[q.ID]),
		})
	}
	return p
}

func (s *Server) profileForm(c *fiber.Ctx, f *flow) error {
	return s.render(c, http.StatusOK, "form.html", profilePage(f, nil))
}

func (s *Server) saveProfile(c *fiber.Ctx, f *flow) error {
	f.draft.Profile = map[string]string{}
	for _, q := range f.survey.Profile {
		if v := c.FormValue(q.ID); v != "" {
			f.draft.Profile[q.ID] = v
		}
	}
	return s.savePage(c, f, survey.ProfilePage, f.survey.CheckProfile(f.draft.Profile), func(errs []survey.FieldError) formPage {
		return profilePage(f, errs)
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
	return c.Redirect(f.next(current), http.StatusSeeOther)
}

func section(c *fiber.Ctx, f *flow) (*survey.Section, error) {
	sec, ok := f.survey.Section(c.Params("section"))
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "There is no such part of this survey")
	}
	return sec, nil
}

func sectionPage(f *flow, sec *survey.Section, errs []survey.FieldError) formPage {
	scale := f.survey.ScaleOf(sec)
	number := slices.Index(f.survey.Sections, sec) + 1
	p := formPage{
		page:        page{Title: sec.Title, Errors: errs, Back: f.back(sec.ID)},
		Caption:     fmt.Sprintf("%s: part %d of %d", f.survey.Title, number, len(f.survey.Sections)),
		Description: sec.Description,
		Action:      f.action(sec.ID),
		Scale:       scale,
	}
	var choices []survey.Option
	for _, v := range scale.Values() {
		choices = append(choices, survey.Option{Value: v, Label: scale.AnswerLabel(v)})
	}
	for _, st := range sec.Statements {
		opts := options(st.ID, choices, f.draft.Answers[st.ID])
		if levels := len(scale.Levels); levels < len(opts) {
			opts[levels].OrBefore = true
		}
		p.Questions = append(p.Questions, question{
			ID: st.ID, Legend: st.Text, Hint: st.Hint, Error: errorFor(errs, st.ID),
			Options: opts, Small: true,
		})
	}
	if sec.Comment != "" {
		p.Comment = &comment{Label: sec.Comment, Value: f.draft.Comments[sec.ID], Error: errorFor(errs, survey.CommentField), Max: survey.MaxCommentLength}
	}
	return p
}

func (s *Server) sectionForm(c *fiber.Ctx, f *flow) error {
	sec, err := section(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "form.html", sectionPage(f, sec, nil))
}

func (s *Server) saveSection(c *fiber.Ctx, f *flow) error {
	sec, err := section(c, f)
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
	// Browsers send a new line in a text box as CR LF; it counts as one.
	text := strings.TrimSpace(strings.ReplaceAll(c.FormValue(survey.CommentField), "\r\n", "\n"))
	if sec.Comment != "" && text != "" {
		comments[sec.ID] = text
	} else {
		delete(comments, sec.ID)
	}
	f.draft.Answers, f.draft.Comments = answers, comments
	return s.savePage(c, f, sec.ID, f.survey.CheckSection(sec, answers, text), func(errs []survey.FieldError) formPage {
		return sectionPage(f, sec, errs)
	})
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
