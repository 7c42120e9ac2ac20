package survey_test

import (
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/surveytest"
)

// Every question type checks its answers: a respondent's answer the type
// accepts passes, one it refuses is named beside its question, and a
// stored answer is valid or not as the exports and reports count it.
func TestEveryTypeChecksItsAnswers(t *testing.T) {
	d, err := surveytest.EveryType()
	if err != nil {
		t.Fatal(err)
	}
	sec := d.Sections[0]
	for _, typ := range survey.QuestionTypes {
		ex := surveytest.Examples[typ]
		q, _, _ := d.Question(ex.Question)
		key := q.Keys()[0]
		errorsAt := func(v string) []survey.FieldError {
			var out []survey.FieldError
			for _, e := range sec.Check(d, map[string]string{key: v}, "en") {
				if e.Field == key {
					out = append(out, e)
				}
			}
			return out
		}
		if errs := errorsAt(ex.Valid); len(errs) > 0 {
			t.Errorf("%s: %q refused: %v", typ, ex.Valid, errs)
		}
		if errs := errorsAt(ex.Invalid); len(errs) == 0 {
			t.Errorf("%s: %q accepted", typ, ex.Invalid)
		}
		if !d.Valid(key, ex.Valid) {
			t.Errorf("%s: stored %q is not valid", typ, ex.Valid)
		}
		if spec := survey.SpecOf(typ); !spec.Text && d.Valid(key, ex.Invalid) {
			t.Errorf("%s: stored %q is valid", typ, ex.Invalid)
		}
	}
}

// Every question type has its definition, and the definitions agree
// with the list of types.
func TestEveryTypeHasASpec(t *testing.T) {
	if len(survey.Types) != len(survey.QuestionTypes) {
		t.Errorf("%d definitions for %d types", len(survey.Types), len(survey.QuestionTypes))
	}
	for _, typ := range survey.QuestionTypes {
		spec, ok := survey.Types[typ]
		if !ok {
			t.Errorf("%s: no definition in survey.Types", typ)
			continue
		}
		if spec.Name != typ || spec.Field == "" || spec.Blank == "" {
			t.Errorf("%s: definition incomplete: %+v", typ, spec)
		}
		if spec.Text && spec.DefaultLength <= 0 {
			t.Errorf("%s: a text type needs its default length", typ)
		}
		kinds := 0
		for _, b := range []bool{spec.Rated, spec.Options, spec.Number, spec.Text} {
			if b {
				kinds++
			}
		}
		if kinds != 1 {
			t.Errorf("%s: a type is one of rated, options, number or text: %+v", typ, spec)
		}
	}
}
