package respond

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// formPage is a section's page of questions.
type formPage struct {
	web.Page
	Caption     string
	Description string
	Action      string
	Scale       *survey.Scale // for the "what the levels mean" list
	Questions   []question
	CanSave     bool // the survey is long enough to save and come back later
	// Revealed is the question the last Continue opened on this page,
	// which the page says, and opens at (#revealed).
	Revealed string
}

// question is one question as a page shows it: a GOV.UK field, or a grid:
// a heading with a field of radios for each of its statements.
type question struct {
	web.Field
	Grid bool
	Rows []question // a grid's statements
	// Fixed is the answer of a question the respondent is not asked, shown
	// as given: the organisation of their invitation.
	Fixed string
	// RevealOn and RevealValues are the question on the same page, and
	// its answers, that show this one; Hidden is set while they do not.
	RevealOn     string
	RevealValues []string
	Hidden       bool
	// choices is the field's radios or checkboxes written once, and
	// answer the answer that checks them (several for checkboxes); when
	// choices is nil, the field's Options are written.
	choices *web.ChoicesMarkup
	answer  string
	split   bool // the answer is a list of choices (survey.Choices)
}

// invited says whether q's answer comes from the respondent's invitation
// (the organisation it is for), so that they are not asked it.
func (f *flow) invited(q *survey.Question) bool {
	if f.draft.Invitation == "" || f.draft.Answers[q.ID] == "" {
		return false
	}
	org, ok := f.survey.BreakdownQuestion("organisation")
	return ok && org.ID == q.ID
}

// scaleChoices are a scale's answers as inputs, with Don't know, Not
// applicable and Prefer not to say after an "or".
func scaleChoices(f *flow, scale *survey.Scale, preferNotToSay bool) []web.Option {
	var out []web.Option
	for _, v := range scale.Values() {
		o := web.Option{Value: v, Label: scale.AnswerLabel(f.lang, v)}
		if l, ok := scale.Level(v); ok {
			o.Face = l.Face
		}
		out = append(out, o)
	}
	if preferNotToSay {
		out = append(out, web.Option{Value: survey.PreferNotToSay, Label: f.survey.Word("prefer-not-to-say")})
	}
	if n := len(scale.Levels); n < len(out) {
		out[n].OrBefore = true
	}
	return out
}

// viewQuestion is a question as shown, with the answers so far and any
// errors. Its text and options are the same on every page, so they are
// made and written once per definition and language (kept with the
// definition, and gone with it when a new version replaces it); each page
// fills in the answers and errors.
func viewQuestion(f *flow, q *survey.Question, errs []survey.FieldError) question {
	blank := f.survey.Memo(memoKey{lang: f.lang, question: q.ID}, func() any { return blankQuestion(f, q) }).(*question)
	answers := f.draft.Answers
	v := *blank
	v.Error, v.Value, v.answer = web.FieldMessage(errs, q.ID), answers[q.ID], answers[q.ID]
	if len(blank.Rows) > 0 {
		v.Rows = make([]question, len(blank.Rows))
		for i, r := range blank.Rows {
			r.Error, r.answer = web.FieldMessage(errs, r.ID), answers[r.ID]
			v.Rows[i] = r
		}
	}
	return v
}

// memoKey is a question in a language, for Definition.Memo.
type memoKey struct{ lang, question string }

// blankQuestion is q as shown with no answer and no error, its options
// written once (web.ChoicesMarkup).
func blankQuestion(f *flow, q *survey.Question) *question {
	v := eachTime(f, q, nil, nil)
	compile := func(v *question) {
		if v.Kind == web.KindRadios || v.Kind == web.KindCheckboxes {
			v.choices, v.Options = web.NewChoicesMarkup(v.Field), nil
		}
	}
	if v.Grid {
		for i := range v.Rows {
			compile(&v.Rows[i])
		}
	} else {
		compile(&v)
	}
	v.split = q.Spec().Options // as eachTime checks them
	return &v
}

