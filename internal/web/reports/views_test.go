package reports_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/webtest"
)

// The report's views, its JSON API and its CSV of aggregates hide the same
// groups as the page, with secondary suppression: in the baseline, 6
// respond in the first sector, 3 in the second and 7 in the third. The
// second (3) is too small; the first (6) is hidden too, or 16 − 7 would
// give the 3 away.
func TestReportViewsSuppressed(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	q, ok := d.BreakdownQuestion("sector")
	if !ok {
		t.Fatal("the bundled survey has no sector question")
	}
	first, second, third := q.Options[0], q.Options[1], q.Options[2]
	for n, count := range []int{6, 3, 7} {
		for range count {
			e.Respond(d, "baseline", webtest.Respondent{Level: "3"}, n)
		}
	}
	e.CloseRound(d, "baseline")
	b := e.StaffBrowser(auth.Analyst, "")

	p := b.Get("/r/" + d.ID + "/views/breakdown?a=baseline&by=sector").Must(http.StatusOK)
	for _, o := range []string{first.Label, second.Label} {
		if strings.Contains(p.Body, o+" (") {
			t.Errorf("breakdown shows the figures of %s, which should be hidden", o)
		}
	}
	if !strings.Contains(p.Body, third.Label+" (7)") || !strings.Contains(p.Body, "Everyone (16)") {
		t.Errorf("breakdown does not show the third sector (7) and everyone (16):\n%s", p.Body)
	}

	for _, v := range []string{first.Value, second.Value} {
		filtered := "a=baseline&sector=" + v
		page := b.Get("/r/" + d.ID + "?" + filtered).Must(http.StatusOK)
		if strings.Contains(page.Body, ">6<") || strings.Contains(page.Body, ">3<") {
			t.Errorf("the report filtered to %s shows its number of responses", v)
		}
		api := b.Get("/api/surveys/" + d.ID + "/report?" + filtered).Must(http.StatusOK)
		var agg struct {
			Rounds []struct {
				Responses  *int
				Suppressed bool
			}
			Strands []struct{ Rounds []any }
		}
		if err := json.Unmarshal([]byte(api.Body), &agg); err != nil {
			t.Fatal(err)
		}
		if len(agg.Rounds) != 1 || !agg.Rounds[0].Suppressed || agg.Rounds[0].Responses != nil {
			t.Errorf("API for %s: rounds %+v, want one suppressed round without a count", v, agg.Rounds)
		}
		for _, s := range agg.Strands {
			if s.Rounds[0] != nil {
				t.Errorf("API for %s shows a suppressed round's figures: %s", v, api.Body)
			}
		}
		csv := b.Get("/r/" + d.ID + "/aggregates.csv?" + filtered).Must(http.StatusOK)
		if !strings.HasPrefix(csv.Body, "\ufeffround,strand,statement,measure,value\n") {
			t.Errorf("aggregates CSV starts %q", csv.Body[:min(60, len(csv.Body))])
		}
		rows, err := readCSV(csv.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			if row[0] == "notes" || row[3] == "figures_as_of" {
				continue
			}
			if value := row[4]; value != report.Confidential && value != report.NotApplicable {
				t.Errorf("aggregates CSV for %s shows a figure of a suppressed group: %v", v, row)
			}
		}
	}

	// The shown sector and everyone are shown, the same in the API and CSV.
	api := b.Get("/api/surveys/" + d.ID + "/report?a=baseline&sector=" + third.Value).Must(http.StatusOK)
	if !strings.Contains(api.Body, `"responses":7`) {
		t.Errorf("API for the third sector does not show its 7 responses: %s", api.Body)
	}
	csv := b.Get("/r/" + d.ID + "/aggregates.csv?a=baseline").Must(http.StatusOK)
	if !strings.Contains(csv.Body, "baseline,,,responses,16") || !strings.Contains(csv.Body, ",mean,3.0000") {
		t.Errorf("aggregates CSV of everyone:\n%s", csv.Body)
	}

	// Every view renders, with and without filters.
	for _, v := range linkedViews(t, b, d.ID) {
		for _, q := range []string{"", "?a=baseline&b=follow-up&sector=" + third.Value, "?at_least=4&by=organisation"} {
			b.Get("/r/" + d.ID + "/views/" + v + q).Must(http.StatusOK)
		}
	}
	b.Get("/r/" + d.ID + "/views/nothing").Must(http.StatusNotFound)

	// A co-ordinator's API and CSV are their own organisation's.
	coordinator := e.StaffBrowser(auth.Coordinator, "police")
	api = coordinator.Get("/api/surveys/" + d.ID + "/report?organisation=" + "someone-else").Must(http.StatusOK)
	if !strings.Contains(api.Body, `"filters":{"organisation":"police"}`) {
		t.Errorf("co-ordinator's API is not limited to their organisation: %s", api.Body)
	}
}

