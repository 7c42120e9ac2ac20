package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/versions"
)

// uploadSurvey posts the survey upload form with a file, as a browser does.
func uploadSurvey(t *testing.T, b *browser, id, name string, data []byte) page {
	t.Helper()
	path := "/staff/surveys/" + id + "/versions"
	return uploadFrom(t, b, path, path, name, data)
}

// uploadFrom posts a file to action with the CSRF token of the page at
// from, as a browser sending the upload form on that page would.
func uploadFrom(t *testing.T, b *browser, from, action, name string, data []byte) page {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", csrfOf(t, b.get(from)))
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+action, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
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
func download(t *testing.T, b *browser, path string) []byte {
	t.Helper()
	p := b.get(path).must(t, http.StatusOK)
	if !strings.Contains(p.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("%s: Content-Type %q, want a workbook", path, p.Header.Get("Content-Type"))
	}
	return []byte(p.Body)
}

// The whole no-code path on two instances sharing one store: download the
// live survey as a workbook, change it, upload it with mistakes (every
// problem named by cell, nothing saved), upload it corrected (a draft),
// publish it on one instance with a reason; the other instance serves it
// within its poll, with no restart; a response answered there records the
// new version; the history says who, when and why; going back to the
// earlier version is served again.
func TestSurveyPublishedOnOneInstanceServedByAll(t *testing.T) {
	t.Parallel()
	e := mongoEnv(t)
	e["IWT_SURVEY_POLL"] = "200ms"
	a, b := start(t, e), start(t, e)
	d := bundled(t)
	st := storeOf(t, e)
	ctx := context.Background()
	base := "/staff/surveys/" + d.ID + "/versions"
	admin := staffBrowser(t, a, "admin", "")

	p := admin.get(base).must(t, http.StatusOK)
	if h := text(element(t, p.Body, "table", "history")); !strings.Contains(h, d.Version) || !strings.Contains(h, versions.FromFile) {
		t.Errorf("history of a survey imported from its file: %s", h)
	}
	live := download(t, admin, base+"/live/workbook.xlsx")
	download(t, admin, "/staff/surveys/template.xlsx")
	download(t, admin, "/staff/surveys/example.xlsx")

	// Two mistakes at once: each named by its sheet, row and column (and a
	// third that follows from the second: the list no longer used).
	const title = "Integrated working self-assessment, second year"
	broken := editWorkbook(t, live, map[string]string{"settings!A2": title, "survey!G3": "${nosuch} = 'x'", "survey!A4": "select_one nosuchlist"})
	p = uploadSurvey(t, admin, d.ID, "integrated-working.xlsx", broken).must(t, http.StatusUnprocessableEntity)
	for _, want := range []string{"survey sheet, row 3, column relevant", "survey sheet, row 4, column type", "The file was not saved: 3 problems"} {
		if !strings.Contains(text(p.Body), want) {
			t.Errorf("upload with two mistakes: no %q in\n%s", want, text(p.Body))
		}
	}
	if vs, err := st.SurveyVersionsOf(ctx, d.ID); err != nil || len(vs) != 1 {
		t.Fatalf("after a refused upload the store has %d versions (%v); want the file's only", len(vs), err)
	}

	// Corrected: a draft, not served yet.
	// Corrected, and a rated question added after the first: the tally
	// plan changes.
	fixed := addRatedQuestion(t, editWorkbook(t, live, map[string]string{"settings!A2": title}), "new-1", "We try new ways of working together.")
	p = uploadSurvey(t, admin, d.ID, "integrated-working.xlsx", fixed).must(t, http.StatusOK)
	if !strings.HasPrefix(p.URL.Path, base+"/") || !strings.Contains(text(element(t, p.Body, "dd", "state")), "Draft") {
		t.Fatalf("after the upload: at %s, state %s", p.URL.Path, text(p.Body))
	}
	draft := strings.TrimPrefix(p.URL.Path, base+"/")
	if got := text(element(t, p.Body, "ul", "changes")); !strings.Contains(got, `"new-1" is new: "We try new ways of working together."`) {
		t.Errorf("the draft's changes do not list the new question: %s", got)
	}
	if !strings.Contains(p.Body, `href="/staff/surveys/`+d.ID+`/preview/`+draft+`"`) {
		t.Errorf("the draft's page does not link to its preview")
	}
	if got := newBrowser(t, b.URL).get("/s/" + d.ID + "/baseline"); strings.Contains(got.Body, title) {
		t.Fatal("a draft is served before it is published")
	}
	publish := base + "/" + draft + "/publish"
	p = admin.postFrom(base+"/"+draft, publish, url.Values{"reason": {""}}).must(t, http.StatusUnprocessableEntity)
	if !strings.Contains(text(p.Body), "Enter why you are publishing this version") {
		t.Errorf("publish without a reason: %s", text(p.Body))
	}
	p = admin.postFrom(base+"/"+draft, publish, url.Values{"reason": {"A new title for the second year"}}).must(t, http.StatusOK)
	if !strings.Contains(text(p.Body), "Version "+draft+" is live") {
		t.Errorf("after publishing: %s", text(p.Body))
	}
	hasAudit(t, e, "published a survey version "+d.ID+" version "+draft+": A new title for the second year")

	// The instance that published serves it at once; the other within its
	// poll (200 ms here; the bound is for a busy machine).
	if got := newBrowser(t, a.URL).get("/s/" + d.ID + "/baseline"); !strings.Contains(got.Body, title) {
		t.Errorf("the publishing instance does not serve the new version")
	}
	waitServed(t, b, d.ID, title)

	stored, err := st.SurveyVersion(ctx, d.ID, draft)
	if err != nil {
		t.Fatal(err)
	}
	nd, ps := versions.Parse(stored)
	if nd == nil {
		t.Fatal(ps)
	}
	ref := respond(t, b.URL, nd, "baseline", respondent{Level: "3"}, 1)
	r, err := st.Response(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != draft || r.Answers["new-1"] != "3" {
		t.Errorf("a response answered on the other instance records version %s, new-1 %q; want %s, 3", r.Version, r.Answers["new-1"], draft)
	}

	// The report, from either instance, counts the new question.
	for i := range 4 {
		respond(t, []string{a.URL, b.URL}[i%2], nd, "baseline", respondent{Level: "4"}, i)
	}
	closeRound(t, admin, d, "baseline")
	analyst := staffBrowser(t, a, "analyst", "")
	api := "/api/surveys/" + d.ID + "/report?a=baseline"
	fromA, fromB := reportFigures(t, analyst, api), reportFigures(t, analyst.on(b), api)
	if diff := cmp.Diff(fromA, fromB); diff != "" {
		t.Errorf("report figures from the two instances differ (-a +b):\n%s", diff)
	}
	counted := -1
	for _, s := range fromA.Strands {
		for _, st := range s.Statements {
			if st.ID == "new-1" && len(st.Rounds) == 1 && st.Rounds[0] != nil {
				counted = st.Rounds[0].Scored
			}
		}
	}
	if counted != 5 {
		t.Errorf("the report scores the new question %d times; want 5", counted)
	}

	// Going back to the file's version: served again, everywhere.
	p = admin.get(base).must(t, http.StatusOK)
	if h := text(element(t, p.Body, "table", "history")); !strings.Contains(h, "A new title for the second year") {
		t.Errorf("history: %s", h)
	}
	admin.postFrom(base+"/"+d.Version, base+"/"+d.Version+"/publish", url.Values{"reason": {"Back to the first year's title"}}).must(t, http.StatusOK)
	waitServed(t, b, d.ID, d.Title)
	if got := newBrowser(t, b.URL).get("/s/" + d.ID + "/baseline"); strings.Contains(got.Body, title) {
		t.Errorf("after going back, the other instance still serves the new title")
	}
}

// waitServed waits until an instance serves a survey whose start page
// says want: within 30 seconds, the promise in docs/surveys.md.
func waitServed(t *testing.T, svc *service, id, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := newBrowser(t, svc.URL).get("/s/" + id + "/baseline")
		if strings.Contains(got.Body, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not serve %q within 30 seconds of the publish", svc.URL, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A survey file too large is refused from its Content-Length, before
// the body is read, with a page that says the limit (the service's
// streaming of bodies and its error page). The other refused uploads are
// tested beside the pages, in internal/web/staff.
func TestSurveyUploadTooLarge(t *testing.T) {
	t.Parallel()
	e := sqliteEnv(t)
	svc := start(t, e)
	d := bundled(t)
	st := storeOf(t, e)
	base := "/staff/surveys/" + d.ID + "/versions"
	conn, err := net.Dial("tcp", strings.TrimPrefix(svc.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: %d\r\n\r\n--x", base, 6<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	tooLarge, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(text(string(tooLarge)), "A survey workbook can be at most 5 MB") {
		t.Errorf("a 6 MB upload: %d %s", resp.StatusCode, text(string(tooLarge)))
	}
	if vs, err := st.SurveyVersionsOf(context.Background(), d.ID); err != nil || len(vs) != 1 {
		t.Errorf("after a refused upload the store has %d versions (%v); want the file's only", len(vs), err)
	}
}

// addRatedQuestion inserts a copy of the workbook's first rated question
// after it, with another name and label.
func addRatedQuestion(t *testing.T, data []byte, name, label string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("survey")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) < 3 || r[0] != "select_one maturity" {
			continue
		}
		at := i + 2 // the row after it, counted from 1
		if err := f.InsertRows("survey", at, 1); err != nil {
			t.Fatal(err)
		}
		r[1], r[2] = name, label
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, at)
			f.SetCellValue("survey", cell, v)
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	t.Fatal("no rated question in the workbook")
	return nil
}

// A survey file that breaks after its survey was imported does not take
// the survey down: the version in the store keeps serving, the file's
// problems are shown to administrators, and the other surveys are served.
func TestBrokenFileKeepsStoredVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := os.ReadDir("../../surveys")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range src {
		if strings.HasSuffix(f.Name(), ".yaml") {
			data, err := os.ReadFile(filepath.Join("../../surveys", f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, f.Name()), data, 0o600)
		}
	}
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = dir
	d := bundled(t)
	svc := start(t, e)
	svc.stop()

	if err := os.WriteFile(filepath.Join(dir, d.ID+".yaml"), []byte("title: Feeling safe: young people\n\tsections: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	svc = start(t, e)
	r := newBrowser(t, svc.URL).get("/s/"+d.ID+"/baseline").must(t, http.StatusOK)
	if !strings.Contains(r.Body, d.Title) {
		t.Errorf("the survey whose file broke is not served from the store")
	}
	admin := staffBrowser(t, svc, "admin", "")
	p := admin.get("/staff/surveys").must(t, http.StatusOK)
	if !strings.Contains(text(p.Body), d.ID+".yaml:1") {
		t.Errorf("the broken file's problems are not shown: %s", text(p.Body))
	}
	if !strings.Contains(svc.logs.String(), "survey file refused") {
		t.Error("the broken file's problems are not logged")
	}
}