// eachTime is a question as shown, with the answers so far and any
// errors, made afresh: what viewQuestion makes from the question written
// once (TestQuestionWrittenOnceIsTheSame).
func eachTime(f *flow, q *survey.Question, errs []survey.FieldError, answers map[string]string) question {
	spec := q.Spec()
	v := question{Field: web.Field{ID: q.ID, Kind: spec.Field, Legend: q.Text, Hint: q.Hint, Error: web.FieldMessage(errs, q.ID), Optional: q.Optional, Value: answers[q.ID], Max: q.MaxLength, Lang: f.lang}}
	if f.survey.Words != nil {
		if q.Optional {
			v.OptionalText = f.survey.Word("optional")
		}
		if spec.Long {
			v.LimitText = f.survey.Word("up-to-chars", q.MaxLength)
		}
	}
	if spec.Multiple && v.Hint == "" {
		v.Hint = f.msg("select-all")
	}
	switch {
	case spec.Statements:
		v.Grid = true
		scale := f.survey.ScaleOf(q)
		choices := scaleChoices(f, scale, q.PreferNotToSay)
		for _, st := range q.Statements {
			v.Rows = append(v.Rows, question{Field: web.Field{
				ID: st.ID, Kind: spec.Field, Legend: st.Text, Hint: st.Hint, Error: web.FieldMessage(errs, st.ID),
				Options: web.Options(st.ID, choices, []string{answers[st.ID]}), Faces: scale.Faces(), Lang: f.lang,
			}})
		}
	case spec.Rated:
		scale := f.survey.ScaleOf(q)
		v.Faces = scale.Faces()
		v.Options = web.Options(q.ID, scaleChoices(f, scale, q.PreferNotToSay), []string{answers[q.ID]})
	case spec.Options:
		var choices []web.Option
		for _, o := range q.Options {
			choices = append(choices, web.Option{Value: o.Value, Label: o.Label, Hint: o.Hint})
		}
		if q.None != "" {
			choices = append(choices, web.Option{Value: survey.NoneOfThese, Label: q.None, OrBefore: true, Exclusive: true})
		}
		if q.PreferNotToSay {
			choices = append(choices, web.Option{Value: survey.PreferNotToSay, Label: f.survey.Word("prefer-not-to-say"), OrBefore: q.None == "", Exclusive: true})
		}
		v.Options = web.Options(q.ID, choices, survey.Choices(answers[q.ID]))
	}
	return v
}

func section(c *fiber.Ctx, f *flow) (*survey.Section, error) {
	sec, ok := f.survey.Section(c.Params("section"))
	if !ok || !sec.ShowIf.Holds(f.draft.Answers) {
		return nil, fiber.NewError(http.StatusNotFound, f.msg("error-no-part"))
	}
	return sec, nil
}

func sectionPage(f *flow, sec *survey.Section, errs []survey.FieldError) formPage {
	pages := f.survey.Pages(f.draft.Answers)
	number := slices.Index(pages, sec) + 1
	caption, back := f.msg("part-of", f.survey.Title, number, len(pages)), f.back(sec.ID)
	if f.survey.ForYoungPeople() {
		caption = f.msg("page-of", number, len(pages))
	}
	if f.fromFile {
		// Which pages are asked depends on earlier answers, not known here.
		caption, back = f.survey.Title, ""
	}
	p := formPage{
		Page:        f.page(sec.Title, errs, back),
		Caption:     caption,
		Description: sec.Description,
		Action:      f.action(sec.ID),
		CanSave:     f.survey.TaskList,
	}
	shown := f.shown(sec)
	for _, q := range sec.Questions {
		visible, revealable := slices.Contains(shown, q), !f.fromFile && revealedHere(sec, q)
		if !visible && !revealable {
			continue
		}
		if q.Spec().Rated {
			if scale := f.survey.ScaleOf(q); !scale.Faces() {
				p.Scale = scale
			}
		}
		v := viewQuestion(f, q, errs)
		if f.invited(q) {
			v.Fixed = answerLabel(f, q, f.draft.Answers[q.ID])
		}
		if revealable {
			v.RevealOn, v.RevealValues, v.Hidden = q.ShowIf.Question, q.ShowIf.AnswerIs, !visible
		}
		p.Questions = append(p.Questions, v)
	}
	return p
}

// revealedHere reports whether q is shown by an answer to another
// question on the same page: the page carries it hidden, and the page's
// script (web/static/app/init.js) shows it as soon as that answer is
// given, as GOV.UK's conditional reveal does.
func revealedHere(sec *survey.Section, q *survey.Question) bool {
	return q.ShowIf != nil && slices.ContainsFunc(sec.Questions, func(o *survey.Question) bool { return o.ID == q.ShowIf.Question })
}

// shown are the questions a section's page shows: those asked given the
// answers so far, and, when the earlier answers are not known (fromFile),
// also every question answered on the page, so that nothing the respondent
// entered goes missing from it.
func (f *flow) shown(sec *survey.Section) []*survey.Question {
	if !f.fromFile {
		return sec.Shown(f.draft.Answers)
	}
	var qs []*survey.Question
	for _, q := range sec.Questions {
		answered := slices.ContainsFunc(q.Keys(), func(k string) bool { return f.draft.Answers[k] != "" })
		if answered || q.ShowIf.Holds(f.draft.Answers) {
			qs = append(qs, q)
		}
	}
	return qs
}

func (s *Pages) sectionForm(c *fiber.Ctx, f *flow) error {
	sec, err := section(c, f)
	if err != nil {
		return err
	}
	p := sectionPage(f, sec, nil)
	if id := c.Query("revealed"); slices.ContainsFunc(p.Questions, func(q question) bool { return q.ID == id }) {
		p.Revealed = id
	}
	return s.render(c, http.StatusOK, "form", p)
}

