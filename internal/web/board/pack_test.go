package board_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/board"
	"iwtoolkit/internal/web/reports"
	"iwtoolkit/internal/web/staff"
	"iwtoolkit/internal/webtest"
)

// serve is the Board pack on e's store, on e's app, with the staff pages
// (the dashboard links to the pack) and the reports (the pack's figures
// are the report's).
func serve(t *testing.T, e *webtest.Env) {
	t.Helper()
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
	s, err := staff.New(staff.Options{Store: e.Store, Surveys: e.Surveys, Log: e.Log, Now: e.Clock, BaseURL: webtest.BaseURL,
		Timeout: time.Minute, Sessions: e.Sessions, Secrets: e.Secrets, Publisher: e.Publisher, Health: e.Health,
		Links: e.Links, Versions: e.Versions})
	if err != nil {
		t.Fatal(err)
	}
	e.Serve([]func(*web.Routes){s.Register, r.Register, pack.Register}...)
}

// firstRated is the first section a frontline respondent rates.
func firstRated(d *survey.Definition) *survey.Section {
	for _, s := range d.Sections {
		if items, _ := s.Rated(); len(items) > 0 && s.ShowIf == nil {
			return s
		}
	}
	return nil
}

// hasAudit fails the test unless an audit entry ("actor action target")
// contains want.
func hasAudit(t *testing.T, e *webtest.Env, want string) {
	t.Helper()
	log := e.AuditLog()
	if !slices.ContainsFunc(log, func(a string) bool { return strings.Contains(a, want) }) {
		t.Errorf("no audit entry with %q in\n%s", want, strings.Join(log, "\n"))
	}
}

// The figures the pack shows, from these answers (cmd/iwtoolkit's
// TestEndToEnd works them out by hand).
var (
	baseline = []webtest.Respondent{
		{Level: "1", CAFLevel: "5", Comment: `Lead professional <script>alert("x")</script> & more`},
		{Level: "2"}, {Level: "2"}, {Level: "3"}, {Level: survey.DontKnow},
	}
	followUp = []webtest.Respondent{
		{Level: "3"}, {Level: "4"}, {Level: "4"}, {Level: "5"}, {Level: survey.NotApplicable},
	}
)

// TestBoardPack writes a baseline pack's commentary and actions as an
// analyst, and checks who may do what, that open actions are carried into
// the follow-up's pack and closed ones are not, that a small round stays
// hidden in the pack as in the report, and that the pack prints with its
// own stylesheet, on both stores.
func TestBoardPack(t *testing.T) {
	t.Parallel()
	webtest.OnBothStores(t, testBoardPack)
}

