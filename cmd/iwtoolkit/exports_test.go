package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/testenv"
)

// TestExportFormats downloads the exports from a running service and
// reads them back with a real reader: the workbooks with excelize (the
// SPSS syntax is TestExportSPSS's, which needs GNU PSPP). A comment that looks
// like a formula comes out guarded everywhere; the aggregates' workbook
// hides what aggregates.csv hides; each file is for the roles the CSVs
// are for, and each download is audited.
func TestExportFormats(t *testing.T) {
	d := bundled(t)
	e := sqliteEnv(t)
	svc := start(t, e)
	st := storeOf(t, e)
	// 20 frontline and 2 leaders: the leaders' strand, asked of 2, is
	// hidden in the figures.
	submitMembers(t, st, d, "baseline", append(levels(20, member{sector: "health", org: "community-health-trust", role: "frontline"}),
		levels(2, member{sector: "health", org: "community-health-trust", role: "leader-manager"})...), 0)
	respond(t, svc.URL, d, "baseline", respondent{Level: "2", Comment: `=HYPERLINK("http://evil")`}, 100)
	const responses = 23

	analyst := staffBrowser(t, svc, "analyst", "")
	base := "/r/" + d.ID

	t.Run("responses.xlsx", func(t *testing.T) {
		p := analyst.get(base+"/responses.xlsx").must(t, http.StatusOK)
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
		for _, v := range report.Codebook(d) {
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
		rows, err := readCSV(analyst.get(base+"/codebook.csv").must(t, http.StatusOK).Body)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], report.CodebookColumns) {
			t.Errorf("codebook head %v", rows[0])
		}
	})

	t.Run("aggregates.xlsx", func(t *testing.T) {
		q := "?a=baseline"
		rows, err := readCSV(analyst.get(base+"/aggregates.csv"+q).must(t, http.StatusOK).Body)
		if err != nil {
			t.Fatal(err)
		}
		p := analyst.get(base+"/aggregates.xlsx"+q).must(t, http.StatusOK)
		f, err := excelize.OpenReader(strings.NewReader(p.Body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet, _ := f.GetRows(report.SheetFigures)
		if len(sheet) != len(rows) {
			t.Fatalf("%d rows in the workbook, %d in the CSV", len(sheet), len(rows))
		}
		hidden := 0
		for i := range rows {
			if !slices.EqualFunc(sheet[i], rows[i], sameCell) {
				t.Errorf("row %d: workbook %v, CSV %v", i, sheet[i], rows[i])
			}
			if rows[i][4] == report.Confidential {
				hidden++
			}
		}
		if hidden == 0 {
			t.Error("nothing hidden: the leaders' strand (2 asked) should be [c]")
		}
		notes, _ := f.GetRows(report.SheetNotes)
		if !slices.ContainsFunc(notes, func(r []string) bool { return len(r) > 1 && strings.HasPrefix(r[1], report.Confidential) }) {
			t.Errorf("the notes do not explain [c]: %v", notes)
		}
	})

	t.Run("access", func(t *testing.T) {
		for _, role := range []string{"board-viewer", "coordinator"} {
			org := ""
			if role == "coordinator" {
				org = "police"
			}
			b := staffBrowser(t, svc, role, org)
			for _, path := range []string{"/responses.xlsx", "/responses.sps", "/codebook.csv", "/responses.csv?lines=one"} {
				b.get(base+path).must(t, http.StatusForbidden)
			}
			b.get(base+"/aggregates.xlsx?a=baseline").must(t, http.StatusOK)
		}
		if p := newBrowser(t, svc.URL).get(base + "/responses.xlsx"); strings.Contains(p.Header.Get("Content-Type"), "spreadsheetml") {
			t.Error("responses.xlsx served to someone not signed in")
		}
		rep := analyst.get(base).must(t, http.StatusOK).Body
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

// sameCell: a workbook's number is the CSV's figure (3 for 3.0000), text
// the same text.
func sameCell(a, b string) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return x == y
	}
	return a == b
}