// Crossing two breakdowns cannot reveal a small group by subtraction: in
// the first sector 10 leaders and 2 frontline staff answer, in the second
// 10 and 10, in the third 10 and 6. Every single-breakdown total is large,
// but sector × role has a group of 2, so every report crossing sector and
// role is protected: the 2 and enough around it are hidden that no
// adding and subtracting of what is shown gives it (the attack:
// frontline − second sector's frontline − (third sector − third sector's
// leaders) = the 2). The auditor checks every figure the API gives.
func TestCrossedBreakdownsSuppressed(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	sector, _ := d.BreakdownQuestion("sector")
	if _, ok := d.BreakdownQuestion("audience"); !ok {
		t.Fatal("the bundled survey has no role question")
	}
	n := 0
	for i, groups := range [][2]int{{10, 2}, {10, 10}, {10, 6}} {
		for j, role := range []string{"leader-manager", "frontline"} {
			for range groups[j] {
				n++
				answers := map[string]string{}
				for _, sec := range d.Sections {
					if sec.ShowIf.Holds(answers) {
						webtest.Answer(d, sec, answers, webtest.Respondent{Level: "3"}, n)
					}
				}
				answers["sector"], answers["role"] = sector.Options[i].Value, role
				r := d.Response(survey.Draft{Key: fmt.Sprint("k", n), Round: "baseline", Answers: answers})
				r.Reference, r.Submitted = fmt.Sprintf("CROSS-%05d", n), e.Clock()
				if _, err := e.Store.Submit(context.Background(), r); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	e.CloseRound(d, "baseline")
	b := e.StaffBrowser(auth.BoardViewer, "")
	hidden := func(query string) bool {
		var agg struct{ Rounds []struct{ Suppressed bool } }
		api := b.Get("/api/surveys/" + d.ID + "/report?a=baseline&" + query).Must(http.StatusOK)
		if err := json.Unmarshal([]byte(api.Body), &agg); err != nil {
			t.Fatal(err)
		}
		return len(agg.Rounds) == 1 && agg.Rounds[0].Suppressed
	}
	if hidden("audience=frontline") || hidden("sector="+sector.Options[2].Value) {
		t.Error("a single-breakdown group of 18 or 16 was hidden")
	}
	// The group of 2 and its sector's leaders are hidden (else the
	// sector's total gives it), and so is a whole second sector's pair
	// (else the frontline total does): which second sector is a choice,
	// either is safe, and the auditor checks that nothing else gives the 2.
	for _, q := range []string{
		"sector=" + sector.Options[0].Value + "&audience=frontline",
		"sector=" + sector.Options[0].Value + "&audience=leader-manager",
	} {
		if !hidden(q) {
			t.Errorf("%s is shown, though sector × role has a group of 2", q)
		}
	}
	pairHidden := func(i int) bool {
		return hidden("sector="+sector.Options[i].Value+"&audience=frontline") && hidden("sector="+sector.Options[i].Value+"&audience=leader-manager")
	}
	if !pairHidden(1) && !pairHidden(2) {
		t.Error("no second sector's frontline and leaders are hidden together: frontline − the others' frontline gives the group of 2")
	}
	auditAPI(t, e, b, d, "baseline")
	p := b.Get("/r/" + d.ID + "/views/breakdown?a=baseline&by=sector&audience=leader-manager").Must(http.StatusOK)
	if strings.Contains(p.Body, sector.Options[0].Label+" (10)") {
		t.Error("the breakdown by sector of leaders shows a group, though sector × role has a group of 2")
	}
}

// readCSV reads a CSV download, byte-order mark and all.
func readCSV(body string) ([][]string, error) {
	return csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
}

// TestPairedChanges: eight people answer both rounds (the same respondent
// key), each a level higher at the follow-up: the changes view's paired
// table says so in plain words, the test's name and p value are in its
// details, and the p value is by "Yes" in the table.
func TestPairedChanges(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	for n := range 8 {
		for i, round := range []string{"baseline", "follow-up"} {
			answers := map[string]string{}
			for _, sec := range d.Sections {
				if sec.ShowIf.Holds(answers) {
					webtest.Answer(d, sec, answers, webtest.Respondent{Level: fmt.Sprint(2 + i)}, n)
				}
			}
			r := d.Response(survey.Draft{Key: fmt.Sprint("k", n, round), Round: round, Answers: answers, RespondentKey: fmt.Sprint("person-", n)})
			r.Reference, r.Submitted = fmt.Sprintf("PAIR-%d-%d", n, i), e.Clock()
			if _, err := e.Store.Submit(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.CloseRound(d, "baseline")
	e.CloseRound(d, "follow-up")
	b := e.StaffBrowser(auth.Analyst, "")
	p := b.Get("/r/" + d.ID + "/views/changes?a=baseline&b=follow-up").Must(http.StatusOK)
	paired := webtest.Text(webtest.Element(t, p.Body, "table", "paired"))
	if !strings.Contains(paired, "8 +1.00 Yes (p ") || strings.Contains(paired, "Signed-rank") {
		t.Errorf("the paired table says %q", paired)
	}
	if !strings.Contains(p.Text(), "The statistics used for the same people") || !strings.Contains(p.Body, "Wilcoxon signed-rank test") {
		t.Error("the paired table's statistics are not in a details section of their own")
	}
}

// linkedViews are the report views the report page links to: every view
// the reports have, so that a view added is walked without a list here.
func linkedViews(t *testing.T, b *webtest.Browser, surveyID string) []string {
	t.Helper()
	page := b.Get("/r/" + surveyID).Must(http.StatusOK)
	var views []string
	for _, m := range regexp.MustCompile(`href="/r/`+regexp.QuoteMeta(surveyID)+`/views/([a-z-]+)`).FindAllStringSubmatch(page.Body, -1) {
		views = append(views, m[1])
	}
	if len(views) < 9 {
		t.Fatalf("the report links to %d views: %v", len(views), views)
	}
	return views
}