func testBoardPack(t *testing.T, e *webtest.Env) {
	serve(t, e)
	d := e.Survey("integrated-working")
	for i := range 5 {
		e.Respond(d, "baseline", baseline[i], i)
	}
	for i := range 2 { // too few to show
		e.Respond(d, "follow-up", followUp[i], i)
	}
	e.CloseRound(d, "baseline")
	e.CloseRound(d, "follow-up")
	strand := firstRated(d)
	st := e.Store
	ctx := context.Background()
	pack := "/r/" + d.ID + "/pack"
	basePack := pack + "?a=baseline"
	commentary := pack + "/commentary/baseline/" + strand.ID + "?a=baseline"

	analyst := e.StaffBrowser(auth.Analyst, "")
	viewer := e.StaffBrowser(auth.BoardViewer, "")

	// A board viewer finds the pack on the dashboard, reads it, and
	// cannot write in it.
	if !strings.Contains(viewer.Get("/staff").Must(http.StatusOK).Body, `href="`+pack+`"`) {
		t.Error("the dashboard does not link to the Board pack")
	}
	p := viewer.Get(basePack).Must(http.StatusOK)
	if strings.Contains(p.Body, "/pack/commentary/") || strings.Contains(p.Body, "/pack/actions/new") {
		t.Error("a board viewer's pack offers links to edit it")
	}
	viewer.Get(commentary).Must(http.StatusForbidden)
	viewer.Get(pack + "/actions/new?round=baseline&a=baseline").Must(http.StatusForbidden)
	viewer.PostFrom(basePack, commentary, url.Values{"a": {"baseline"}, "know": {"viewer wrote this"}}).Must(http.StatusForbidden)
	viewer.PostFrom(basePack, pack+"/actions/new", url.Values{"round": {"baseline"}, "a": {"baseline"}, "strand": {strand.ID},
		"text": {"viewer action"}, "owner": {"x"}, "due_day": {"1"}, "due_month": {"1"}, "due_year": {"2027"}, "status": {"not-started"}}).Must(http.StatusForbidden)
	e.StaffBrowser(auth.Coordinator, "police").Get(basePack).Must(http.StatusForbidden)
	// Without the CSRF token nothing is stored either.
	analyst.Post(commentary, url.Values{"a": {"baseline"}, "know": {"no token"}}).Must(http.StatusForbidden)
	if cs, err := st.Commentaries(ctx, d.ID, "baseline"); err != nil || len(cs) != 0 {
		t.Fatalf("after refused posts, commentary stored: %v, %v", cs, err)
	}

	// The analyst writes the commentary; a part that is too long is an error.
	p = analyst.PostWithToken(commentary, url.Values{"a": {"baseline"}, "know": {strings.Repeat("x", 3001)}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Body, "govuk-error-summary") || !strings.Contains(p.Body, `href="#know"`) {
		t.Errorf("too long a commentary: no error summary pointing at the box\n%s", webtest.Text(p.Body))
	}
	know := `Most staff know when to start a CAF <script>alert("x")</script>`
	p = analyst.PostWithToken(commentary, url.Values{"a": {"baseline"}, "know": {know}, "how": {"This survey.\r\n\r\nCase audits."}, "next": {"Train health visitors."}}).Must(http.StatusOK)
	if p.URL.Path != pack || !strings.Contains(p.Body, "Most staff know when to start a CAF &lt;script&gt;") || !strings.Contains(p.Body, "<p class=\"govuk-body\">Case audits.</p>") {
		t.Errorf("after saving the commentary: at %s\n%s", p.URL, webtest.Text(p.Body))
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
	p = analyst.PostFrom(newAction, pack+"/actions/new", bad).Must(http.StatusUnprocessableEntity)
	for _, want := range []string{`href="#text"`, `href="#due_day"`, "must be a real date"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("an action with no text and 31 February: the page lacks %q", want)
		}
	}
	analyst.PostFrom(newAction, pack+"/actions/new", action("Train every health visitor in the CAF")).Must(http.StatusOK)
	analyst.PostFrom(newAction, pack+"/actions/new", action("Write a CAF leaflet")).Must(http.StatusOK)
	actions, err := st.Actions(ctx, d.ID)
	if err != nil || len(actions) != 2 {
		t.Fatalf("stored actions: %v, %v", actions, err)
	}
	leaflet := pack + "/actions/" + actions[1].ID + "?round=baseline&a=baseline"
	analyst.PostFrom(leaflet, pack+"/actions/"+actions[1].ID, url.Values{"round": {"baseline"}, "a": {"baseline"}, "owner": {"Comms"},
		"due_day": {"1"}, "due_month": {"2"}, "due_year": {"2027"}, "status": {"done"}, "note": {"Printed"}}).Must(http.StatusOK)

	// The follow-up's pack carries the open action, not the done one, and
	// has its own commentary (none yet).
	followPack := pack + "?a=baseline&b=follow-up"
	p = viewer.Get(followPack).Must(http.StatusOK)
	section := webtest.Element(t, p.Body, "section", "strand-"+strand.ID)
	if !strings.Contains(section, "Train every health visitor in the CAF") || !strings.Contains(section, "Carried from Baseline, autumn 2026") {
		t.Errorf("the follow-up's pack does not carry the open action:\n%s", webtest.Text(section))
	}
	if strings.Contains(section, "Write a CAF leaflet") {
		t.Error("the follow-up's pack carries an action done in the baseline's")
	}
	if strings.Contains(section, "Most staff know") {
		t.Error("the follow-up's pack shows the baseline's commentary")
	}
	// Updated in the follow-up's pack, it shows as done with its history there.
	train := pack + "/actions/" + actions[0].ID + "?round=follow-up&a=baseline&b=follow-up"
	analyst.PostFrom(train, pack+"/actions/"+actions[0].ID, url.Values{"round": {"follow-up"}, "a": {"baseline"}, "b": {"follow-up"}, "owner": {"Head of Early Help"},
		"due_day": {"31"}, "due_month": {"3"}, "due_year": {"2027"}, "status": {"done"}, "note": {"All trained"}}).Must(http.StatusOK)
	section = webtest.Element(t, viewer.Get(followPack).Must(http.StatusOK).Body, "section", "strand-"+strand.ID)
	for _, want := range []string{"(Baseline, autumn 2026): Not started", "(Follow-up, autumn 2027): Done, Head of Early Help, due 31 March 2027. All trained"} {
		if !strings.Contains(webtest.Text(section), want) {
			t.Errorf("the action's history lacks %q:\n%s", want, webtest.Text(section))
		}
	}

	// Suppression: the follow-up has 2 responses, so the pack shows none of
	// its figures, and the baseline's are the report's.
	if !strings.Contains(webtest.Text(webtest.Element(t, p.Body, "dl", "pack_cover")), "Follow-up, autumn 2027: fewer than 5 responses") {
		t.Error("the cover does not say the follow-up has too few responses to show")
	}
	figures := webtest.Text(webtest.Element(t, p.Body, "table", "strand-"+strand.ID+"-figures"))
	report := viewer.Get("/r/" + d.ID + "?a=baseline&b=follow-up").Must(http.StatusOK)
	row := regexp.MustCompile(regexp.QuoteMeta(strand.Title) + ` (\d\.\d\d \(\d+\)) fewer than 5 responses`).FindStringSubmatch(webtest.Text(webtest.Element(t, report.Body, "table", "strands")))
	if row == nil || !strings.Contains(figures, row[1]+" fewer than 5 responses") {
		t.Errorf("the pack's figures %q are not the report's %v", figures, row)
	}
	statements := webtest.Text(webtest.Element(t, p.Body, "table", "strand-"+strand.ID+"-statements"))
	items, _ := strand.Rated()
	if hidden, shown := strings.Count(statements, "fewer than 5 responses"), strings.Count(statements, "mean "); hidden != len(items) || shown != len(items) {
		t.Errorf("statements table: %d suppressed cells and %d shown, want %d of each:\n%s", hidden, shown, len(items), statements)
	}
	if chart := webtest.Element(t, p.Body, "svg", "chart-"+strand.ID); strings.Contains(chart, "Follow-up") || !strings.Contains(chart, "Baseline") {
		t.Errorf("the chart's series are not the baseline alone:\n%s", chart)
	}

	// Printing: the pack links its print stylesheet, which is served.
	link := regexp.MustCompile(`<link rel="stylesheet" href="(/static/app/print\.css\?v=[0-9a-f]+)">`).FindStringSubmatch(p.Body)
	if link == nil {
		t.Fatal("the pack does not link the print stylesheet")
	}
	css := viewer.Get(link[1]).Must(http.StatusOK)
	for _, want := range []string{"@media print", "size: A4", "break-before: page", `attr(href)`, "width: 170mm"} {
		if !strings.Contains(css.Body, want) {
			t.Errorf("print.css lacks %q", want)
		}
	}

	// Audit entries say what was done to what, never the words written.
	hasAudit(t, e, "wrote Board pack commentary "+d.ID+"/baseline/"+strand.ID)
	hasAudit(t, e, "added Board pack action "+d.ID+"/"+strand.ID)
	hasAudit(t, e, "updated Board pack action "+d.ID+"/"+strand.ID+" "+actions[0].ID+": done")
	hasAudit(t, e, "viewed Board pack "+d.ID)
	for _, a := range e.AuditLog() {
		if strings.Contains(a, "Most staff") || strings.Contains(a, "health visitor") || strings.Contains(a, "All trained") {
			t.Errorf("an audit entry holds what staff wrote: %s", a)
		}
	}
}
