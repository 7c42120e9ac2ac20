package report

import (
	"archive/zip"
	"context"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/survey"
)

// Sheet names of the Excel exports.
const (
	SheetData     = "Data"     // raw responses: one row each, answers as their labels
	SheetCodes    = "Codes"    // the same rows, answers as their codes
	SheetCodebook = "Codebook" // every column: wording, type, codes and labels, rounds
	SheetNotes    = "Notes"    // survey version, suppression rule, shorthand
	SheetFigures  = "Figures"  // aggregates, as in aggregates.csv
)

// workbook is an Excel file written sheet by sheet with excelize's
// StreamWriter, and then straight into w: excelize's own WriteTo builds
// the whole file in memory first, so its zip writer is swapped for one on
// w (SetZipWriter) and the empty buffer it leaves is thrown away.
type workbook struct {
	f      *excelize.File
	w      io.Writer
	sheets map[string]*excelize.StreamWriter
}

func newWorkbook(w io.Writer, sheets ...string) (*workbook, error) {
	return newWorkbookOwn(w, 0, sheets...)
}

// newWorkbookOwn is newWorkbook whose first own sheets are left to the
// caller (sheetZip), not given an excelize StreamWriter.
func newWorkbookOwn(w io.Writer, own int, sheets ...string) (*workbook, error) {
	f := excelize.NewFile()
	b := &workbook{f: f, w: w, sheets: map[string]*excelize.StreamWriter{}}
	for i, name := range sheets {
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		if i < own {
			continue
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			f.Close()
			return nil, err
		}
		b.sheets[name] = sw
	}
	return b, nil
}

// rows writes rows to a sheet from the top, one slice of values a row.
func (b *workbook) rows(sheet string, rows [][]any) error {
	for i, r := range rows {
		if err := b.row(sheet, i+1, r); err != nil {
			return err
		}
	}
	return nil
}

func (b *workbook) row(sheet string, n int, values []any) error {
	cell, err := excelize.CoordinatesToCellName(1, n)
	if err != nil {
		return err
	}
	return b.sheets[sheet].SetRow(cell, values)
}

// finish flushes every sheet and writes the file to w.
func (b *workbook) finish() error {
	return b.finishWith(nil)
}

// finishWith is finish with the sheets at the given paths written by
// their functions (sheetZip).
func (b *workbook) finishWith(own map[string]func(io.Writer) error) error {
	for _, sw := range b.sheets {
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	z := &sheetZip{zw: zip.NewWriter(b.w), sheets: own}
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return z })
	_, err := b.f.WriteTo(io.Discard)
	if z.err != nil {
		return z.err
	}
	return err
}

// text is a string cell guarded as the CSV's are.
func text(s string) any { return SafeCell(s) }

// textRow makes a row of guarded string cells.
func textRow(cells ...string) []any {
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = text(c)
	}
	return row
}

