package webtest

import (
	"context"
	"fmt"

	"iwtoolkit/internal/survey"
)

// Respondent is one person's answers: every rating at Level, except the
// ratings of the first rated strand, at CAFLevel when set, and a comment
// there. Everyone answers as a frontline practitioner, so the strands for
// leaders only are not asked.
type Respondent struct {
	Level, CAFLevel string
	Comment         string
}

// Respond stores the n-th respondent's answers to a round, as the forms
// would make them (every section asked, answered), through the store, and
// returns the response's reference. The respondent's pages, which make
// them in the service, are tested in web/respond and cmd/iwtoolkit.
func (e *Env) Respond(d *survey.Definition, round string, who Respondent, n int) string {
	e.T.Helper()
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if sec.ShowIf.Holds(answers) {
			Answer(d, sec, answers, who, n)
		}
	}
	r := d.Response(survey.Draft{Key: fmt.Sprint("respondent-", n, "-", survey.NewReference()), SurveyID: d.ID, Round: round, Answers: answers})
	r.Reference, r.Submitted = survey.NewReference(), e.Clock()
	stored, err := e.Store.Submit(context.Background(), r)
	if err != nil {
		e.T.Fatal(err)
	}
	return stored.Reference
}

// Rated are the sections a frontline respondent rates, in order.
func Rated(d *survey.Definition) []*survey.Section {
	var out []*survey.Section
	for _, s := range d.Sections {
		if items, _ := s.Rated(); len(items) > 0 && s.ShowIf == nil {
			out = append(out, s)
		}
	}
	return out
}

// CommentOf is the long-text question of a section, if it has one.
func CommentOf(s *survey.Section) *survey.Question {
	for _, q := range s.Questions {
		if q.Type == survey.TypeLongText {
			return q
		}
	}
	return nil
}

// Answer answers a section's questions for a respondent, adding them to
// answers: valid answers to every question asked.
func Answer(d *survey.Definition, sec *survey.Section, answers map[string]string, who Respondent, n int) {
	first := len(Rated(d)) > 0 && sec == Rated(d)[0]
	for _, q := range sec.Shown(answers) {
		set := func(k, v string) { answers[k] = v }
		switch q.Type {
		case survey.TypeGrid, survey.TypeScale:
			v := who.Level
			if first && who.CAFLevel != "" {
				v = who.CAFLevel
			}
			for _, k := range q.Keys() {
				set(k, v)
			}
		case survey.TypeChoice, survey.TypeYesNo:
			v := q.Options[n%len(q.Options)].Value
			if q.Breakdown == "audience" {
				v = "frontline"
			}
			set(q.ID, v)
		case survey.TypeMultiple:
			set(q.ID, q.Options[0].Value)
		case survey.TypeNumber:
			v := 1
			if q.Min != nil {
				v = *q.Min
			}
			set(q.ID, fmt.Sprint(v))
		case survey.TypeText, survey.TypeLongText:
			switch {
			case first && who.Comment != "" && q == CommentOf(sec):
				set(q.ID, who.Comment)
			case !q.Optional:
				set(q.ID, "Some words")
			}
		}
	}
}
