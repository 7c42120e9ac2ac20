package reports_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// Ways a patient reader recovered single people's answers over time
// (issue 22), tried again on the reports: the reader reads the JSON API
// for every filter, again and again, and the paired comparison. What they
// read is handed to the auditor over time (disclosure.CheckReadings), with
// the people who came between two readings as groups of their own. The
// ways through other outputs (the contact lists page, the invitation
// links, the audit command) are cmd/iwtoolkit/overtime_test.go.

// reader reads a round's JSON API for every filter of up to two breakdown
// answers, again and again, keeping what it read and which people had
// answered by then.
type reader struct {
	t        *testing.T
	b        *webtest.Browser
	d        *survey.Definition
	round    string
	epochs   [][]member
	readings []disclosure.Reading
}

func (r *reader) submit(e *webtest.Env, ms []member) {
	r.t.Helper()
	n := 0
	for _, e := range r.epochs {
		n += len(e)
	}
	submitMembers(r.t, e, r.d, r.round, ms, 1000*len(r.round)+n)
	r.epochs[len(r.epochs)-1] = append(r.epochs[len(r.epochs)-1], ms...)
}

// read reads every filter; it returns the round as the API gave it
// unfiltered.
func (r *reader) read() report.AggregateRound {
	r.t.Helper()
	_, layout := report.Problem(r.d, r.round, nil)
	reading := disclosure.Reading{Epoch: len(r.epochs)}
	var whole report.AggregateRound
	for _, f := range report.Filters(r.d, layout) {
		if strings.Contains(fmt.Sprint(f), report.NotAnswered) {
			continue
		}
		agg := apiFigures(r.t, r.b, r.d, r.round, f)
		if len(f) == 0 {
			whole = agg.Rounds[0]
		}
		reading.Figures = append(reading.Figures, report.FiguresOfAggregates(r.d, layout, agg, 0, f)...)
	}
	r.readings = append(r.readings, reading)
	r.epochs = append(r.epochs, nil)
	return whole
}

// leaks audits every reading together against the people who had answered
// at each.
func (r *reader) leaks() []disclosure.Leak {
	r.t.Helper()
	var problems []*disclosure.Problem
	for _, ms := range r.epochs {
		pr, _ := report.Problem(r.d, r.round, membersCells(r.d, r.round, ms))
		problems = append(problems, pr)
	}
	leaks, err := disclosure.CheckReadings(context.Background(), disclosure.EpochDim(problems), r.readings)
	if err != nil {
		r.t.Fatal(err)
	}
	return leaks
}

// membersCells are the cells members' responses are counted in.
func membersCells(d *survey.Definition, round string, ms []member) []report.CellCounts {
	rs := make([]survey.Response, len(ms))
	for i, m := range ms {
		rs[i] = memberResponse(d, round, m, i, time.Time{})
	}
	return publish.CellsOf(d, rs)
}

// TestTwoReadingsOfAnOpenRound is the first way: a board viewer reads the
// API, one organisation gains exactly one person within a step of the
// round, and the viewer reads again. Before, each reading was protected on
// its own, and the difference was that person's answers. Now an open
// round shows no figures, only a count rounded down to the minimum group;
// its figures come once, when it closes; and every reading, audited
// together, gives nobody away.
func TestTwoReadingsOfAnOpenRound(t *testing.T) {
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		serve(t, e)
		d := e.Survey("integrated-working")
		r := &reader{t: t, b: e.StaffBrowser(auth.BoardViewer, ""), d: d, round: "baseline", epochs: [][]member{nil}}
		r.submit(e, append(levels(7, member{sector: "health", org: "community-health-trust", role: "frontline"}),
			levels(6, member{sector: "education", org: "primary-school", role: "frontline"})...))
		first := r.read()
		// One more person in a new group, and four in an old one: a step.
		r.submit(e, append(levels(1, member{sector: "justice-crime-prevention", org: "police", role: "frontline", level: "5"}),
			levels(4, member{sector: "education", org: "primary-school", role: "frontline"})...))
		second := r.read()
		for i, got := range []report.AggregateRound{first, second} {
			if !got.Open || !got.Suppressed || got.Responses != nil {
				t.Errorf("reading %d of the open round: %+v, want open with no figures", i+1, got)
			}
		}
		e.CloseRound(d, "baseline")
		closed := r.read()
		if closed.Open || closed.Responses == nil || *closed.Responses != 18 || closed.AsOf == "" {
			t.Errorf("the closed round: %+v, want its 18 responses' figures", closed)
		}
		page := webtest.Text(r.b.Get("/r/" + d.ID + "?a=baseline").Must(http.StatusOK).Body)
		if !strings.Contains(page, "figures made when it closed") {
			t.Errorf("the report does not say when the figures were made:\n%s", page)
		}
		for _, l := range r.leaks() {
			t.Errorf("leak over time: %v", l)
		}
	})
}

// TestOpenRoundSaysHowManyInSteps: the report of an open round says it is
// open and how many have answered, rounded down to the minimum group, so
// that two readings never say exactly how many answered between them.
func TestOpenRoundSaysHowManyInSteps(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	b := e.StaffBrowser(auth.Analyst, "")
	group := member{sector: "health", org: "community-health-trust", role: "frontline"}
	submitMembers(t, e, d, "baseline", levels(4, group), 0)
	page := webtest.Text(b.Get("/r/" + d.ID + "?a=baseline").Must(http.StatusOK).Body)
	if !strings.Contains(page, "Baseline, autumn 2026: open. Its figures are published when it closes; fewer than 5 people have answered so far") {
		t.Errorf("with 4 responses the report says:\n%s", page)
	}
	submitMembers(t, e, d, "baseline", levels(8, group), 4)
	page = webtest.Text(b.Get("/r/" + d.ID + "?a=baseline").Must(http.StatusOK).Body)
	if !strings.Contains(page, "at least 10 people have answered so far") {
		t.Errorf("with 12 responses the report says:\n%s", page)
	}
}

// TestPairsShowInTheNormalOrder is the seventh: the baseline closes and is
// read; the follow-up is answered afterwards and closes. Before, the
// paired table used the baseline's publication time as the cut-off for
// both rounds, so the follow-up answers never counted. Now each round's
// own figures are its cut-off, and the pairs show.
func TestPairsShowInTheNormalOrder(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	admin := e.StaffBrowser(auth.Admin, "")
	var people []member
	for i := range 12 {
		people = append(people, member{sector: "education", org: "primary-school", role: "frontline", level: fmt.Sprint(1 + i%2), key: fmt.Sprint("p", i)})
	}
	submitMembers(t, e, d, "baseline", people, 0)
	e.CloseRound(d, "baseline")
	admin.Get("/r/" + d.ID + "?a=baseline").Must(http.StatusOK) // the Board reads the baseline
	for i := range people {
		people[i].level = fmt.Sprint(3 + i%3)
	}
	submitMembers(t, e, d, "follow-up", people, 100)
	changes := "/r/" + d.ID + "/views/changes?a=baseline&b=follow-up"
	if p := webtest.Text(admin.Get(changes).Must(http.StatusOK).Body); strings.Contains(p, "Yes (p") {
		t.Errorf("pairs shown while the follow-up is open:\n%s", p)
	}
	e.CloseRound(d, "follow-up")
	paired := webtest.Text(webtest.Element(t, admin.Get(changes).Must(http.StatusOK).Body, "table", "paired"))
	if !strings.Contains(paired, "12") || !strings.Contains(paired, "Yes (p") {
		t.Errorf("the paired table after both rounds closed: %s", paired)
	}
}
