package reports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/board"
	"iwtoolkit/internal/web/reports"
	"iwtoolkit/internal/webtest"
)

// The ways a determined reader broke the promise that no figure about
// fewer than the minimum group can be worked out in one reading, each
// tried again through the reports' JSON API on both stores; after each,
// every figure the API gives for every filter is handed to the auditor
// with the round's true cells. (Readings over time are
// cmd/iwtoolkit/overtime_test.go, through the whole service.)

// member is one made-up respondent: breakdown answers and one level for
// every rating.
type member struct {
	sector, org, role, level string
	invited                  bool
	key                      string // a respondent key: the same person in every round, through invitations
}

// memberResponse is the response of the n-th member to a round, as the
// forms would make it: every section the member is asked, answered.
func memberResponse(d *survey.Definition, round string, m member, n int, at time.Time) survey.Response {
	id := func(name string) string {
		q, _ := d.BreakdownQuestion(name)
		return q.ID
	}
	answers := map[string]string{id("sector"): m.sector, id("organisation"): m.org, id("audience"): m.role, id("workforce"): "core"}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		// The section's answers on a copy: the member's breakdown answers
		// are kept. (The copy of this in cmd/iwtoolkit, until this move,
		// answered on the member's own, and so overwrote them.)
		section := maps.Clone(answers)
		webtest.Answer(d, sec, section, webtest.Respondent{Level: m.level}, n)
		for k, v := range section {
			if _, set := answers[k]; !set {
				answers[k] = v
			}
		}
	}
	r := d.Response(survey.Draft{Key: fmt.Sprint("member-", n), SurveyID: d.ID, Round: round, Answers: answers})
	r.Reference, r.Submitted = fmt.Sprintf("M%09d", n), at
	if m.invited {
		r.Invitation = fmt.Sprint("invitation-", n)
	}
	if m.key != "" {
		r.RespondentKey, r.Invitation = m.key, m.key+"-"+round
	}
	return r
}

// submitMembers stores a response for each member directly through the
// store, as the forms would, in turn on e's clock.
func submitMembers(t *testing.T, e *webtest.Env, d *survey.Definition, round string, members []member, from int) {
	t.Helper()
	for _, name := range []string{"sector", "organisation", "audience", "workforce"} {
		if _, ok := d.BreakdownQuestion(name); !ok {
			t.Fatalf("the survey has no %s question", name)
		}
	}
	for i, m := range members {
		if _, err := e.Store.Submit(context.Background(), memberResponse(d, round, m, from+i, e.Clock())); err != nil {
			t.Fatal(err)
		}
	}
}

// levels spreads members' answers over the scale, so that the figures are
// not all alike.
func levels(n int, m member) []member {
	out := make([]member, n)
	for i := range out {
		out[i] = m
		out[i].level = fmt.Sprint(1 + (i*3+len(m.org))%5)
	}
	return out
}

// apiFigures reads the JSON API of one round for a filter.
func apiFigures(t *testing.T, b *webtest.Browser, d *survey.Definition, round string, f map[string]string) report.Aggregates {
	t.Helper()
	q := url.Values{"a": {round}}
	for k, v := range f {
		q.Set(k, v)
	}
	var agg report.Aggregates
	body := b.Get("/api/surveys/" + d.ID + "/report?" + q.Encode()).Must(http.StatusOK).Body
	if err := json.Unmarshal([]byte(body), &agg); err != nil {
		t.Fatal(err)
	}
	return agg
}

