package report_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
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

// withInvalid is threeResponses and a fourth whose stored caf-1 is 9, on
// a scale of 1 to 5: damage the exports must find, not pass on.
func withInvalid(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error {
	if err := threeResponses(ctx, surveyID, rounds, fn); err != nil {
		return err
	}
	return fn(survey.Response{Reference: "RD", Round: "baseline", Submitted: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Answers: map[string]string{"sector": "health", "caf-1": "9"}})
}

// TestResponsesXLSX reads the workbook back with excelize's reader: labels
// on the Data sheet, codes on the Codes sheet, formulas guarded, the
// codebook and the notes there; header rows frozen and filtered, the time
// sent a date; a stored answer outside its scale neither shown nor coded
// as given, and said in the notes.
func TestResponsesXLSX(t *testing.T) {
	d := loadSurvey(t)
	var buf bytes.Buffer
	found, err := report.WriteResponsesXLSX(context.Background(), &buf, d, d.Rounds, withInvalid, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if found.Total() != 1 || found.Invalid["caf-1"] != 1 {
		t.Errorf("found %v, want caf-1's 9", found.Invalid)
	}
	tables := sheetsWith(t, buf.Bytes(), "<autoFilter ")
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
	if len(data) != 5 || len(codes) != 5 {
		t.Fatalf("%d data rows and %d code rows, want 5 each", len(data), len(codes))
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
	if got := cell(codes, 4, "caf-1"); got != "-6" {
		t.Errorf("caf-1 stored as 9 has the code %q, want -6", got)
	}
	if got := cell(data, 4, "caf-1"); strings.Contains(got, "9") || !strings.Contains(got, "Not a valid answer") {
		t.Errorf("caf-1 stored as 9 shows as %q", got)
	}
	leader := report.Codebook(d, d.Rounds)[len(report.Codebook(d, d.Rounds))-2].Key // the leaders' strand: not asked of these
	if got := cell(codes, 1, leader); got != "-5" {
		t.Errorf("%s, not asked, has the code %q, want -5", leader, got)
	}
	if got := cell(data, 1, "caf-2"); got != "" {
		t.Errorf("caf-2, asked and left blank, shows %q, want an empty cell", got)
	}
	for _, sheet := range []string{report.SheetData, report.SheetCodes, report.SheetCodebook} {
		if p, err := f.GetPanes(sheet); err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s's header row is not frozen: %+v %v", sheet, p, err)
		}
	}
	if tables != 3 {
		t.Errorf("%d sheets have a filter, want 3 (Data, Codes, Codebook)", tables)
	}
	raw, _ := f.GetCellValue(report.SheetData, "C2", excelize.Options{RawCellValue: true})
	serial, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("submitted is %q, not a date", raw)
	}
	if at, _ := excelize.ExcelDateToTime(serial, false); !at.Round(time.Second).Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("submitted is %v", at)
	}
	if shown, _ := f.GetCellValue(report.SheetData, "C2"); shown != "2026-01-02 03:04:05" {
		t.Errorf("submitted shows as %q", shown)
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
	for _, want := range []string{d.Version, "[c]", "fewer than 5", "1 stored answer(s) were not one of their question's values, in caf-1"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}

// sheetsWith counts the worksheets of an xlsx file whose XML holds s.
func sheetsWith(t *testing.T, xlsx []byte, s string) int {
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
		if bytes.Contains(b, []byte(s)) {
			n++
		}
	}
	return n
}

func TestCodebookCSV(t *testing.T) {
	d := loadSurvey(t)
	var buf bytes.Buffer
	if err := report.WriteCodebookCSV(&buf, d, d.Rounds); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	has := func(key, value, code string) bool {
		return slices.ContainsFunc(rows, func(r []string) bool { return r[0] == key && r[7] == value && r[6] == code && r[9] == "yes" })
	}
	for _, c := range []struct{ key, value, code string }{
		{"caf-1", survey.DontKnow, "-1"},
		{"caf-1", report.ValueNotAnswered, "-4"},
		{"caf-1", report.ValueInvalid, "-6"},
		{"leading-integrated-working-1", report.ValueNotAsked, "-5"},
		{"leading-integrated-working-comment", report.ValueNotAsked, ""}, // text: the value itself
	} {
		if !has(c.key, c.value, c.code) {
			t.Errorf("no missing row for %s: %q coded %q", c.key, c.value, c.code)
		}
	}
	if has("caf-1", report.ValueNotAsked, "-5") {
		t.Error("caf-1, asked of everyone, has a not-asked code")
	}
}

// TestSPSSSyntax runs the syntax with GNU PSPP against the CSV and checks
// the variable labels, value labels and missing values PSPP reports, the
// values it read, every round coded (one added by staff, with a long id),
// and the means and standard deviations MEANS and DESCRIPTIVES print.
func TestSPSSSyntax(t *testing.T) {
	pspp := testenv.PSPP(t)
	d := loadSurvey(t)
	dir := t.TempDir()
	added := survey.Round{ID: "spring-2027-extra-round-added-by-staff", Label: "Spring 2027, added by staff"}
	rounds := append(slices.Clone(d.Rounds), added)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// caf-1: baseline 3 2 4 2 (mean 2.75, SD .96), the added round 3 4 4
	// (3.67, .58), all seven 3.14 (.90); Don't know and the 9 stored by
	// damage are missing, not counted.
	var list []survey.Response
	for i, c := range []struct{ round, caf string }{
		{"baseline", "3"}, {"baseline", "2"}, {"baseline", "4"}, {"baseline", "2"}, {"baseline", survey.DontKnow}, {"baseline", "9"},
		{added.ID, "3"}, {added.ID, "4"}, {added.ID, "4"},
	} {
		list = append(list, survey.Response{Reference: fmt.Sprintf("R%02d", i), Round: c.round, Submitted: at,
			Answers: map[string]string{"sector": "health", "caf-1": c.caf, "caf-comment": []string{"=HYPERLINK(\"x\")", "line one\nline \"two\""}[i%2]}})
	}
	each := func(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error {
		for _, r := range list {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var csvBuf, sps bytes.Buffer
	if _, err := report.WriteCSVOneLine(context.Background(), &csvBuf, d, rounds, each); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteSPSSSyntax(&sps, d, rounds, d.ID+"-responses.csv"); err != nil {
		t.Fatal(err)
	}
	syntax := sps.String() + "\nMEANS TABLES=caf_1 BY round.\nDESCRIPTIVES caf_1.\nFREQUENCIES round leading_integrated_working_1 caf_2 leading_integrated_working_comment.\n"
	out := testenv.RunPSPP(t, pspp, dir, d.ID+"-responses.csv", csvBuf.Bytes(), syntax, "reference round sector caf_1 caf_comment")
	for _, want := range []string{
		"Health",                              // a value label of sector
		"The round the response was given in", // a variable label
		"Don't know",                          // the value label of -1
		"-1", "-2",                            // codes
		"Not a valid answer", // the value label of -6
		"Not asked",          // the leaders' strand, asked of none here
		"Not answered",       // caf-2, asked and left blank
	} {
		if !strings.Contains(out, want) {
			t.Errorf("PSPP's output lacks %q", want)
		}
	}
	if !containsSpaced(out, "|Valid Not asked|9|") {
		t.Error("the leaders' comment, a text not asked, is not labelled Not asked")
	}
	if !strings.Contains(out, "caf_1") {
		t.Fatalf("no caf_1 in PSPP's output:\n%s", out)
	}
	if got := testenv.PSPPMissing(out, "caf_1"); got != "-6 THRU -1" {
		t.Errorf("PSPP gives caf_1 the missing values %q, want -6 THRU -1", got)
	}
	if got := testenv.PSPPMissing(out, "sector"); got != "-6 THRU -1" {
		t.Errorf("PSPP gives sector the missing values %q, want -6 THRU -1", got)
	}
	for _, want := range []string{"'=HYPERLINK(\"x\")", "line one / line \"two\""} {
		if !strings.Contains(out, want) {
			t.Errorf("PSPP did not read the comment %q", want)
		}
	}
	// MEANS: a row per round, by its label, with its mean, N and SD.
	for _, want := range []string{
		"|Baseline, autumn 2026     |2.75|4|           .96|",
		"|" + added.Label + "|3.67|3|           .58|",
		"|Total                     |3.14|7|           .90|",
	} {
		if !containsSpaced(out, want) {
			t.Errorf("MEANS does not print %q", want)
		}
	}
	// DESCRIPTIVES: N, mean, SD, minimum and maximum.
	if !containsSpaced(out, "|7|3.14|.90|Starting|Established|") {
		t.Error("DESCRIPTIVES does not print caf_1's N 7, mean 3.14 and SD .90")
	}
	if strings.Contains(out, "spring-20") && !strings.Contains(out, added.Label) {
		t.Error("the added round is not labelled")
	}
	if t.Failed() || testing.Verbose() {
		t.Log(out)
	}
}

// containsSpaced reports whether out has the table row want, whatever
// the padding inside its cells.
func containsSpaced(out, want string) bool {
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	return strings.Contains(squash(out), squash(want))
}
