package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/testenv"
)

// threeResponses are a formula-looking comment, a comment over two lines
// with quotes, and Don't know and Not applicable ratings.
func threeResponses(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, a := range []map[string]string{
		{"sector": "health", "caf-1": "3", "caf-comment": "=HYPERLINK(\"x\")"},
		{"sector": "education", "caf-1": survey.DontKnow, "caf-comment": "line one\nline \"two\""},
		{"sector": "youth", "caf-1": survey.NotApplicable, "caf-2": "1"},
	} {
		r := survey.Response{Reference: "R" + string(rune('A'+i)), Round: []string{"baseline", "follow-up", "baseline"}[i], Submitted: at, Answers: a}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// TestResponsesXLSX reads the workbook back with excelize's reader: labels
// on the Data sheet, codes on the Codes sheet, formulas guarded, the
// codebook and the notes there.
func TestResponsesXLSX(t *testing.T) {
	d := loadSurvey(t)
	var buf bytes.Buffer
	if err := report.WriteResponsesXLSX(context.Background(), &buf, d, nil, threeResponses, time.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Data,Codes,Codebook,Notes" {
		t.Fatalf("sheets %v", got)
	}
	data, _ := f.GetRows(report.SheetData)
	codes, _ := f.GetRows(report.SheetCodes)
	if len(data) != 4 || len(codes) != 4 {
		t.Fatalf("%d data rows and %d code rows, want 4 each", len(data), len(codes))
	}
	at := map[string]int{}
	for i, c := range data[0] {
		at[c] = i
	}
	cell := func(rows [][]string, r int, col string) string {
		if i := at[col]; i < len(rows[r]) {
			return rows[r][i]
		}
		return ""
	}
	for _, c := range []struct{ sheet, col, want string }{
		{"data", "sector", "Health"}, {"codes", "sector", "2"},
		{"data", "round", "Baseline, autumn 2026"}, {"codes", "round", "1"},
		{"data", "caf-comment", "'=HYPERLINK(\"x\")"}, {"codes", "caf-comment", "'=HYPERLINK(\"x\")"},
	} {
		rows := data
		if c.sheet == "codes" {
			rows = codes
		}
		if got := cell(rows, 1, c.col); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.sheet, c.col, got, c.want)
		}
	}
	if got := cell(codes, 2, "caf-1"); got != "-1" {
		t.Errorf("Don't know code = %q, want -1", got)
	}
	if got := cell(data, 2, "caf-1"); got != "Don't know" {
		t.Errorf("Don't know label = %q", got)
	}
	if got := cell(data, 2, "caf-comment"); got != "line one\nline \"two\"" {
		t.Errorf("multi-line comment = %q", got)
	}
	if formula, _ := f.GetCellFormula(report.SheetData, "A2"); formula != "" {
		t.Errorf("a formula in the data: %q", formula)
	}
	book, _ := f.GetRows(report.SheetCodebook)
	if len(book) < 10 || strings.Join(book[0], ",") != strings.Join(report.CodebookColumns, ",") {
		t.Fatalf("codebook head %v", book[0])
	}
	notes, _ := f.GetRows(report.SheetNotes)
	var all string
	for _, r := range notes {
		all += strings.Join(r, " ") + "\n"
	}
	for _, want := range []string{d.Version, "[c]", "fewer than 5"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}

func TestCodebookCSV(t *testing.T) {
	d := loadSurvey(t)
	var buf bytes.Buffer
	if err := report.WriteCodebookCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if r[0] == "caf-1" && r[7] == survey.DontKnow {
			found = found || r[6] == "-1" && r[8] == "Don't know" && r[9] == "yes"
		}
	}
	if !found {
		t.Error("no Don't know row for caf-1 with code -1, missing")
	}
}

// TestSPSSSyntax runs the syntax with GNU PSPP against the CSV and checks
// the variable labels, value labels and missing values PSPP reports, and
// the values it read.
func TestSPSSSyntax(t *testing.T) {
	pspp := testenv.PSPP(t)
	d := loadSurvey(t)
	dir := t.TempDir()
	var csvBuf, sps bytes.Buffer
	if err := report.WriteCSVOneLine(context.Background(), &csvBuf, d, nil, threeResponses); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteSPSSSyntax(&sps, d, d.ID+"-responses.csv"); err != nil {
		t.Fatal(err)
	}
	out := testenv.RunPSPP(t, pspp, dir, d.ID+"-responses.csv", csvBuf.Bytes(), sps.String(), "reference round sector caf_1 caf_comment")
	for _, want := range []string{
		"Health",                              // a value label of sector
		"The round the response was given in", // a variable label
		"Don't know",                          // the value label of -1
		"-1", "-2",                            // codes
	} {
		if !strings.Contains(out, want) {
			t.Errorf("PSPP's output lacks %q", want)
		}
	}
	if !strings.Contains(out, "caf_1") {
		t.Fatalf("no caf_1 in PSPP's output:\n%s", out)
	}
	if got := testenv.PSPPMissing(out, "caf_1"); got != "-1; -2" {
		t.Errorf("PSPP gives caf_1 the missing values %q, want -1; -2", got)
	}
	if got := testenv.PSPPMissing(out, "sector"); got != "" {
		t.Errorf("PSPP gives sector the missing values %q, want none", got)
	}
	for _, want := range []string{"'=HYPERLINK(\"x\")", "line one / line \"two\""} {
		if !strings.Contains(out, want) {
			t.Errorf("PSPP did not read the comment %q", want)
		}
	}
	if testing.Verbose() {
		t.Log(out)
	}
}