// auditAPI gathers every figure the JSON API gives of a round, for every
// filter of up to two breakdown answers, and runs the auditor on them
// against the round's cells as the store holds them. It fails t on any
// figure about fewer than the minimum that is shown or can be worked out
// by adding and subtracting.
func auditAPI(t *testing.T, e *webtest.Env, b *webtest.Browser, d *survey.Definition, round string) {
	t.Helper()
	tallies, err := e.Store.CellTallies(context.Background(), store.PlanFor(d), round)
	if err != nil {
		t.Fatal(err)
	}
	var cells []report.CellCounts
	for c, n := range tallies {
		cells = append(cells, report.CellCounts{Cell: c, Responses: n.Responses, Answers: n.Answers})
	}
	_, layout := report.Problem(d, round, cells)
	var pub disclosure.Published
	filters := report.Filters(d, layout)
	for _, f := range filters {
		if strings.Contains(fmt.Sprint(f), report.NotAnswered) {
			continue // the API is asked for answers, not for no answer
		}
		agg := apiFigures(t, b, d, round, f)
		pub.Figures = append(pub.Figures, report.FiguresOfAggregates(d, layout, agg, 0, f)...)
	}
	zeros := 0
	// report.Audit: the round's problem, then each multiple-choice
	// option's, as iwtoolkit audit checks them.
	leaks, err := report.Audit(context.Background(), d, cells, layout, pub, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leaks {
		if l.ThroughZeros {
			zeros++
			continue
		}
		t.Errorf("leak: %v", l)
	}
	t.Logf("audited %d figures over %d filters; counts fixed only through shown zeros: %d", len(pub.Figures), len(filters), zeros)
}

// TestConditionalStrandCountsWhoWasAsked is the first case: a round of 22,
// 20 frontline and 2 leaders. The strand for leaders and managers only is
// about the 2 who were asked it: hidden on the page, in the API, the CSV
// and the pack, while the round's other figures are shown.
func TestConditionalStrandCountsWhoWasAsked(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		pack, err := board.New(board.Options{Store: e.Store, Surveys: e.Surveys, Now: e.Clock, Timeout: time.Minute,
			Sessions: e.Sessions, Publisher: e.Publisher, BaseURL: webtest.BaseURL})
		if err != nil {
			t.Fatal(err)
		}
		r, err := reports.New(reports.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock,
			Timeout: time.Minute, Sessions: e.Sessions, Publisher: e.Publisher})
		if err != nil {
			t.Fatal(err)
		}
		e.Serve(r.Register, pack.Register)
		d := e.Survey("integrated-working")
		var leaders *survey.Section
		for _, s := range d.Sections {
			if s.ShowIf != nil {
				leaders = s
			}
		}
		members := append(levels(20, member{sector: "health", org: "community-health-trust", role: "frontline"}),
			levels(2, member{sector: "health", org: "community-health-trust", role: "leader-manager"})...)
		submitMembers(t, e, d, "baseline", members, 0)
		e.CloseRound(d, "baseline")
		b := e.StaffBrowser(auth.Analyst, "")
		agg := apiFigures(t, b, d, "baseline", nil)
		if agg.Rounds[0].Responses == nil || *agg.Rounds[0].Responses != 22 {
			t.Errorf("responses %+v, want 22 shown", agg.Rounds[0])
		}
		for _, s := range agg.Strands {
			if s.ID == leaders.ID {
				if s.Rounds[0] != nil || s.Statements[0].Rounds[0] != nil {
					t.Errorf("the leaders' strand (2 asked) is shown: %+v", s.Rounds[0])
				}
			} else if s.Rounds[0] == nil {
				t.Errorf("strand %s (22 asked) is hidden", s.ID)
			}
		}
		csv := b.Get("/r/" + d.ID + "/aggregates.csv?a=baseline").Must(http.StatusOK).Body
		rows, err := readCSV(csv)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if row[1] == leaders.ID && row[4] != report.Confidential && row[4] != report.NotApplicable {
				t.Errorf("aggregates CSV shows the leaders' strand: %v", row)
			}
		}
		if pack := b.Get("/r/" + d.ID + "/pack?a=baseline").Must(http.StatusOK).Text(); !strings.Contains(pack, "fewer than 5 people were asked this") {
			t.Errorf("the Board pack does not say the leaders' strand is hidden:\n%s", pack)
		}
		auditAPI(t, e, b, d, "baseline")
	})
}

