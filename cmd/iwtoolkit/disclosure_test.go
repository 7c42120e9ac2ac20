package main

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

	"iwtoolkit/internal/disclosure"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// The made-up respondents of the tests of the promise that no figure
// about fewer than the minimum group can be worked out, and the auditor of
// what the JSON API gives, for the tests here that need the whole service
// (readings over time: overtime_test.go). The ways a determined reader
// broke the promise in one reading are tested beside the reports
// (internal/web/reports/disclosure_test.go).

// member is one made-up respondent: breakdown answers and one level for
// every rating.
type member struct {
	sector, org, role, level string
	invited                  bool
	key                      string // a respondent key: the same person in every round, through invitations
}

// memberResponse is the response of the n-th member to a round, as the
// forms would make it: every section the member is asked, answered.
func memberResponse(d *survey.Definition, round string, m member, n int) survey.Response {
	id := func(name string) string {
		q, _ := d.BreakdownQuestion(name)
		return q.ID
	}
	answers := map[string]string{id("sector"): m.sector, id("organisation"): m.org, id("audience"): m.role, id("workforce"): "core"}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		// answer adds the section's answers to the map it is given: a
		// copy, so that the member's breakdown answers are kept.
		for k, v := range answer(d, sec, maps.Clone(answers), respondent{Level: m.level}, n) {
			if _, set := answers[k]; !set {
				answers[k] = v[0]
			}
		}
	}
	r := d.Response(survey.Draft{Key: fmt.Sprint("member-", n), SurveyID: d.ID, Round: round, Answers: answers})
	r.Reference, r.Submitted = fmt.Sprintf("M%09d", n), time.Now()
	if m.invited {
		r.Invitation = fmt.Sprint("invitation-", n)
	}
	if m.key != "" {
		r.RespondentKey, r.Invitation = m.key, m.key+"-"+round
	}
	return r
}

// submitMembers stores a response for each member directly through the
// store, as the forms would.
func submitMembers(t *testing.T, st store.Store, d *survey.Definition, round string, members []member, from int) {
	t.Helper()
	for _, name := range []string{"sector", "organisation", "audience", "workforce"} {
		if _, ok := d.BreakdownQuestion(name); !ok {
			t.Fatalf("the survey has no %s question", name)
		}
	}
	for i, m := range members {
		if _, err := st.Submit(context.Background(), memberResponse(d, round, m, from+i)); err != nil {
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
func apiFigures(t *testing.T, b *browser, d *survey.Definition, round string, f map[string]string) report.Aggregates {
	t.Helper()
	q := url.Values{"a": {round}}
	for k, v := range f {
		q.Set(k, v)
	}
	var agg report.Aggregates
	body := b.get("/api/surveys/"+d.ID+"/report?"+q.Encode()).must(t, http.StatusOK).Body
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
func auditAPI(t *testing.T, b *browser, st store.Store, d *survey.Definition, round string) {
	t.Helper()
	tallies, err := st.CellTallies(context.Background(), store.PlanFor(d), round)
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

func onBothStores(t *testing.T, fn func(t *testing.T, e env)) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { fn(t, newEnv(t)) })
	}
}

// TestAuditCommand runs iwtoolkit audit on closed rounds holding the
// second case's groups, paired with each other: no leak, and the command
// says so for each round and pair of rounds; with no --survey it audits
// every survey.
func TestAuditCommand(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	st := storeOf(t, e)
	var members []member
	members = append(members, levels(3, member{sector: "justice-crime-prevention", org: "police", role: "frontline"})...)
	members = append(members, levels(6, member{sector: "social-family-community-support", org: "council-childrens-services", role: "leader-manager"})...)
	members = append(members, levels(9, member{sector: "education", org: "primary-school", role: "frontline"})...)
	for i := range members {
		members[i].key = fmt.Sprint("person-", i)
	}
	submitMembers(t, st, d, "baseline", members, 0)
	submitMembers(t, st, d, "follow-up", members[2:], 100)
	for _, r := range []string{"baseline", "follow-up"} {
		if err := st.SetRoundState(context.Background(), store.RoundState{SurveyID: d.ID, Round: r}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close(context.Background())
	var out strings.Builder
	if err := run(context.Background(), []string{"audit", "--survey", d.ID}, e.getenv, &out, &out); err != nil {
		t.Fatalf("audit: %v\n%s", err, out.String())
	}
	for _, want := range []string{"integrated-working baseline (18 responses", "integrated-working follow-up (16 responses", "pairs baseline and follow-up: 0 leaks"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("audit output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(context.Background(), []string{"audit"}, e.getenv, &out, &out); err != nil || !strings.Contains(out.String(), "no leaks found in 6 surveys") {
		t.Errorf("audit of every survey: %v\n%s", err, out.String())
	}
}
