package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"iwtoolkit/internal/config"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// bundledCatalogue is the bundled surveys, read as the service reads them.
func bundledCatalogue(t *testing.T) *survey.Catalogue {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// bundled is the bundled self-assessment.
func bundled(t *testing.T) *survey.Definition {
	t.Helper()
	d, ok := bundledCatalogue(t).Survey("integrated-working")
	if !ok {
		t.Fatal("no integrated-working survey in surveys/")
	}
	return d
}

// respondent is one person's answers: every rating at Level, except the
// ratings of the first rated strand, at CAFLevel when set, and a comment
// there. Everyone answers as a frontline practitioner, so the strands for
// leaders only are not asked.
type respondent struct {
	Level, CAFLevel string
	Comment         string
}

var refPattern = regexp.MustCompile(`(?:Your reference|Your answer number|Twój numer referencyjny|Numer Twoich odpowiedzi)\s*<br>\s*<strong>([0-9A-Z]{5}-[0-9A-Z]{5})</strong>`)

// respond goes through the whole flow of a round as a browser with
// JavaScript off would, and returns the reference on the confirmation page.
func respond(t *testing.T, base string, d *survey.Definition, round string, who respondent, n int) string {
	t.Helper()
	return send(t, fill(t, base, d, round, who, n), "/s/"+d.ID+"/"+round)
}

// rated are the sections a frontline respondent rates, in order.
func rated(d *survey.Definition) []*survey.Section {
	var out []*survey.Section
	for _, s := range d.Sections {
		if items, _ := s.Rated(); len(items) > 0 && s.ShowIf == nil {
			out = append(out, s)
		}
	}
	return out
}

// commentOf is the long-text question of a section, if it has one.
func commentOf(s *survey.Section) *survey.Question {
	for _, q := range s.Questions {
		if q.Type == survey.TypeLongText {
			return q
		}
	}
	return nil
}

// answer fills in a section's form for a respondent: valid answers to
// every question asked.
func answer(d *survey.Definition, sec *survey.Section, answers map[string]string, who respondent, n int) url.Values {
	form := url.Values{}
	first := sec == rated(d)[0]
	for _, q := range sec.Shown(answers) {
		switch q.Type {
		case survey.TypeGrid, survey.TypeScale:
			v := who.Level
			if first && who.CAFLevel != "" {
				v = who.CAFLevel
			}
			for _, k := range q.Keys() {
				form.Set(k, v)
			}
		case survey.TypeChoice, survey.TypeYesNo:
			v := q.Options[n%len(q.Options)].Value
			if q.Breakdown == "audience" {
				v = "frontline"
			}
			form.Set(q.ID, v)
		case survey.TypeMultiple:
			form.Set(q.ID, q.Options[0].Value)
		case survey.TypeNumber:
			v := 1
			if q.Min != nil {
				v = *q.Min
			}
			form.Set(q.ID, fmt.Sprint(v))
		case survey.TypeText, survey.TypeLongText:
			switch {
			case first && who.Comment != "" && q == commentOf(sec):
				form.Set(q.ID, who.Comment)
			case !q.Optional:
				form.Set(q.ID, "Some words")
			}
		}
		for k, v := range form {
			answers[k] = v[0]
		}
	}
	return form
}

// fill answers every page of a round, up to check answers.
func fill(t *testing.T, base string, d *survey.Definition, round string, who respondent, n int) *browser {
	t.Helper()
	b := newBrowser(t, base)
	flow := "/s/" + d.ID + "/" + round
	b.get(flow).must(t, http.StatusOK)
	answers := map[string]string{}
	for _, sec := range d.Sections {
		if !sec.ShowIf.Holds(answers) {
			continue
		}
		b.get(flow+"/section/"+sec.ID).must(t, http.StatusOK)
		p := b.postWithToken(flow+"/section/"+sec.ID, answer(d, sec, answers, who, n)).must(t, http.StatusOK)
		if d.TaskList && p.URL.Path != flow+"/tasks" {
			t.Fatalf("after section %s: at %s, want the task list", sec.ID, p.URL.Path)
		}
	}
	check := b.get(flow+"/check").must(t, http.StatusOK)
	if strings.Contains(check.Body, "Not answered") {
		t.Fatalf("check answers page shows unanswered questions:\n%s", text(check.Body))
	}
	return b
}

// send presses "Send answers" and returns the reference on the confirmation
// page.
func send(t *testing.T, b *browser, flow string) string {
	t.Helper()
	// The form token from a page that is there whatever was sent: check
	// answers itself leads a browser that sent its answers to them.
	done := b.post(flow+"/check", url.Values{"csrf_token": {csrfOf(t, b.get(flow+"/resume"))}}).must(t, http.StatusOK)
	m := refPattern.FindStringSubmatch(done.Body)
	if m == nil || done.URL.Path != flow+"/done" {
		t.Fatalf("after sending: at %s with no reference:\n%s", done.URL, text(done.Body))
	}
	return m[1]
}

// The figures below were worked out by hand from these answers.
var (
	baseline = []respondent{
		{Level: "1", CAFLevel: "5", Comment: `Lead professional <script>alert("x")</script> & more`},
		{Level: "2"}, {Level: "2"}, {Level: "3"}, {Level: survey.DontKnow},
	}
	followUp = []respondent{
		{Level: "3"}, {Level: "4"}, {Level: "4"}, {Level: "5"}, {Level: survey.NotApplicable},
	}
)

// TestEndToEnd submits baseline and follow-up responses through the real
// forms, restarting the service in between, and checks the stored records
// and the report's figures. It runs on the embedded store and on MongoDB
// (MONGODB_URI, or the stand-in).
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testEndToEnd(t, newEnv(t)) })
	}
}

