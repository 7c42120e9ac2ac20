package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/synthetic"
)

// TestEveryQuestionReported walks every closed question of every bundled
// survey (choice, yes-no, multiple choice, number; text never) and finds
// its figures, baseline against follow-up, on the report's "Every
// question" view, in the JSON API, in both aggregate files and in the
// Board pack, once both rounds have closed.
func TestEveryQuestionReported(t *testing.T) {
	svc := start(t, sqliteEnv(t))
	st := storeOf(t, svc.env)
	admin := staffBrowser(t, svc, "admin", "")
	b := staffBrowser(t, svc, "analyst", "")
	rng := rand.New(rand.NewPCG(24, 24))
	for _, d := range bundledCatalogue(t).All() {
		rounds := d.Rounds[:2]
		for n := range 200 {
			r := synthetic.Response(d, rng, n, rounds, time.Now())
			if _, err := st.Submit(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range rounds {
			closeRound(t, admin, d, r.ID)
		}
		q := "?a=" + rounds[0].ID + "&b=" + rounds[1].ID
		view := b.get("/r/" + d.ID + "/views/questions" + q).must(t, http.StatusOK).Body
		pack := b.get("/r/" + d.ID + "/pack" + q).must(t, http.StatusOK).Body
		var agg report.Aggregates
		if err := json.Unmarshal([]byte(b.get("/api/surveys/"+d.ID+"/report"+q).must(t, http.StatusOK).Body), &agg); err != nil {
			t.Fatal(err)
		}
		rows, err := readCSV(b.get("/r/" + d.ID + "/aggregates.csv" + q).must(t, http.StatusOK).Body)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(strings.NewReader(b.get("/r/" + d.ID + "/aggregates.xlsx" + q).must(t, http.StatusOK).Body))
		if err != nil {
			t.Fatal(err)
		}
		sheet, _ := f.GetRows(report.SheetFigures)
		f.Close()

		for _, question := range d.Counted() {
			id := question.ID
			for what, page := range map[string]string{"the Every question view": view, "the Board pack": pack} {
				table := element(t, page, "table", "question-"+id)
				if !strings.Contains(table, "%)") {
					t.Errorf("%s %s: %s shows no count of any answer:\n%s", d.ID, id, what, text(table))
				}
			}
			i := slices.IndexFunc(agg.Questions, func(a report.AggregateQuestion) bool { return a.ID == id })
			if i < 0 {
				t.Errorf("%s %s: not in the JSON API", d.ID, id)
				continue
			}
			for j, r := range agg.Questions[i].Rounds {
				if r == nil || !slices.ContainsFunc(slices.Collect(mapValues(r.Counts)), func(n *int) bool { return n != nil && *n > 0 }) {
					t.Errorf("%s %s: the JSON API has no count in round %d: %+v", d.ID, id, j, r)
				}
				if question.Type == survey.TypeNumber && (r == nil || r.Median == nil) {
					t.Errorf("%s %s: the JSON API has no median in round %d", d.ID, id, j)
				}
			}
			for _, round := range rounds {
				if !slices.ContainsFunc(rows, func(row []string) bool {
					return row[0] == round.ID && row[2] == id && strings.HasPrefix(row[3], "count:") && row[4] != report.Confidential && row[4] != "0"
				}) {
					t.Errorf("%s %s: aggregates.csv has no count in %s", d.ID, id, round.ID)
				}
				if !slices.ContainsFunc(sheet, func(row []string) bool {
					return len(row) > 8 && row[0] == round.ID && row[4] == id && row[5] == question.Text && strings.HasPrefix(row[7], "Count: ") && row[8] != report.Confidential && row[8] != "0"
				}) {
					t.Errorf("%s %s: aggregates.xlsx has no labelled count in %s", d.ID, id, round.ID)
				}
			}
		}
		for _, s := range d.Sections {
			for _, question := range s.Questions {
				if question.Type == survey.TypeText || question.Type == survey.TypeLongText {
					if strings.Contains(view, `id="question-`+question.ID+`"`) || slices.ContainsFunc(agg.Questions, func(a report.AggregateQuestion) bool { return a.ID == question.ID }) {
						t.Errorf("%s %s: a text question is reported", d.ID, question.ID)
					}
				}
			}
		}
	}
	runAudit(t, svc.env)
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}