// WriteResponsesXLSX streams a survey's raw responses in the given rounds
// as an Excel workbook: the Data sheet with each answer's label, the Codes
// sheet with its code (the codebook's, the same as SPSS's), the Codebook
// sheet and the Notes sheet. Each data sheet is written in one pass
// over the responses (EachRow), straight into the file
// (xlsxsheet.go), so memory does not grow with the number of responses;
// excelize's StreamWriter writes the rest. Text cells are guarded against formulas as in the CSV.
func WriteResponsesXLSX(ctx context.Context, w io.Writer, d *survey.Definition, rounds []string, each EachResponse, now time.Time) error {
	b, err := newWorkbookOwn(w, 2, SheetData, SheetCodes, SheetCodebook, SheetNotes)
	if err != nil {
		return err
	}
	defer b.f.Close()
	vars := Codebook(d)
	header := make([]any, len(vars))
	for i, v := range vars {
		header[i] = text(v.Key)
	}
	// sheet writes one sheet of responses, a cell from each raw answer.
	sheet := func(cell func(v *Variable, raw string) any) func(io.Writer) error {
		return func(w io.Writer) error {
			sw := newSheetWriter(w, len(vars))
			if err := sw.write(header); err != nil {
				return err
			}
			cells := make([]any, len(vars))
			err := EachRow(ctx, d, rounds, each, func(row []string) error {
				for i, raw := range row {
					cells[i] = cell(&vars[i], raw)
				}
				return sw.write(cells)
			})
			if err != nil {
				return err
			}
			return sw.close()
		}
	}
	own := map[string]func(io.Writer) error{
		sheetPath(1): sheet(func(v *Variable, raw string) any { label, _ := cellsOf(v, raw); return label }),
		sheetPath(2): sheet(func(v *Variable, raw string) any { _, code := cellsOf(v, raw); return code }),
	}
	book := [][]any{textRow(CodebookColumns...)}
	for _, r := range CodebookRows(d) {
		row := textRow(r...)
		if code, err := strconv.Atoi(r[codeColumn]); err == nil {
			row[codeColumn] = code
		}
		book = append(book, row)
	}
	if err := b.rows(SheetCodebook, book); err != nil {
		return err
	}
	notes := [][]any{
		textRow("survey", d.ID+": "+d.Title),
		textRow("survey version", d.Version),
		textRow("exported", now.UTC().Format(time.RFC3339)),
		textRow("rounds", roundsText(d, rounds)),
		textRow("sheets", SheetData+": one row per response, answers as their labels. "+SheetCodes+": the same rows, answers as their codes. "+SheetCodebook+": what each column is, and every code with its label."),
		textRow("missing-value codes", strconv.Itoa(CodeDontKnow)+" Don't know, "+strconv.Itoa(CodeNotApplicable)+" Not applicable, "+strconv.Itoa(CodePreferNotToSay)+" Prefer not to say; an empty cell is a question not answered or not asked."),
		textRow("suppression", "These are raw responses, not suppressed: personal data, for the roles that may see them. Figures published from them hide any group of fewer than "+strconv.Itoa(d.GroupSize())+" people (the survey's minimum group size), and any that would let one be worked out."),
		textRow("formulas", "A text answer that starts with = + - @, a tab or a carriage return is shown with a ' in front, so that it cannot run as a formula."),
	}
	for _, note := range Notes(d.GroupSize(), d.RoundCountsTo) {
		notes = append(notes, textRow("shorthand in figures", note))
	}
	if err := b.rows(SheetNotes, notes); err != nil {
		return err
	}
	return b.finishWith(own)
}

// cellsOf is a raw answer as a Data cell (its label) and a Codes cell
// (its code). Numbers are numbers in both; text is guarded.
func cellsOf(v *Variable, raw string) (label, code any) {
	if raw == "" {
		return nil, nil
	}
	if x, ok := v.Lookup(raw); ok {
		return text(x.Label), x.Code
	}
	if v.Type == survey.TypeNumber {
		if f, err := strconv.ParseFloat(raw, 64); err == nil {
			return f, f
		}
	}
	return text(v.Readable(raw)), text(raw)
}

func roundsText(d *survey.Definition, rounds []string) string {
	if len(rounds) == 0 {
		for _, r := range d.Rounds {
			rounds = append(rounds, r.ID)
		}
	}
	return strings.Join(rounds, ", ")
}

// WriteAggregatesXLSX writes aggregates as an Excel workbook: the Figures
// sheet has the rows of aggregates.csv (AggregateRows), a figure as a
// number and a hidden one as [c], and the Notes sheet the survey version,
// the suppression rule and the shorthand.
func WriteAggregatesXLSX(w io.Writer, a Aggregates, d *survey.Definition, now time.Time) error {
	b, err := newWorkbook(w, SheetFigures, SheetNotes)
	if err != nil {
		return err
	}
	defer b.f.Close()
	n := 0
	AggregateRows(a, func(cells ...string) {
		n++
		row := make([]any, len(cells))
		for i, c := range cells {
			row[i] = text(c)
			if i == len(cells)-1 && n > 1 {
				if f, err := strconv.ParseFloat(c, 64); err == nil {
					row[i] = f
				}
			}
		}
		if err == nil {
			err = b.row(SheetFigures, n, row)
		}
	})
	if err != nil {
		return err
	}
	var filters []string
	for _, k := range slices.Sorted(maps.Keys(a.Filters)) {
		filters = append(filters, k+" = "+a.Filters[k])
	}
	var rounds []string
	for _, r := range a.Rounds {
		rounds = append(rounds, r.ID)
	}
	notes := [][]any{
		textRow("survey", d.ID+": "+d.Title),
		textRow("survey version", d.Version),
		textRow("exported", now.UTC().Format(time.RFC3339)),
		textRow("rounds", strings.Join(rounds, ", ")),
		textRow("filters", strings.Join(filters, "; ")),
		textRow("suppression", "No figure about fewer than "+strconv.Itoa(a.MinGroupSize)+" people is shown, nor any that would let one be worked out from what is shown: such cells are [c]."),
	}
	for _, note := range Notes(a.MinGroupSize, a.RoundedTo) {
		notes = append(notes, textRow("shorthand", note))
	}
	if err := b.rows(SheetNotes, notes); err != nil {
		return err
	}
	return b.finish()
}