// TestDifferencingAcrossBreakdowns is the second case: police 3, council
// 6, primary school 7, health trust 8 (5 in health, 3 in sport). With
// each breakdown choosing its own hidden cells, total − primary school −
// health trust − the social-care sector gave the police group's counts.
func TestDifferencingAcrossBreakdowns(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		serve(t, e)
		d := e.Survey("integrated-working")
		var members []member
		members = append(members, levels(3, member{sector: "justice-crime-prevention", org: "police", role: "frontline"})...)
		members = append(members, levels(6, member{sector: "social-family-community-support", org: "council-childrens-services", role: "frontline"})...)
		members = append(members, levels(7, member{sector: "education", org: "primary-school", role: "frontline"})...)
		members = append(members, levels(5, member{sector: "health", org: "community-health-trust", role: "frontline"})...)
		members = append(members, levels(3, member{sector: "sport-culture", org: "community-health-trust", role: "frontline"})...)
		submitMembers(t, e, d, "baseline", members, 0)
		e.CloseRound(d, "baseline")
		b := e.StaffBrowser(auth.Analyst, "")
		shown := func(f map[string]string) bool {
			return !apiFigures(t, b, d, "baseline", f).Rounds[0].Suppressed
		}
		if shown(map[string]string{"organisation": "police"}) {
			t.Error("police (3) is shown")
		}
		attack := []map[string]string{nil, {"organisation": "primary-school"}, {"organisation": "community-health-trust"}, {"sector": "social-family-community-support"}}
		all := true
		for _, f := range attack {
			all = all && shown(f)
		}
		if all {
			t.Error("total, primary school, health trust and social care are all shown: their difference is the police")
		}
		auditAPI(t, e, b, d, "baseline")
	})
}

// TestCompletionIsOneTable is the fourth case: the completion of
// invitations shown with and without a filter is one table, hidden the same
// way, and protected with the report's groups: a small number of invited
// respondents, or one that with their organisation's responses gives a
// small group away, is not shown.
func TestCompletionIsOneTable(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, func(t *testing.T, e *webtest.Env) {
		serve(t, e)
		d := e.Survey("integrated-working")
		var members []member
		members = append(members, levels(9, member{sector: "health", org: "community-health-trust", role: "frontline", invited: true})...)
		members = append(members, levels(2, member{sector: "health", org: "community-health-trust", role: "frontline"})...)
		members = append(members, levels(6, member{sector: "education", org: "primary-school", role: "frontline", invited: true})...)
		members = append(members, levels(7, member{sector: "education", org: "secondary-school", role: "frontline"})...)
		submitMembers(t, e, d, "baseline", members, 0)
		invs := []survey.Invitation{}
		for i, org := range []string{"community-health-trust", "primary-school"} {
			for j := range 10 {
				invs = append(invs, survey.Invitation{Key: fmt.Sprint("k", i, j), SurveyID: d.ID, Round: "baseline", Organisation: org, Created: time.Now()})
			}
		}
		if err := e.Store.CreateInvitations(context.Background(), invs); err != nil {
			t.Fatal(err)
		}
		b := e.StaffBrowser(auth.Admin, "")
		e.CloseRound(d, "baseline")
		completion := func(query string) string {
			return webtest.Text(webtest.Element(t, b.Get("/r/"+d.ID+"/views/overview?a=baseline"+query).Must(http.StatusOK).Body, "table", "completion-baseline"))
		}
		all := completion("")
		for _, org := range []string{"community-health-trust", "primary-school"} {
			one := completion("&organisation=" + org)
			q, _ := d.BreakdownQuestion("organisation")
			label := q.OptionLabel(org)
			if row := rowOf(all, label); row == "" || row != rowOf(one, label) {
				t.Errorf("completion of %s: %q unfiltered, %q filtered", org, row, rowOf(one, label))
			}
		}
		// Health trust: 11 responses, 9 through invitations: showing 9
		// would give away the 2 who came another way.
		if strings.Contains(rowOf(all, "Community health trust"), " 9 ") {
			t.Errorf("completion shows 9 for the health trust, which with its 11 responses gives away 2: %q", all)
		}
	})
}

// rowOf is the part of a table's text from label to the next row's label.
func rowOf(table, label string) string {
	i := strings.Index(table, label)
	if i < 0 {
		return ""
	}
	row := table[i:]
	if j := strings.Index(row, "%"); j >= 0 {
		row = row[:j+1]
	} else if j := strings.Index(row, "not shown"); j >= 0 {
		row = row[:j+len("not shown")]
	}
	return row
}
