package workbook

import (
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
