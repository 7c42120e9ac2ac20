package survey_test

import (
	"os"
	"strings"
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
	words := map[[3]string]string{}
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
		x := spec.XLSForm
		if x.Type == "" || x.Appearance != "" && x.Says == "" {
			t.Errorf("%s: its XLSForm words are incomplete: %+v", typ, x)
		}
		w := [3]string{x.Type, x.List, x.Appearance}
		if words[w] != "" {
			t.Errorf("%s: written in a workbook as %s is: %+v", typ, words[w], x)
		}
		words[w] = typ
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

// Every question type has its section in docs/surveys.md's "Question
// types" (### name: …), and that chapter has no section for a type the
// toolkit does not have; its error for a blank answer is a message of
// the service's words.
func TestEveryTypeIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/surveys.md")
	if err != nil {
		t.Fatal(err)
	}
	_, chapter, ok := strings.Cut(string(doc), "\n## Question types\n")
	if !ok {
		t.Fatal(`docs/surveys.md has no chapter "Question types"`)
	}
	chapter, _, _ = strings.Cut(chapter, "\n## ")
	documented := map[string]bool{}
	for _, line := range strings.Split(chapter, "\n") {
		if h, ok := strings.CutPrefix(line, "### "); ok {
			name, _, _ := strings.Cut(h, ":")
			documented[name] = true
			if _, ok := survey.Types[name]; !ok {
				t.Errorf("docs/surveys.md documents %q, which is not a question type", name)
			}
		}
	}
	for _, typ := range survey.QuestionTypes {
		if !documented[typ] {
			t.Errorf("%s: no section ### %s in docs/surveys.md's Question types", typ, typ)
		}
		if blank := survey.SpecOf(typ).Blank; survey.Message("en", blank) == "" {
			t.Errorf("%s: its blank error %q is not a message", typ, blank)
		}
	}
}
