package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/surveytest"
)

// Every question type has its columns in the exports: a variable for
// each of its answer keys, coded and numeric where its answers are
// (rated, a choice or yes-no, a number), text where they are not (a
// multiple choice, text); its answers checked as the survey checks them;
// and in the SPSS syntax the level of measurement its answers have:
// ordinal for a rating, nominal for a choice, scale for a number.
func TestEveryTypeIsExported(t *testing.T) {
	d, err := surveytest.EveryType()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]*Variable{}
	cb := Codebook(d, d.Rounds)
	for i := range cb {
		vars[cb[i].Key] = &cb[i]
	}
	var spss bytes.Buffer
	if err := WriteSPSSSyntax(&spss, d, d.Rounds, "every-type.csv"); err != nil {
		t.Fatal(err)
	}
	levels := map[string]string{}
	for _, m := range regexp.MustCompile(`VARIABLE LEVEL (.*) \((\w+)\)\.`).FindAllStringSubmatch(spss.String(), -1) {
		for _, name := range strings.Fields(m[1]) {
			levels[name] = m[2]
		}
	}
	for _, typ := range survey.QuestionTypes {
		ex := surveytest.Examples[typ]
		q, _, _ := d.Question(ex.Question)
		spec := q.Spec()
		numeric := spec.Rated || spec.Options && !spec.Multiple || spec.Number
		level := ""
		switch {
		case spec.Rated:
			level = "ORDINAL"
		case spec.Options && !spec.Multiple:
			level = "NOMINAL"
		case spec.Number:
			level = "SCALE"
		}
		for _, k := range q.Keys() {
			v, ok := vars[k]
			if !ok || v.Type != typ {
				t.Errorf("%s: no variable for %s in the codebook", typ, k)
				continue
			}
			if v.Numeric() != numeric {
				t.Errorf("%s: numeric is %v, want %v", typ, v.Numeric(), numeric)
			}
			if levels[v.Name] != level {
				t.Errorf("%s: SPSS level of measurement %q, want %q", typ, levels[v.Name], level)
			}
			if !v.valid(ex.Valid) || !spec.Text && v.valid(ex.Invalid) {
				t.Errorf("%s: %q and %q valid: %v and %v", typ, ex.Valid, ex.Invalid, v.valid(ex.Valid), v.valid(ex.Invalid))
			}
			_, code := cellsOf(v, ex.Valid)
			if _, isText := code.(string); isText == numeric {
				t.Errorf("%s: the Codes sheet's cell of %q is %T", typ, ex.Valid, code)
			}
		}
	}
}
