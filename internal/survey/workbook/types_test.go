package workbook

import (
	"os"
	"strings"
	"testing"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/surveytest"
)

// Every question type goes survey → workbook → survey unchanged: a type
// the workbook cannot write or read back fails here.
func TestEveryTypeRoundTrips(t *testing.T) {
	d, err := surveytest.EveryType()
	if err != nil {
		t.Fatal(err)
	}
	data, err := Write(d)
	if err != nil {
		t.Fatal(err)
	}
	got, ps := Read(d.ID+".xlsx", data)
	if len(ps) > 0 {
		t.Fatalf("reading the workbook back:\n%v", ps)
	}
	same(t, d, got)
	for _, typ := range survey.QuestionTypes {
		if q, _, ok := got.Question(surveytest.Examples[typ].Question); !ok || q.Type != typ {
			t.Errorf("%s: not read back as itself", typ)
		}
	}
}

// Every question type's XLSForm words (survey.Types) are written where a
// workbook's author reads them: the Read me's notes on the type and
// appearance columns, and the row of docs/surveys.md's table of how
// questions are written as rows. A type whose words are missing there
// fails here.
func TestEveryTypeIsInTheReadMe(t *testing.T) {
	notes := map[string]string{}
	for _, c := range layout[0].columns {
		notes[c.name] = c.help
	}
	doc, err := os.ReadFile("../../../docs/surveys.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "How this toolkit's questions are written as rows:")
	if !ok {
		t.Fatal("docs/surveys.md has no table of how questions are written as rows")
	}
	table, _, _ = strings.Cut(table, "\n\n- ")
	rows := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		if name, rest, ok := strings.Cut(strings.TrimPrefix(line, "| "), " | "); ok && strings.HasPrefix(line, "| ") {
			rows[name] = rest
		}
	}
	for _, typ := range survey.QuestionTypes {
		x := survey.SpecOf(typ).XLSForm
		if x.Type == "" {
			t.Errorf("%s: no XLSForm type word in survey.Types", typ)
			continue
		}
		if !strings.Contains(notes["type"], x.Type) || !strings.Contains(notes["type"], x.List) {
			t.Errorf("%s: the Read me's type note does not say %q %q: %s", typ, x.Type, x.List, notes["type"])
		}
		if !strings.Contains(notes["appearance"], x.Appearance) {
			t.Errorf("%s: the Read me's appearance note does not say %q: %s", typ, x.Appearance, notes["appearance"])
		}
		row, ok := rows[typ]
		if !ok {
			t.Errorf("%s: no row in docs/surveys.md's table of how questions are written as rows", typ)
			continue
		}
		for _, w := range []string{"`" + x.Type, x.List, "`" + x.Appearance} {
			if !strings.Contains(row, w) {
				t.Errorf("%s: docs/surveys.md's row does not say %s: %s", typ, w, row)
			}
		}
	}
}

// The reader's advice on the type column names every type's word.
func TestWordsHint(t *testing.T) {
	want := "begin_group, end_group, select_one LIST, select_multiple LIST, integer, or text (appearance multiline for a box of text)"
	if got := wordsHint(); got != want {
		t.Errorf("wordsHint() = %q, want %q", got, want)
	}
}