// saveSection keeps what the respondent entered, valid or not, so that
// nothing is lost; then re-renders the page with the errors, moves on, or
// (for "Save and come back later") gives a resume code.
func (s *Pages) saveSection(c *fiber.Ctx, f *flow) error {
	sec, err := section(c, f)
	if err != nil {
		return err
	}
	values := postedValues(c)
	// The questions the page showed, before this post's answers: a post
	// whose answers reveal more questions comes back to be answered, with
	// errors only for the questions that were there.
	shown := map[string]bool{}
	for _, q := range sec.Shown(f.draft.Answers) {
		shown[q.ID] = true
	}
	f.draft.Answers = f.survey.Asked(sec.Collect(f.draft.Answers, values))
	revealed := "" // the first question this post's answers revealed
	for _, q := range sec.Shown(f.draft.Answers) {
		if !shown[q.ID] && revealed == "" {
			revealed = q.ID
		}
	}
	if err := s.keepInvitedOrganisation(c, f); err != nil {
		return err
	}
	if err := s.saveDraft(c, f); err != nil {
		return err
	}
	if c.FormValue("next_step") == "later" && f.survey.TaskList {
		return s.saveForLater(c, f)
	}
	errs := sec.Check(f.survey, f.draft.Answers, f.lang)
	if c.FormValue("reveal") == "script" {
		revealed = "" // the page's script showed it as it was revealed
	}
	if revealed != "" {
		var before []survey.FieldError
		for _, e := range errs {
			if q, _, ok := f.survey.QuestionOf(e.Field); ok && shown[q.ID] {
				before = append(before, e)
			}
		}
		if len(before) > 0 {
			return s.render(c, http.StatusUnprocessableEntity, "form", sectionPage(f, sec, before))
		}
		// The page again, opening at the question the answers revealed.
		to, _ := url.Parse(f.action(sec.ID))
		q := to.Query()
		q.Set("revealed", revealed)
		to.RawQuery, to.Fragment = q.Encode(), "revealed"
		return c.Redirect(to.String(), http.StatusSeeOther)
	}
	if len(errs) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "form", sectionPage(f, sec, errs))
	}
	return c.Redirect(f.next(sec.ID), http.StatusSeeOther)
}

// postedValues are the values a form sent for each field name. checkForm
// let through only URL-encoded forms of valid UTF-8.
func postedValues(c *fiber.Ctx) func(field string) []string {
	return func(field string) []string {
		var out []string
		for _, v := range c.Request().PostArgs().PeekMulti(field) {
			out = append(out, string(v))
		}
		return out
	}
}

// taskListPage is the GOV.UK task list of a long survey's sections.
type taskListPage struct {
	web.Page
	Survey   *survey.Definition
	Tasks    []task
	Done     int
	CheckURL string // set when every section is complete
}

type task struct {
	ID, Title, URL, Status string
	Complete, Started      bool
}

func (s *Pages) tasks(c *fiber.Ctx, f *flow) error {
	p := taskListPage{Page: f.page(f.survey.Title, nil, f.base()), Survey: f.survey}
	if f.survey.ForYoungPeople() {
		p.Back = f.privacyURL()
	}
	for _, sec := range f.survey.Pages(f.draft.Answers) {
		t := task{ID: sec.ID, Title: sec.Title, URL: f.sectionURL(sec.ID)}
		for _, q := range sec.Shown(f.draft.Answers) {
			for _, k := range q.Keys() {
				t.Started = t.Started || f.draft.Answers[k] != ""
			}
		}
		optional := true
		for _, q := range sec.Shown(f.draft.Answers) {
			optional = optional && q.Optional
		}
		t.Complete = (t.Started || optional) && len(sec.Check(f.survey, f.draft.Answers, f.lang)) == 0
		switch {
		case t.Complete:
			t.Status = f.msg("task-complete")
			p.Done++
		case t.Started:
			t.Status = f.msg("task-in-progress")
		default:
			t.Status = f.msg("task-not-started")
		}
		p.Tasks = append(p.Tasks, t)
	}
	if p.Done == len(p.Tasks) {
		p.CheckURL = f.checkURL()
	}
	return s.render(c, http.StatusOK, "tasks", p)
}

// answerLabel is an answer as the check-answers page shows it.
func answerLabel(f *flow, q *survey.Question, value string) string {
	if value == "" {
		return ""
	}
	switch spec := q.Spec(); {
	case spec.Rated:
		return f.survey.ScaleOf(q).AnswerLabel(f.lang, value)
	case spec.Options:
		var labels []string
		for _, v := range survey.Choices(value) {
			switch v {
			case survey.PreferNotToSay:
				labels = append(labels, f.survey.Word("prefer-not-to-say"))
			case survey.NoneOfThese:
				labels = append(labels, q.None)
			default:
				labels = append(labels, q.OptionLabel(v))
			}
		}
		return joinLines(labels)
	case spec.Number:
		if n, err := strconv.Atoi(value); err == nil {
			return strconv.Itoa(n)
		}
	}
	return value
}

func joinLines(s []string) string {
	out := ""
	for i, l := range s {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}
