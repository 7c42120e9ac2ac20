package respond

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/surveytest"
	"iwtoolkit/internal/web"
)

// Every question type is drawn as its GOV.UK field: a rated question as
// radios of its scale's levels (a grid's each statement), a choice or
// yes-no as radios of its options, a multiple choice as checkboxes, a
// number as a numeric input, a text as a text input and a long text as a
// textarea. A type the forms do not know would be drawn as a text box.
func TestEveryTypeIsDrawnAsItsField(t *testing.T) {
	d, err := surveytest.EveryType()
	if err != nil {
		t.Fatal(err)
	}
	f := &flow{survey: d, lang: "en", draft: survey.Draft{Answers: map[string]string{}}}
	static := func(name string) (string, error) { return "/static/" + name, nil }
	for _, typ := range survey.QuestionTypes {
		q, _, _ := d.Question(surveytest.Examples[typ].Question)
		var b bytes.Buffer
		if err := writeQuestion(&b, viewQuestion(f, q, nil), static); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		html := b.String()
		count := func(s string) int { return strings.Count(html, s) }
		spec := q.Spec()
		if !slices.Contains([]string{web.KindRadios, web.KindCheckboxes, web.KindNumber, web.KindText, web.KindTextarea}, spec.Field) {
			t.Errorf("%s: field %q is none of package web's kinds", typ, spec.Field)
		}
		switch {
		case spec.Rated:
			want := len(d.ScaleOf(q).Values()) * len(q.Keys())
			if n := count(`type="radio"`); n != want || count("govuk-radios") == 0 {
				t.Errorf("%s: %d radios, want %d (the scale's levels for each of %d keys)\n%s", typ, n, want, len(q.Keys()), html)
			}
		case spec.Options:
			kind := `type="radio"`
			if spec.Multiple {
				kind = `type="checkbox"`
			}
			if n := count(kind); n != len(q.AnswerOptions()) {
				t.Errorf("%s: %d of %s, want one for each of %d answers\n%s", typ, n, kind, len(q.AnswerOptions()), html)
			}
		case spec.Number:
			if count(`inputmode="numeric"`) != 1 {
				t.Errorf("%s: not a numeric input\n%s", typ, html)
			}
		case spec.Text:
			long := spec.Field == "textarea"
			if (count("<textarea") == 1) != long || (count(`<input class="govuk-input"`) == 1) == long {
				t.Errorf("%s: not a text input or a textarea as its type says\n%s", typ, html)
			}
		default:
			t.Errorf("%s: no definition in survey.Types", typ)
		}
		if count(`type="radio"`)+count(`type="checkbox"`) > 0 && !spec.Rated && !spec.Options {
			t.Errorf("%s: drawn with choices\n%s", typ, html)
		}
	}
}