func testEndToEnd(t *testing.T, e env) {
	d := bundled(t)
	svc := start(t, e)
	refs := map[string]string{} // reference → round
	for i, who := range baseline[:4] {
		refs[respond(t, svc.URL, d, "baseline", who, i)] = "baseline"
	}

	// The report is read once every response is in and the rounds have
	// closed: a round's figures are published once, when it closes
	// (TestTwoReadingsOfAnOpenRound).
	refs[respond(t, svc.URL, d, "baseline", baseline[4], 4)] = "baseline"

	// Responses submitted before a restart are in the report after it.
	svc.stop()
	svc = start(t, e)
	for i, who := range followUp {
		refs[respond(t, svc.URL, d, "follow-up", who, i)] = "follow-up"
	}

	admin := staffBrowser(t, svc, "admin", "")
	closeRound(t, admin, d, "baseline")
	closeRound(t, admin, d, "follow-up")
	rep := staffBrowser(t, svc, "analyst", "").get("/r/"+d.ID+"?a=baseline&b=follow-up").must(t, http.StatusOK)
	responses := text(element(t, rep.Body, "table", "responses"))
	for _, want := range []string{"Baseline, autumn 2026 5", "Follow-up, autumn 2027 5"} {
		if !strings.Contains(responses, want) {
			t.Errorf("responses table %q lacks %q", responses, want)
		}
	}
	strands := text(element(t, rep.Body, "table", "strands"))
	for i, sec := range rated(d) {
		items, _ := sec.Rated()
		ratings := 4 * len(items) // Don't know and Not applicable are not ratings
		want := fmt.Sprintf("%s 2.00 (%d) 4.00 (%d) +2.00", sec.Title, ratings, ratings)
		if i == 0 {
			want = fmt.Sprintf("%s 3.00 (%d) 4.00 (%d) +1.00", sec.Title, ratings, ratings)
		}
		if !strings.Contains(strands, want) {
			t.Errorf("strand table lacks %q:\n%s", want, strands)
		}
	}
	// Per statement: counts at 1..5, Don't know, Not applicable, mean, median.
	first, second := rated(d)[0], rated(d)[1]
	firstItems, _ := first.Rated()
	secondItems, _ := second.Rated()
	for _, want := range []string{
		firstItems[0].Text + " Baseline, autumn 2026 0 2 1 0 1 1 0 3.00 2.5 Follow-up, autumn 2027 0 0 1 2 1 0 1 4.00 4 ",
		secondItems[0].Text + " Baseline, autumn 2026 1 2 1 0 0 1 0 2.00 2 Follow-up, autumn 2027 0 0 1 2 1 0 1 4.00 4 ",
	} {
		sec := first
		if !strings.HasPrefix(want, firstItems[0].Text) {
			sec = second
		}
		if got := text(element(t, rep.Body, "table", "section-"+sec.ID)); !strings.Contains(got, want) {
			t.Errorf("statement table lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(rep.Body, `data-echarts-option="{`) {
		t.Error("report has no chart options")
	}
	// Each strand's change is tested: five respondents a round.
	if got := text(element(t, rep.Body, "table", "changes")); !strings.Contains(got, "Mann–Whitney") && !strings.Contains(got, "chance") {
		t.Errorf("changes table has no test of change:\n%s", got)
	}
	// A filter that keeps fewer than five responses suppresses both rounds.
	rep = staffBrowser(t, svc, "analyst", "").get("/r/"+d.ID+"?a=baseline&b=follow-up&sector=youth&audience=frontline").must(t, http.StatusOK)
	if got := text(element(t, rep.Body, "table", "responses")); strings.Count(got, "fewer than 5") != 2 {
		t.Errorf("filtered to a small group, the responses table says %q", got)
	}
	if !strings.Contains(rep.Body, `value="youth" selected`) {
		t.Error("the sector filter does not show the sector chosen")
	}
	svc.stop()

	// The stored records, read straight from the store.
	st := storeOf(t, e)
	stored := 0
	err := st.EachResponse(context.Background(), d.ID, nil, func(r survey.Response) error {
		stored++
		if refs[r.Reference] != r.Round {
			t.Errorf("stored response %s in round %q: not one the test submitted there", r.Reference, r.Round)
		}
		if r.Version != d.Version || r.Answers["caf-1"] == "" || r.Answers["sector"] == "" || r.Submitted.IsZero() {
			t.Errorf("stored response %s: version %s, answers %v, submitted %v", r.Reference, r.Version, r.Answers, r.Submitted)
		}
		for _, sec := range d.Sections {
			if sec.ShowIf != nil {
				for _, q := range sec.Questions {
					for _, k := range q.Keys() {
						if _, ok := r.Answers[k]; ok {
							t.Errorf("stored response %s answers %s, which frontline staff are not asked", r.Reference, k)
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored != 10 {
		t.Errorf("%d responses stored, want 10", stored)
	}
	var withComment int
	for ref := range refs {
		r, err := st.Response(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if c := r.Answers[commentOf(first).ID]; c != "" {
			withComment++
			if c != baseline[0].Comment {
				t.Errorf("stored comment %q, want %q", c, baseline[0].Comment)
			}
		}
	}
	if withComment != 1 {
		t.Errorf("%d responses with a comment, want 1", withComment)
	}
}

// Sending the same answers twice (a second click, which reaches the server
// before the browser has seen the first reply) stores one response and shows
// the same confirmation. It runs on both stores.
func TestSendingTwiceStoresOnce(t *testing.T) {
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) {
			d := bundled(t)
			svc := start(t, newEnv(t))
			flow := "/s/" + d.ID + "/baseline"
			b := fill(t, svc.URL, d, "baseline", respondent{Level: "3"}, 0)
			u, _ := url.Parse(svc.URL + flow + "/check")
			cookies := b.client.Jar.Cookies(u)
			first := send(t, b, flow)

			// The second click carries the cookie the first reply cleared.
			second := newBrowser(t, svc.URL)
			second.client.Jar.SetCookies(u, cookies)
			if again := send(t, second, flow); again != first {
				t.Errorf("second send showed reference %s, want the first, %s", again, first)
			}
			n := 0
			st := storeOf(t, svc.env)
			if err := st.EachResponse(context.Background(), d.ID, nil, func(survey.Response) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%d responses stored, want 1", n)
			}
		})
	}
}

// storeOf opens the store a service's environment names, as the service
// does, to read what it stored.
func storeOf(t *testing.T, e env) store.Store {
	t.Helper()
	cfg, err := config.Load(e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	return st
}

// readCSV reads a CSV download, byte-order mark and all.
func readCSV(body string) ([][]string, error) {
	return csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
}
