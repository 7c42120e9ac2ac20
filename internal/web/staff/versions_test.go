package staff_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/staff"
	"iwtoolkit/internal/webtest"
)

// The survey-version pages: download a survey as a workbook, upload it
// changed, read the draft's changes, publish it. What needs the whole
// binary (two instances sharing a store, a survey file broken between
// starts) is tested in cmd/iwtoolkit/versions_test.go.

// uploadSurvey posts the survey upload form with a file, as a browser does.
func uploadSurvey(b *webtest.Browser, id, name string, data []byte) webtest.Page {
	path := "/staff/surveys/" + id + "/versions"
	return b.Upload(path, path, name, data)
}

// editWorkbook opens a workbook, sets cells ("sheet!A1": value) and
// returns it saved, as a person changing it in Excel would.
func editWorkbook(t *testing.T, data []byte, cells map[string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for at, v := range cells {
		sheet, cell, _ := strings.Cut(at, "!")
		if strings.HasPrefix(v, "=") {
			err = f.SetCellFormula(sheet, cell, v[1:])
		} else {
			err = f.SetCellValue(sheet, cell, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// download fetches a file and checks it came whole.
func download(t *testing.T, b *webtest.Browser, path string) []byte {
	t.Helper()
	p := b.Get(path).Must(http.StatusOK)
	if !strings.Contains(p.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("%s: Content-Type %q, want a workbook", path, p.Header.Get("Content-Type"))
	}
	return []byte(p.Body)
}

func workbookRows(t *testing.T, data []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// zipBomb is a small .xlsx whose one sheet unpacks to 64 MB of spaces.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, _ := z.Create(name)
		w.Write([]byte("<x/>"))
	}
	w, _ := z.Create("xl/worksheets/sheet1.xml")
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 64 {
		w.Write(chunk)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("the zip bomb is %d bytes", buf.Len())
	}
	return buf.Bytes()
}

// surveyServed is the version of a survey the staff catalogue says is
// served.
func surveyServed(t *testing.T, e *webtest.Env, id string) (string, bool) {
	t.Helper()
	admin := staffBrowser(t, e, auth.Admin, "")
	p := admin.Get("/staff/surveys/" + id + "/versions").Must(http.StatusOK)
	live := webtest.Text(webtest.Element(t, p.Body, "dl", "live"))
	_, v, ok := strings.Cut(live, "Live version ")
	v, _, _ = strings.Cut(v, " ")
	return v, ok
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

// Each bad upload is refused with a clear message, nothing is saved, and
// the live version is untouched. (A file too large is refused by the
// service before its body is read, with a page that says the limit:
// cmd/iwtoolkit's TestSurveyUploadTooLarge.)
func TestSurveyUploadsRefused(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	e.ImportSurveys()
	serve(t, e)
	d := e.Survey("integrated-working")
	st := e.Store
	ctx := context.Background()
	base := "/staff/surveys/" + d.ID + "/versions"
	admin := staffBrowser(t, e, auth.Admin, "")
	live := download(t, admin, base+"/live/workbook.xlsx")

	for _, tc := range []struct {
		name   string
		file   string
		data   []byte
		status int
		want   string
	}{
		{"not a workbook", "survey.xlsx", []byte("name,label\nq1,Hello\n"), http.StatusUnprocessableEntity, "this file is not an Excel workbook (.xlsx)"},
		{"an old Excel file", "survey.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0}, make([]byte, 100)...), http.StatusUnprocessableEntity, "Excel 97-2003 workbook"},
		{"a formula", "survey.xlsx", editWorkbook(t, live, map[string]string{"survey!C3": `="Which sector"&" do you work in?"`}), http.StatusUnprocessableEntity, "formula"},
		{"another survey's workbook", "survey.xlsx", editWorkbook(t, live, map[string]string{"settings!B2": "young-people"}), http.StatusUnprocessableEntity, `this workbook is of the survey "young-people"`},
		{"a zip bomb", "survey.xlsx", zipBomb(t), http.StatusUnprocessableEntity, "it may be a zip bomb"},
		{"a YAML file with a slip", "integrated-working.yaml", []byte("title: Feeling safe: young people\n"), http.StatusUnprocessableEntity, "integrated-working.yaml:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := uploadSurvey(admin, d.ID, tc.file, tc.data).Must(tc.status)
			if !strings.Contains(p.Text(), tc.want) {
				t.Errorf("no %q in\n%s", tc.want, p.Text())
			}
		})
	}

	if vs, err := st.SurveyVersionsOf(ctx, d.ID); err != nil || len(vs) != 1 {
		t.Errorf("after refused uploads the store has %d versions (%v); want the file's only", len(vs), err)
	}

	// A version that leaves out a rated question while a round with
	// responses is open would lose the round's counts: refused.
	e.Respond(d, "baseline", webtest.Respondent{Level: "2"}, 1)
	rows := workbookRows(t, live, "survey")
	var drop string
	for i, r := range rows {
		if len(r) > 1 && r[0] == "select_one maturity" {
			drop = "survey!A" + strconv.Itoa(i+1) // a rated question: its row emptied
			break
		}
	}
	if drop == "" {
		t.Fatal("no rated question in the workbook")
	}
	cells := map[string]string{}
	for _, col := range "ABCDEFGHIJKLMNOP" {
		cells[strings.Replace(drop, "A", string(col), 1)] = ""
	}
	p := uploadSurvey(admin, d.ID, "integrated-working.xlsx", editWorkbook(t, live, cells))
	if p.Status != http.StatusOK {
		t.Fatalf("upload without a question: %d %s", p.Status, p.Text())
	}
	version := p.URL.Path[strings.LastIndex(p.URL.Path, "/")+1:]
	p = admin.PostFrom(p.URL.Path, p.URL.Path+"/publish", url.Values{"reason": {"fewer questions"}, "acknowledge": {"yes"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Text(), "cannot be published while") {
		t.Errorf("a version losing an open round's counts: %s", p.Text())
	}
	if pubs, err := st.SurveyPublishes(ctx, d.ID); err != nil || len(pubs) != 1 || store.StateOf(version, pubs) != store.StateDraft {
		t.Errorf("after refused publishes: %v, %v", pubs, err)
	}
	if got, _ := surveyServed(t, e, d.ID); got != d.Version {
		t.Errorf("the live version changed to %s", got)
	}
}

// With IWT_PUBLISH_APPROVAL=second-admin the administrator who uploaded a
// draft cannot publish it, and another can; a change that breaks
// comparison with earlier rounds is published only with the box ticked,
// and the audit log keeps the acknowledgement. A new survey starts as a
// copy of one served, and is served once published.
func TestSurveyPublishingWithCare(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	e.ImportSurveys()
	serveWith(t, e, func(o *staff.Options) { o.PublishApproval = true }, respondents(t, e), preview(t, e))
	d := e.Survey("integrated-working")
	base := "/staff/surveys/" + d.ID + "/versions"
	first, second := staffBrowser(t, e, auth.Admin, ""), staffBrowser(t, e, auth.Admin, "")
	live := download(t, first, base+"/live/workbook.xlsx")
	rows := workbookRows(t, live, "choices")
	var level string
	for i, r := range rows {
		if len(r) > 2 && r[0] == "maturity" && r[1] == "1" {
			level = "choices!C" + strconv.Itoa(i+1)
		}
	}
	p := uploadSurvey(first, d.ID, "iw.xlsx", editWorkbook(t, live, map[string]string{level: "Not at all"})).Must(http.StatusOK)
	draft := p.URL.Path
	if !strings.Contains(webtest.Text(webtest.Element(t, p.Body, "ul", "changes")), `rated on a changed scale "maturity"`) {
		t.Errorf("the draft's changes do not say the scale changed: %s", p.Text())
	}
	if !strings.Contains(p.Body, `id="own_draft"`) {
		t.Error("the uploader is not told another administrator must publish")
	}
	// The draft's preview: its scale's changed wording, before publishing.
	version := draft[strings.LastIndex(draft, "/")+1:]
	strand := rated(d)[0]
	pv := first.Get("/staff/surveys/" + d.ID + "/preview/" + version + "/baseline/section/" + strand.ID)
	if pv.Status != http.StatusOK || !strings.Contains(pv.Body, "Not at all") {
		t.Errorf("the draft's preview of %s: %d\n%s", strand.ID, pv.Status, pv.Text())
	}
	p = first.PostFrom(draft, draft+"/publish", url.Values{"reason": {"Clearer first level"}, "acknowledge": {"yes"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Text(), "Another administrator must publish this version") {
		t.Errorf("the uploader publishing: %s", p.Text())
	}
	p = second.PostFrom(draft, draft+"/publish", url.Values{"reason": {"Clearer first level"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Text(), "Tick the box to confirm") || !strings.Contains(p.Body, ">Clearer first level</textarea>") {
		t.Errorf("publishing a change that breaks comparison without the box ticked (the reason kept): %s", p.Text())
	}
	second.PostFrom(draft, draft+"/publish", url.Values{"reason": {"Clearer first level"}, "acknowledge": {"yes"}}).Must(http.StatusOK)
	hasAudit(t, e, "acknowledged that it breaks comparison with earlier rounds")
	if r := e.Browser().Get("/s/" + d.ID + "/baseline"); r.Status != http.StatusOK {
		t.Errorf("after publishing: %d", r.Status)
	}

	// A new survey from an existing one.
	p = first.PostFrom("/staff/surveys/new", "/staff/surveys/new", url.Values{"from": {d.ID}, "id": {"Bad Id"}}).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Text(), "Enter an id of lower-case letters") {
		t.Errorf("a bad id: %s", p.Text())
	}
	p = first.PostFrom("/staff/surveys/new", "/staff/surveys/new", url.Values{"from": {d.ID}, "id": {"wellbeing-2027"}}).Must(http.StatusOK)
	if !strings.HasPrefix(p.URL.Path, "/staff/surveys/wellbeing-2027/versions/") {
		t.Fatalf("after starting a new survey: at %s", p.URL.Path)
	}
	if r := e.Browser().Get("/s/wellbeing-2027/baseline"); r.Status != http.StatusNotFound {
		t.Errorf("a new survey not yet published: %d, want 404", r.Status)
	}
	if list := first.Get("/staff/surveys").Must(http.StatusOK); !strings.Contains(webtest.Element(t, list.Body, "ul", "unpublished"), `href="/staff/surveys/wellbeing-2027/versions"`) {
		t.Error("the new survey not yet published is not listed on /staff/surveys")
	}
	second.PostFrom(p.URL.Path, p.URL.Path+"/publish", url.Values{"reason": {"Our own wellbeing survey"}}).Must(http.StatusOK)
	if r := e.Browser().Get("/s/wellbeing-2027/baseline"); r.Status != http.StatusOK || !strings.Contains(r.Body, d.Title) {
		t.Errorf("the new survey once published: %d", r.Status)
	}
	hasAudit(t, e, "started a new survey wellbeing-2027, copied from "+d.ID)
	if list := first.Get("/staff/surveys").Must(http.StatusOK).Text(); !strings.Contains(list, "File None: published on the staff pages") {
		t.Errorf("/staff/surveys does not say the new survey has no file: %s", list)
	}

	// A new survey from the filled example, its form_id changed.
	example := editWorkbook(t, download(t, first, "/staff/surveys/example.xlsx"), map[string]string{"settings!B2": "example-2027"})
	p = first.Upload("/staff/surveys/new", "/staff/surveys/new/upload", "example.xlsx", example).Must(http.StatusOK)
	if !strings.HasPrefix(p.URL.Path, "/staff/surveys/example-2027/versions/") || !strings.Contains(webtest.Text(webtest.Element(t, p.Body, "dd", "state")), "Draft") {
		t.Errorf("after uploading the example as a new survey: at %s", p.URL.Path)
	}
	p = first.Upload("/staff/surveys/new", "/staff/surveys/new/upload", "example.xlsx", example).Must(http.StatusUnprocessableEntity)
	if !strings.Contains(p.Text(), `there is a survey with the id "example-2027" already`) {
		t.Errorf("the same workbook again as a new survey: %s", p.Text())
	}
}

// A lead downloads training-needs, takes an indicator's row out of the
// indicators sheet and gives a number question its own bands in Excel,
// and uploads it: the draft keeps the other indicator, and its page says
// in plain words which indicator is taken out and which bands change.
func TestVersionsDraftAnnouncesIndicatorsAndBands(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	e.ImportSurveys()
	serve(t, e)
	admin := staffBrowser(t, e, auth.Admin, "")
	base := "/staff/surveys/training-needs/versions"
	live := download(t, admin, base+"/live/workbook.xlsx")
	edits := map[string]string{}
	for i, r := range workbookRows(t, live, "indicators") {
		if len(r) > 0 && r[0] == "cpd-demand" {
			for c := range r {
				cell, _ := excelize.CoordinatesToCellName(c+1, i+1)
				edits["indicators!"+cell] = ""
			}
		}
	}
	rows := workbookRows(t, live, "survey")
	for i, r := range rows {
		if len(r) > 1 && r[1] == "training-days" {
			col := slices.Index(rows[0], "bands")
			cell, _ := excelize.CoordinatesToCellName(col+1, i+1)
			edits["survey!"+cell] = "0, 1-4, 5+"
		}
	}
	if len(edits) < 2 {
		t.Fatalf("the workbook has no cpd-demand indicator row or no training-days bands cell: %v", edits)
	}
	p := uploadSurvey(admin, "training-needs", "training-needs.xlsx", editWorkbook(t, live, edits)).Must(http.StatusOK)
	changes := webtest.Text(webtest.Element(t, p.Body, "ul", "changes"))
	for _, want := range []string{
		`indicator "cpd-demand" (CPD planning: training wanted, ways of learning and barriers) is taken out: reports will no longer show it`,
		`the answers to "training-days" are counted in other bands: 0, 1-2, 3-5, 6-10, 11-20, 21+, now 0, 1-4, 5+`,
	} {
		if !strings.Contains(changes, want) {
			t.Errorf("the draft's changes do not say %s:\n%s", want, changes)
		}
	}
	if strings.Contains(changes, "safeguarding-at-level") || strings.Contains(p.Body, `id="acknowledge"`) {
		t.Errorf("the indicator kept is announced, or the change asks for an acknowledgement:\n%s", changes)
	}
}
