package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestBoardPack writes a baseline pack's commentary and actions as an
// analyst, and checks who may do what, that open actions are carried into
// the follow-up's pack and closed ones are not, that a small round stays
// hidden in the pack as in the report, and that the pack prints with its
// own stylesheet, on both stores.
func TestBoardPack(t *testing.T) {
	t.Parallel()
	for name, newEnv := range map[string]func(*testing.T) env{"sqlite": sqliteEnv, "mongodb": mongoEnv} {
		t.Run(name, func(t *testing.T) { testBoardPack(t, newEnv(t)) })
	}
}

func testBoardPack(t *testing.T, e env) {
	d := bundled(t)
	svc := start(t, e)
	for i := range 5 {
		respond(t, svc.URL, d, "baseline", baseline[i], i)
	}
	for i := range 2 { // too few to show
		respond(t, svc.URL, d, "follow-up", followUp[i], i)
	}
	admin := staffBrowser(t, svc, "admin", "")
	closeRound(t, admin, d, "baseline")
	closeRound(t, admin, d, "follow-up")
	strand := rated(d)[0]
	st := storeOf(t, svc.env)
	ctx := context.Background()
	pack := "/r/" + d.ID + "/pack"
	basePack := pack + "?a=baseline"
	commentary := pack + "/commentary/baseline/" + strand.ID + "?a=baseline"

	analyst := staffBrowser(t, svc, "analyst", "")
	viewer := staffBrowser(t, svc, "board-viewer", "")

	// A board viewer finds the pack on the dashboard, reads it, and
	// cannot write in it.
	if !strings.Contains(viewer.get("/staff").must(t, http.StatusOK).Body, `href="`+pack+`"`) {
		t.Error("the dashboard does not link to the Board pack")
	}
	p := viewer.get(basePack).must(t, http.StatusOK)
	if strings.Contains(p.Body, "/pack/commentary/") || strings.Contains(p.Body, "/pack/actions/new") {
		t.Error("a board viewer's pack offers links to edit it")
	}
	viewer.get(commentary).must(t, http.StatusForbidden)
	viewer.get(pack+"/actions/new?round=baseline&a=baseline").must(t, http.StatusForbidden)
	viewer.postFrom(basePack, commentary, url.Values{"a": {"baseline"}, "know": {"viewer wrote this"}}).must(t, http.StatusForbidden)
	viewer.postFrom(basePack, pack+"/actions/new", url.Values{"round": {"baseline"}, "a": {"baseline"}, "strand": {strand.ID},
		"text": {"viewer action"}, "owner": {"x"}, "due_day": {"1"}, "due_month": {"1"}, "due_year": {"2027"}, "status": {"not-started"}}).must(t, http.StatusForbidden)
	staffBrowser(t, svc, "coordinator", "police").get(basePack).must(t, http.StatusForbidden)
	// Without the CSRF token nothing is stored either.
	analyst.post(commentary, url.Values{"a": {"baseline"}, "know": {"no token"}}).must(t, http.StatusForbidden)
	if cs, err := st.Commentaries(ctx, d.ID, "baseline"); err != nil || len(cs) != 0 {
		t.Fatalf("after refused posts, commentary stored: %v, %v", cs, err)
	}

	// The analyst writes the commentary; a part that is too long is an error.
	p = analyst.postWithToken(commentary, url.Values{"a": {"baseline"}, "know": {strings.Repeat("x", 3001)}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "govuk-error-summary") || !strings.Contains(p.Body, `href="#know"`) {
		t.Errorf("too long a commentary: no error summary pointing at the box\n%s", text(p.Body))
	}
	know := `Most staff know when to start a CAF <script>alert("x")</script>`
	p = analyst.postWithToken(commentary, url.Values{"a": {"baseline"}, "know": {know}, "how": {"This survey.\r\n\r\nCase audits."}, "next": {"Train health visitors."}}).must(t, http.StatusOK)
	if p.URL.Path != pack || !strings.Contains(p.Body, "Most staff know when to start a CAF &lt;script&gt;") || !strings.Contains(p.Body, "<p class=\"govuk-body\">Case audits.</p>") {
		t.Errorf("after saving the commentary: at %s\n%s", p.URL, text(p.Body))
	}

	// Two actions in the baseline's pack; the second is done within it.
	newAction := pack + "/actions/new?round=baseline&a=baseline&strand=" + strand.ID
	action := func(text string) url.Values {
		return url.Values{"round": {"baseline"}, "a": {"baseline"}, "strand": {strand.ID}, "text": {text}, "owner": {"Head of Early Help"},
			"due_day": {"31"}, "due_month": {"3"}, "due_year": {"2027"}, "status": {"not-started"}}
	}
	bad := action("")
	bad.Set("due_day", "31")
	bad.Set("due_month", "2")
	p = analyst.postFrom(newAction, pack+"/actions/new", bad).must(t, http.StatusUnprocessableEntity)
	for _, want := range []string{`href="#text"`, `href="#due_day"`, "must be a real date"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("an action with no text and 31 February: the page lacks %q", want)
		}
	}
	analyst.postFrom(newAction, pack+"/actions/new", action("Train every health visitor in the CAF")).must(t, http.StatusOK)
	analyst.postFrom(newAction, pack+"/actions/new", action("Write a CAF leaflet")).must(t, http.StatusOK)
	actions, err := st.Actions(ctx, d.ID)
	if err != nil || len(actions) != 2 {
		t.Fatalf("stored actions: %v, %v", actions, err)
	}
	leaflet := pack + "/actions/" + actions[1].ID + "?round=baseline&a=baseline"
	analyst.postFrom(leaflet, pack+"/actions/"+actions[1].ID, url.Values{"round": {"baseline"}, "a": {"baseline"}, "owner": {"Comms"},
		"due_day": {"1"}, "due_month": {"2"}, "due_year": {"2027"}, "status": {"done"}, "note": {"Printed"}}).must(t, http.StatusOK)

	// The follow-up's pack carries the open action, not the done one, and
	// has its own commentary (none yet).
	followPack := pack + "?a=baseline&b=follow-up"
	p = viewer.get(followPack).must(t, http.StatusOK)
	section := element(t, p.Body, "section", "strand-"+strand.ID)
	if !strings.Contains(section, "Train every health visitor in the CAF") || !strings.Contains(section, "Carried from Baseline, autumn 2026") {
		t.Errorf("the follow-up's pack does not carry the open action:\n%s", text(section))
	}
	if strings.Contains(section, "Write a CAF leaflet") {
		t.Error("the follow-up's pack carries an action done in the baseline's")
	}
	if strings.Contains(section, "Most staff know") {
		t.Error("the follow-up's pack shows the baseline's commentary")
	}
	// Updated in the follow-up's pack, it shows as done with its history there.
	train := pack + "/actions/" + actions[0].ID + "?round=follow-up&a=baseline&b=follow-up"
	analyst.postFrom(train, pack+"/actions/"+actions[0].ID, url.Values{"round": {"follow-up"}, "a": {"baseline"}, "b": {"follow-up"}, "owner": {"Head of Early Help"},
		"due_day": {"31"}, "due_month": {"3"}, "due_year": {"2027"}, "status": {"done"}, "note": {"All trained"}}).must(t, http.StatusOK)
	section = element(t, viewer.get(followPack).must(t, http.StatusOK).Body, "section", "strand-"+strand.ID)
	for _, want := range []string{"(Baseline, autumn 2026): Not started", "(Follow-up, autumn 2027): Done, Head of Early Help, due 31 March 2027. All trained"} {
		if !strings.Contains(text(section), want) {
			t.Errorf("the action's history lacks %q:\n%s", want, text(section))
		}
	}

	// Suppression: the follow-up has 2 responses, so the pack shows none of
	// its figures, and the baseline's are the report's.
	if !strings.Contains(text(element(t, p.Body, "dl", "pack_cover")), "Follow-up, autumn 2027: fewer than 5 responses") {
		t.Error("the cover does not say the follow-up has too few responses to show")
	}
	figures := text(element(t, p.Body, "table", "strand-"+strand.ID+"-figures"))
	report := viewer.get("/r/"+d.ID+"?a=baseline&b=follow-up").must(t, http.StatusOK)
	row := regexp.MustCompile(regexp.QuoteMeta(strand.Title) + ` (\d\.\d\d \(\d+\)) fewer than 5 responses`).FindStringSubmatch(text(element(t, report.Body, "table", "strands")))
	if row == nil || !strings.Contains(figures, row[1]+" fewer than 5 responses") {
		t.Errorf("the pack's figures %q are not the report's %v", figures, row)
	}
	statements := text(element(t, p.Body, "table", "strand-"+strand.ID+"-statements"))
	items, _ := strand.Rated()
	if hidden, shown := strings.Count(statements, "fewer than 5 responses"), strings.Count(statements, "mean "); hidden != len(items) || shown != len(items) {
		t.Errorf("statements table: %d suppressed cells and %d shown, want %d of each:\n%s", hidden, shown, len(items), statements)
	}
	if chart := element(t, p.Body, "svg", "chart-"+strand.ID); strings.Contains(chart, "Follow-up") || !strings.Contains(chart, "Baseline") {
		t.Errorf("the chart's series are not the baseline alone:\n%s", chart)
	}

	// Printing: the pack links its print stylesheet, which is served.
	link := regexp.MustCompile(`<link rel="stylesheet" href="(/static/app/print\.css\?v=[0-9a-f]+)">`).FindStringSubmatch(p.Body)
	if link == nil {
		t.Fatal("the pack does not link the print stylesheet")
	}
	css := viewer.get(link[1]).must(t, http.StatusOK)
	for _, want := range []string{"@media print", "size: A4", "break-before: page", `attr(href)`, "width: 170mm"} {
		if !strings.Contains(css.Body, want) {
			t.Errorf("print.css lacks %q", want)
		}
	}

	// Audit entries say what was done to what, never the words written.
	hasAudit(t, svc.env, "wrote Board pack commentary "+d.ID+"/baseline/"+strand.ID)
	hasAudit(t, svc.env, "added Board pack action "+d.ID+"/"+strand.ID)
	hasAudit(t, svc.env, "updated Board pack action "+d.ID+"/"+strand.ID+" "+actions[0].ID+": done")
	hasAudit(t, svc.env, "viewed Board pack "+d.ID)
	for _, a := range auditActions(t, svc.env) {
		if strings.Contains(a, "Most staff") || strings.Contains(a, "health visitor") || strings.Contains(a, "All trained") {
			t.Errorf("an audit entry holds what staff wrote: %s", a)
		}
	}
}
