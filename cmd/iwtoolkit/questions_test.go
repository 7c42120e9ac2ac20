package main

import (
	"context"
	"encoding/json"
	"fmt"
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
		for n := range 120 {
			r := synthetic.Response(d, rng, n, rounds, time.Now())
			if _, err := st.Submit(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range rounds {
			closeRound(t, admin, d, r.ID)
		}
		q := "?a=" + rounds[0].ID + "&b=" + rounds[1].ID
		view := b.get("/r/"+d.ID+"/views/questions"+q).must(t, http.StatusOK).Body
		pack := b.get("/r/"+d.ID+"/pack"+q).must(t, http.StatusOK).Body
		var agg report.Aggregates
		if err := json.Unmarshal([]byte(b.get("/api/surveys/"+d.ID+"/report"+q).must(t, http.StatusOK).Body), &agg); err != nil {
			t.Fatal(err)
		}
		rows, err := readCSV(b.get("/r/"+d.ID+"/aggregates.csv"+q).must(t, http.StatusOK).Body)
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(strings.NewReader(b.get("/r/"+d.ID+"/aggregates.xlsx"+q).must(t, http.StatusOK).Body))
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
		if d.ID == "training-needs" {
			checkIndicators(t, b, d, q, agg, rows, pack)
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

// checkIndicators: the training-needs survey's indicators, baseline
// against follow-up: the share with safeguarding training at the level
// their role needs, with its interval and the test of its change, by
// sector and role; and the demand for training, ranked, with its CPD
// planning sheet.
func checkIndicators(t *testing.T, b *browser, d *survey.Definition, q string, agg report.Aggregates, rows [][]string, pack string) {
	t.Helper()
	i := slices.IndexFunc(agg.Indicators, func(in report.AggregateIndicator) bool { return in.ID == "safeguarding-at-level" })
	if i < 0 {
		t.Fatalf("the JSON API has no safeguarding-at-level indicator: %+v", agg.Indicators)
	}
	in := agg.Indicators[i]
	everyone := in.Groups[0]
	for j, r := range everyone.Rounds {
		if r == nil || r.Share == nil || r.Low == nil || r.High == nil || !(*r.Low <= *r.Share && *r.Share <= *r.High) || r.Apart == 0 {
			t.Errorf("safeguarding-at-level in round %d: %+v, want a share inside its interval and some not sure", j, r)
		}
	}
	if everyone.Change == nil || everyone.Change.Low == nil || everyone.Change.P == nil {
		t.Errorf("safeguarding-at-level has no tested change between the rounds: %+v", everyone.Change)
	}
	if !slices.ContainsFunc(in.Groups, func(g report.AggregateIndicatorGroup) bool { return g.Filter["sector"] != "" }) ||
		!slices.ContainsFunc(in.Groups, func(g report.AggregateIndicatorGroup) bool { return g.Filter["audience"] != "" }) {
		t.Errorf("safeguarding-at-level is not by sector and role: %+v", in.Groups)
	}
	for what, page := range map[string]string{"the Indicators view": b.get("/r/"+d.ID+"/views/indicators"+q).must(t, http.StatusOK).Body, "the Board pack": pack} {
		table := text(element(t, page, "table", "indicator-safeguarding-at-level"))
		if !strings.Contains(table, "% to ") || !strings.Contains(table, "points") {
			t.Errorf("%s shows no share with its interval and change:\n%s", what, table)
		}
		if !strings.Contains(page, `id="indicator-cpd-demand-ways-to-learn"`) {
			t.Errorf("%s has no ranked ways of learning", what)
		}
	}
	if !slices.ContainsFunc(rows, func(row []string) bool {
		return row[1] == "indicator:safeguarding-at-level" && row[2] == "" && row[3] == "ci95_low" && row[4] != report.Confidential
	}) {
		t.Error("aggregates.csv has no interval of the safeguarding indicator")
	}
	f, err := excelize.OpenReader(strings.NewReader(b.get("/r/"+d.ID+"/aggregates.xlsx"+q).must(t, http.StatusOK).Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cpd, err := f.GetRows(report.SheetCPD)
	if err != nil || len(cpd) < 2 || !slices.Equal(cpd[0], report.CPDColumns) {
		t.Fatalf("the CPD planning sheet: %v, %v", err, cpd[:min(2, len(cpd))])
	}
	if !slices.ContainsFunc(cpd, func(row []string) bool {
		return row[1] == "training-barriers" && row[4] == "1" && row[8] != report.Confidential
	}) {
		t.Error("the CPD planning sheet ranks no barrier first")
	}
}

// TestMultipleChoiceAttackThroughService is TestMultipleChoiceAttacks
// (internal/report) through the running service: 12 people in education
// and 12 in health, 2 of health chose e-learning (the round's 12 less
// education's 10 would give them away), 2 of education did not choose
// shadowing, and 3 in all chose coaching. The JSON API hides each of them
// for every filter; the auditor finds no leak in what the API gives for
// every filter, nor does iwtoolkit audit.
func TestMultipleChoiceAttackThroughService(t *testing.T) {
	d, _ := bundledCatalogue(t).Survey("training-needs")
	svc := start(t, sqliteEnv(t))
	st := storeOf(t, svc.env)
	for i := range 24 {
		sector, nth := "education", i
		if i >= 12 {
			sector, nth = "health", i-12
		}
		var ways []string
		if sector == "education" && nth < 10 || sector == "health" && nth < 2 {
			ways = append(ways, "e-learning")
		}
		if sector == "education" && nth < 10 || sector == "health" && nth < 6 {
			ways = append(ways, "shadowing")
		}
		if i < 3 {
			ways = append(ways, "coaching-mentoring")
		}
		if len(ways) == 0 {
			ways = []string{"practice-groups"}
		}
		answers := map[string]string{"sector": sector, "role": "frontline", "workforce": "core",
			"safeguarding-level": "level-2", "safeguarding-when": "under-1-year", "safeguarding-level-needed": "level-2",
			"ways-to-learn": strings.Join(ways, " "), "integrated-working-topics": "caf", "training-barriers": "cost"}
		r := d.Response(survey.Draft{Key: fmt.Sprint("choices-", i), SurveyID: d.ID, Round: "baseline", Answers: answers})
		r.Reference, r.Submitted = fmt.Sprintf("MC%07d", i), time.Now()
		if _, err := st.Submit(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	closeRound(t, staffBrowser(t, svc, "admin", ""), d, "baseline")
	b := staffBrowser(t, svc, "analyst", "")
	shown := 0
	for _, f := range []map[string]string{nil, {"sector": "education"}, {"sector": "health"}, {"audience": "frontline"}, {"sector": "health", "audience": "frontline"}} {
		agg := apiFigures(t, b, d, "baseline", f)
		for _, q := range agg.Questions {
			if q.ID != "ways-to-learn" || q.Rounds[0] == nil {
				continue
			}
			c := q.Rounds[0].Counts
			if c["shadowing"] != nil {
				shown++
			}
			if f["sector"] == "health" && c["e-learning"] != nil {
				t.Errorf("%v: health's e-learning (2 people) is shown", f)
			}
			if f["sector"] == "education" && c["shadowing"] != nil {
				t.Errorf("%v: education's shadowing (all but 2) is shown", f)
			}
			if c["coaching-mentoring"] != nil {
				t.Errorf("%v: coaching-mentoring (3 people) is shown", f)
			}
		}
	}
	if shown == 0 {
		t.Error("no group shows shadowing: the round's figures are all hidden")
	}
	auditAPI(t, b, st, d, "baseline") // every filter of the JSON API, options included
	out := runAudit(t, svc.env)
	if !strings.Contains(out, "training-needs baseline (24 responses") {
		t.Errorf("the audit did not check the round:\n%s", out)
	}
}
