package respond

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/surveytest"
)

// A question's options are written once per definition and language
// (viewQuestion, web.ChoicesMarkup) and the page fills in the answers and
// errors: the page must be the same, byte for byte, as the one written
// afresh (eachTime), for every question of every type and of every
// bundled survey in every language, with no answer, with each answer,
// with several, with errors, and again once the markup is kept.
func TestQuestionWrittenOnceIsTheSame(t *testing.T) {
	every, err := surveytest.EveryType()
	if err != nil {
		t.Fatal(err)
	}
	c, err := survey.LoadDir(os.DirFS("../../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	defs := append([]*survey.Definition{every}, c.All()...)
	static := func(name string) (string, error) { return "/static/" + name, nil }
	compared := 0
	for _, d := range defs {
		for _, lang := range d.Languages {
			dl := d.In(lang)
			f := &flow{survey: dl, lang: lang, draft: survey.Draft{Answers: map[string]string{}}}
			for _, sec := range dl.Sections {
				for _, q := range sec.Questions {
					for _, s := range states(f, q) {
						f.draft.Answers = s.answers
						var want, got bytes.Buffer
						if err := writeQuestion(&want, eachTime(f, q, s.errs, s.answers), static); err != nil {
							t.Fatal(err)
						}
						for range 2 { // making the markup, then kept
							got.Reset()
							if err := writeQuestion(&got, viewQuestion(f, q, s.errs), static); err != nil {
								t.Fatal(err)
							}
							if got.String() != want.String() {
								t.Fatalf("%s (%s) %s, answers %v, errors %v: written once\n%s\nwritten afresh\n%s", d.ID, lang, q.ID, s.answers, s.errs, got.String(), want.String())
							}
						}
						compared++
					}
				}
			}
		}
	}
	if compared < 500 {
		t.Errorf("only %d pages of questions compared", compared)
	}
}

type state struct {
	answers map[string]string
	errs    []survey.FieldError
}

// states are the answers and errors a question is compared under: none;
// each of its options chosen (for a grid, in every statement, with an
// error on one); every option at once, with spaces around, and an error;
// and a hostile text.
func states(f *flow, q *survey.Question) []state {
	blank := eachTime(f, q, nil, nil)
	keys := []string{q.ID}
	var values []string
	for _, o := range blank.Options {
		values = append(values, o.Value)
	}
	for _, r := range blank.Rows {
		keys = append(keys, r.ID)
		if len(values) == 0 {
			for _, o := range r.Options {
				values = append(values, o.Value)
			}
		}
	}
	all := func(v string) map[string]string {
		m := map[string]string{}
		for _, k := range keys {
			m[k] = v
		}
		return m
	}
	out := []state{{answers: map[string]string{}}}
	for i, v := range values {
		s := state{answers: all(v)}
		if i%2 == 1 {
			k := keys[len(keys)-1]
			s.errs = []survey.FieldError{{Field: k, Message: "Choose one for " + k}}
		}
		out = append(out, s)
	}
	errs := make([]survey.FieldError, 0, len(keys))
	for _, k := range keys {
		errs = append(errs, survey.FieldError{Field: k, Message: `Wrong "answer" <here> & there`})
	}
	out = append(out,
		state{answers: all(" " + strings.Join(values, "  ") + " "), errs: errs},
		state{answers: all(hostile), errs: errs[:1]},
	)
	return out
}
