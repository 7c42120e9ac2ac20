package reports_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/webtest"
)

// TestExportFormats downloads the exports from the reports and
// reads them back with a real reader: the workbooks with excelize (the
// SPSS syntax is cmd/iwtoolkit's TestExportSPSS's, which needs GNU PSPP). A comment that looks
// like a formula comes out guarded everywhere; the aggregates' workbook
// hides what aggregates.csv hides; each file is for the roles the CSVs
// are for, and each download is audited.
func TestExportFormats(t *testing.T) {
	t.Parallel()
	e := webtest.SQLite(t)
	serve(t, e)
	d := e.Survey("integrated-working")
	st := e.Store
	// 20 frontline and 2 leaders: the leaders' strand, asked of 2, is
	// hidden in the figures.
	submitMembers(t, e, d, "baseline", append(levels(20, member{sector: "health", org: "community-health-trust", role: "frontline"}),
		levels(2, member{sector: "health", org: "community-health-trust", role: "leader-manager"})...), 0)
	e.Respond(d, "baseline", webtest.Respondent{Level: "2", Comment: `=HYPERLINK("http://evil")`}, 100)
	const responses = 23
	e.CloseRound(d, "baseline")

	analyst := e.StaffBrowser(auth.Analyst, "")
	base := "/r/" + d.ID

	t.Run("responses.xlsx", func(t *testing.T) {
		p := analyst.Get(base + "/responses.xlsx").Must(http.StatusOK)
		if ct := p.Header.Get("Content-Type"); !strings.Contains(ct, "spreadsheetml") {
			t.Errorf("Content-Type %q", ct)
		}
		f, err := excelize.OpenReader(strings.NewReader(p.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		data, _ := f.GetRows(report.SheetData)
		codes, _ := f.GetRows(report.SheetCodes)
		if len(data) != responses+1 || len(codes) != responses+1 {
			t.Fatalf("%d data rows, %d code rows; want %d each", len(data), len(codes), responses+1)
		}
		col := slices.Index(data[0], "caf-comment")
		sector := slices.Index(data[0], "sector")
		sectorLabels := map[string]string{}
		for _, v := range report.Codebook(d, d.Rounds) {
			if v.Key == "sector" {
				for _, x := range v.Values {
					sectorLabels[strconv.Itoa(x.Code)] = x.Label
				}
			}
		}
		var guarded bool
		for i := 1; i < len(data); i++ {
			if col < len(data[i]) && strings.Contains(data[i][col], "HYPERLINK") {
				guarded = data[i][col] == `'=HYPERLINK("http://evil")`
			}
			if label := sectorLabels[codes[i][sector]]; label == "" || data[i][sector] != label {
				t.Errorf("row %d: sector %q, code %q (%q)", i, data[i][sector], codes[i][sector], label)
			}
		}
		if !guarded {
			t.Error("the formula in a comment is not guarded in the workbook")
		}
		notes, _ := f.GetRows(report.SheetNotes)
		if !slices.ContainsFunc(notes, func(r []string) bool { return len(r) > 1 && r[0] == "survey version" && r[1] == d.Version }) {
			t.Errorf("no survey version in the notes: %v", notes)
		}
	})

	t.Run("codebook.csv", func(t *testing.T) {
		rows, err := readCSV(analyst.Get(base + "/codebook.csv").Must(http.StatusOK).Body)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], report.CodebookColumns) {
			t.Errorf("codebook head %v", rows[0])
		}
	})

	t.Run("aggregates.xlsx", func(t *testing.T) {
		q := "?a=baseline"
		rows, err := readCSV(analyst.Get(base + "/aggregates.csv" + q).Must(http.StatusOK).Body)
		if err != nil {
			t.Fatal(err)
		}
		p := analyst.Get(base + "/aggregates.xlsx" + q).Must(http.StatusOK)
		f, err := excelize.OpenReader(strings.NewReader(p.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet, _ := f.GetRows(report.SheetFigures)
		if len(sheet) != len(rows) {
			t.Fatalf("%d rows in the workbook, %d in the CSV", len(sheet), len(rows))
		}
		if !slices.Equal(sheet[0], report.FiguresColumns) {
			t.Errorf("the Figures sheet's header is %v", sheet[0])
		}
		hidden := 0
		labelled := map[string]string{} // a label of each kind, by column
		for i := 1; i < len(rows); i++ {
			w := append(sheet[i], make([]string, len(report.FiguresColumns))...)
			ids := []string{w[0], w[2], w[4], w[6], w[8]}
			if !slices.EqualFunc(ids, rows[i], sameCell) {
				t.Errorf("row %d: workbook %v, CSV %v", i, ids, rows[i])
			}
			if rows[i][4] == report.Confidential {
				hidden++
			}
			for _, c := range []int{1, 3, 5, 7} {
				if w[c] != "" && w[c-1] != w[c] {
					labelled[report.FiguresColumns[c]+" of "+w[c-1]] = w[c]
				}
			}
		}
		if hidden == 0 {
			t.Error("nothing hidden: the leaders' strand (2 asked) should be [c]")
		}
		for id, want := range map[string]string{
			"round label of baseline":          d.Rounds[0].Label,
			"strand title of caf":              "Common Assessment Framework",
			"measure label of count:dont-know": "Count: Don't know",
			"measure label of count:3":         "Count: 3 Developing",
			"statement text of caf-1":          "I understand what the Common Assessment Framework (CAF) is for.",
		} {
			if got := labelled[id]; !strings.HasPrefix(got, want) {
				t.Errorf("%s: %q, want %q", id, got, want)
			}
		}
		if p, err := f.GetPanes(report.SheetFigures); err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("the Figures sheet's header row is not frozen: %+v %v", p, err)
		}
		if n := sheetsWithFilter(t, []byte(p.Body)); n != 1 {
			t.Errorf("%d sheets have a filter, want 1 (Figures)", n)
		}
		for i, r := range rows {
			if len(r) > 3 && r[3] == "figures_as_of" {
				cell, _ := excelize.CoordinatesToCellName(9, i+1)
				raw, _ := f.GetCellValue(report.SheetFigures, cell, excelize.Options{RawCellValue: true})
				if _, err := strconv.ParseFloat(raw, 64); err != nil {
					t.Errorf("figures_as_of is %q, not a date", raw)
				}
			}
		}
		notes, _ := f.GetRows(report.SheetNotes)
		if !slices.ContainsFunc(notes, func(r []string) bool { return len(r) > 1 && strings.HasPrefix(r[1], report.Confidential) }) {
			t.Errorf("the notes do not explain [c]: %v", notes)
		}
	})

	t.Run("access", func(t *testing.T) {
		for _, role := range []auth.Role{auth.BoardViewer, auth.Coordinator} {
			org := ""
			if role == auth.Coordinator {
				org = "police"
			}
			b := e.StaffBrowser(role, org)
			for _, path := range []string{"/responses.xlsx", "/responses.sps", "/codebook.csv", "/responses.csv?lines=one"} {
				b.Get(base + path).Must(http.StatusForbidden)
			}
			b.Get(base + "/aggregates.xlsx?a=baseline").Must(http.StatusOK)
		}
		if p := e.Browser().Get(base + "/responses.xlsx"); strings.Contains(p.Header.Get("Content-Type"), "spreadsheetml") {
			t.Error("responses.xlsx served to someone not signed in")
		}
		rep := analyst.Get(base).Must(http.StatusOK).Body
		for _, link := range []string{"responses.xlsx", "responses.sps", "codebook.csv", "aggregates.xlsx"} {
			if !strings.Contains(rep, base+"/"+link) {
				t.Errorf("the report page does not link to %s", link)
			}
		}
	})

	log, err := st.AuditLog(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"downloaded raw responses (Excel)", "downloaded codebook", "downloaded report figures"} {
		if !slices.ContainsFunc(log, func(e store.AuditEntry) bool { return e.Action == action && e.Target == d.ID }) {
			t.Errorf("no audit entry %q", action)
		}
	}
}

// sameCell: a workbook's number is the CSV's figure (3 for 3.0000), its
// date the CSV's time, text the same text.
func sameCell(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return x == y
	}
	if at, err := time.Parse(time.RFC3339, b); err == nil {
		return a == at.UTC().Format("2006-01-02 15:04:05")
	}
	return a == b
}

// sheetsWithFilter counts the worksheets of an xlsx file with a filter.
func sheetsWithFilter(t *testing.T, xlsx []byte) int {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("<autoFilter ")) {
			n++
		}
	}
	return n
}
