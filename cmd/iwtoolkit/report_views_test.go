package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// The report's views, its JSON API and its CSV of aggregates hide the same
// groups as the page, with secondary suppression: in the baseline, 6
// respond in the first sector, 3 in the second and 7 in the third. The
// second (3) is too small; the first (6) is hidden too, or 16 − 7 would
// give the 3 away.
func TestReportViewsSuppressed(t *testing.T) {
	d := bundled(t)
	q, ok := d.BreakdownQuestion("sector")
	if !ok {
		t.Skip("the bundled survey has no sector question")
	}
	first, second, third := q.Options[0], q.Options[1], q.Options[2]
	svc := start(t, sqliteEnv(t))
	for n, count := range []int{6, 3, 7} {
		for range count {
			respond(t, svc.URL, d, "baseline", respondent{Level: "3"}, n)
		}
	}
	b := staffBrowser(t, svc, "analyst", "")

	p := b.get("/r/"+d.ID+"/views/breakdown?a=baseline&by=sector").must(t, http.StatusOK)
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
		page := b.get("/r/"+d.ID+"?"+filtered).must(t, http.StatusOK)
		if strings.Contains(page.Body, ">6<") || strings.Contains(page.Body, ">3<") {
			t.Errorf("the report filtered to %s shows its number of responses", v)
		}
		api := b.get("/api/surveys/"+d.ID+"/report?"+filtered).must(t, http.StatusOK)
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
		csv := b.get("/r/"+d.ID+"/aggregates.csv?"+filtered).must(t, http.StatusOK)
		if !strings.HasPrefix(csv.Body, "\ufeffround,strand,statement,measure,value\n") {
			t.Errorf("aggregates CSV starts %q", csv.Body[:min(60, len(csv.Body))])
		}
		if strings.Contains(csv.Body, ",responses,") || strings.Contains(csv.Body, ",mean,") || !strings.Contains(csv.Body, "suppressed") {
			t.Errorf("aggregates CSV for %s shows figures of a suppressed group:\n%s", v, csv.Body)
		}
	}

	// The shown sector and everyone are shown, the same in the API and CSV.
	api := b.get("/api/surveys/"+d.ID+"/report?a=baseline&sector="+third.Value).must(t, http.StatusOK)
	if !strings.Contains(api.Body, `"responses":7`) {
		t.Errorf("API for the third sector does not show its 7 responses: %s", api.Body)
	}
	csv := b.get("/r/"+d.ID+"/aggregates.csv?a=baseline").must(t, http.StatusOK)
	if !strings.Contains(csv.Body, "baseline,,,responses,16") || !strings.Contains(csv.Body, ",mean,3.0000") {
		t.Errorf("aggregates CSV of everyone:\n%s", csv.Body)
	}

	// Every view renders, with and without filters.
	for _, v := range []string{"overview", "trend", "statements", "breakdown", "at-least", "changes", "cross-reference"} {
		for _, q := range []string{"", "?a=baseline&b=follow-up&sector=" + third.Value, "?at_least=4&by=organisation"} {
			b.get("/r/"+d.ID+"/views/"+v+q).must(t, http.StatusOK)
		}
	}
	b.get("/r/"+d.ID+"/views/nothing").must(t, http.StatusNotFound)

	// A co-ordinator's API and CSV are their own organisation's.
	coordinator := staffBrowser(t, svc, "coordinator", "police")
	api = coordinator.get("/api/surveys/"+d.ID+"/report?organisation="+"someone-else").must(t, http.StatusOK)
	if !strings.Contains(api.Body, `"filters":{"organisation":"police"}`) {
		t.Errorf("co-ordinator's API is not limited to their organisation: %s", api.Body)
	}
}
