package report

import (
	"archive/zip"
	"context"
	"errors"
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
	SheetData     = "Data"         // raw responses: one row each, answers as their labels
	SheetCodes    = "Codes"        // the same rows, answers as their codes
	SheetCodebook = "Codebook"     // every column: wording, type, codes and labels, rounds
	SheetNotes    = "Notes"        // survey version, suppression rule, shorthand
	SheetFigures  = "Figures"      // aggregates, as in aggregates.csv
	SheetCPD      = "CPD planning" // demand indicators: options ranked by share, by group
)

// CPDColumns are the columns of the CPD planning sheet.
var CPDColumns = []string{"indicator", "question", "question text", "group", "rank", "answer", "answer label", "round", "chosen", "asked", "share"}

// workbook is an Excel file written sheet by sheet with excelize's
// StreamWriter, and then straight into w: excelize's own WriteTo builds
// the whole file in memory first, so its zip writer is swapped for one on
// w (SetZipWriter) and the empty buffer it leaves is thrown away.
type workbook struct {
	f      *excelize.File
	w      io.Writer
	sheets map[string]*excelize.StreamWriter
}

// newWorkbook makes a workbook of the given sheets, in the order given,
// each with a StreamWriter but those named in own, which are left to the
// caller (sheetZip): the n-th sheet made is at sheetPath(n).
func newWorkbook(w io.Writer, own []string, sheets ...string) (*workbook, error) {
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
		if slices.Contains(own, name) {
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

// WriteResponsesXLSX streams a survey's raw responses as an Excel
// workbook: the Data sheet with each answer's label, the Codes sheet with
// its code (the codebook's, the same as SPSS's), the Codebook sheet and the
// Notes sheet, which says what the export found (Found). Each data sheet
// is written in one pass over the responses (EachRow), straight into the
// file (xlsxsheet.go), so memory does not grow with the number of
// responses; excelize's StreamWriter writes the Codebook. Text cells are
// guarded against formulas as in the CSV; the header rows are frozen and
// filtered, and the time sent is a date.
//
// Notes is made first, so that it is the first sheet's file (sheetPath)
// and written last (excelize writes a workbook's parts in reverse order
// of their paths), after the data sheets have found what they found; it
// is then moved after the others. Should a later excelize write it
// earlier, the export fails rather than leave the notes short.
func WriteResponsesXLSX(ctx context.Context, w io.Writer, d *survey.Definition, rounds []survey.Round, each EachResponse, now time.Time) (Found, error) {
	b, err := newWorkbook(w, []string{SheetNotes, SheetData, SheetCodes}, SheetNotes, SheetData, SheetCodes, SheetCodebook)
	if err != nil {
		return Found{}, err
	}
	defer b.f.Close()
	for _, name := range []string{SheetData, SheetCodes, SheetCodebook} {
		if err := b.f.MoveSheet(name, SheetNotes); err != nil {
			return Found{}, err
		}
	}
	b.f.SetActiveSheet(0)
	dateStyle, err := b.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	if err != nil {
		return Found{}, err
	}
	vars := Codebook(d, rounds)
	header := make([]any, len(vars))
	for i, v := range vars {
		header[i] = text(v.Key)
	}
	var found Found
	passes := 0
	// sheet writes one sheet of responses, a cell from each raw answer.
	sheet := func(cell func(v *Variable, raw string) any) func(io.Writer) error {
		return func(w io.Writer) error {
			sw := newSheetWriter(w, len(vars), dateStyle, true)
			if err := sw.write(header); err != nil {
				return err
			}
			cells := make([]any, len(vars))
			f, err := EachRow(ctx, d, rounds, each, func(row []string) error {
				for i, raw := range row {
					cells[i] = cell(&vars[i], raw)
				}
				if t, err := time.Parse(time.RFC3339, row[2]); err == nil {
					cells[2] = t
				}
				return sw.write(cells)
			})
			if err != nil {
				return err
			}
			found, passes = f, passes+1
			return sw.close()
		}
	}
	notes := func(w io.Writer) error {
		if passes != 2 {
			return errors.New("report: the Notes sheet was written before the data sheets")
		}
		rows := [][]any{
			textRow("survey", d.ID+": "+d.Title),
			textRow("survey version", d.Version),
			{text("exported"), now.UTC()},
			textRow("rounds", roundsText(rounds)),
			textRow("sheets", SheetData+": one row per response, answers as their labels. "+SheetCodes+": the same rows, answers as their codes. "+SheetCodebook+": what each column is, and every code with its label."),
			textRow("missing-value codes", missingText()),
			textRow("suppression", "These are raw responses, not suppressed: personal data, for the roles that may see them. Figures published from them hide any group of fewer than "+strconv.Itoa(d.GroupSize())+" people (the survey's minimum group size), and any that would let one be worked out."),
			textRow("formulas", "A text answer that starts with = + - @, a tab or a carriage return is shown with a ' in front, so that it cannot run as a formula."),
		}
		if note := found.Note(); note != "" {
			rows = append(rows, textRow("answers not valid", note))
		}
		for _, note := range Notes(d.GroupSize(), d.RoundCountsTo) {
			rows = append(rows, textRow("shorthand in figures", note))
		}
		sw := newSheetWriter(w, 2, dateStyle, false)
		for _, r := range rows {
			if err := sw.write(r); err != nil {
				return err
			}
		}
		return sw.close()
	}
	own := map[string]func(io.Writer) error{
		sheetPath(1): notes,
		sheetPath(2): sheet(func(v *Variable, raw string) any { label, _ := cellsOf(v, raw); return label }),
		sheetPath(3): sheet(func(v *Variable, raw string) any { _, code := cellsOf(v, raw); return code }),
	}
	book := [][]any{textRow(CodebookColumns...)}
	for _, r := range CodebookRows(d, rounds) {
		row := textRow(r...)
		if code, err := strconv.Atoi(r[codeColumn]); err == nil {
			row[codeColumn] = code
		}
		book = append(book, row)
	}
	if err := b.header(SheetCodebook, 1); err != nil {
		return Found{}, err
	}
	if err := b.rows(SheetCodebook, book); err != nil {
		return Found{}, err
	}
	if err := b.filter(SheetCodebook, len(CodebookColumns), len(book)); err != nil {
		return Found{}, err
	}
	return found, b.finishWith(own)
}

// dateFormat is how dates show in the workbooks: ISO 8601, as in the CSV.
var dateFormat = "yyyy-mm-dd hh:mm:ss"

// missingText explains the missing-value codes, for the notes.
func missingText() string {
	return strconv.Itoa(CodeDontKnow) + " Don't know, " + strconv.Itoa(CodeNotApplicable) + " Not applicable, " +
		strconv.Itoa(CodePreferNotToSay) + " Prefer not to say (answers given); an empty cell is a question asked and not answered (" +
		strconv.Itoa(CodeNotAnswered) + " in SPSS), " + ValueNotAsked + " (" + strconv.Itoa(CodeNotAsked) + ") a question not asked (its condition did not hold), " +
		ValueInvalid + " (" + strconv.Itoa(CodeInvalid) + ") a stored answer that is not one of its question's values, which is not exported."
}

// cellsOf is a raw answer as a Data cell (its label) and a Codes cell
// (its code). Numbers are numbers in both; text is guarded.
func cellsOf(v *Variable, raw string) (label, code any) {
	if raw == "" {
		return nil, nil
	}
	if x, ok := v.Lookup(raw); ok {
		if !v.Numeric() {
			return text(x.Label), text(raw) // text's own: not asked
		}
		return text(x.Label), x.Code
	}
	if v.spec().Number {
		if f, err := strconv.ParseFloat(raw, 64); err == nil {
			return f, f
		}
	}
	return text(v.Readable(raw)), text(raw)
}

func roundsText(rounds []survey.Round) string {
	ids := make([]string, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
	}
	return strings.Join(ids, ", ")
}

// FiguresColumns are the columns of the Figures sheet: those of
// aggregates.csv, each id with its label beside it.
var FiguresColumns = []string{"round", "round label", "strand", "strand title", "statement", "statement text", "measure", "measure label", "value"}

// WriteAggregatesXLSX writes aggregates as an Excel workbook: the Figures
// sheet has the rows of aggregates.csv (AggregateRows), each id with its
// label beside it (FiguresColumns), a figure as a number, a time as a
// date and a hidden figure as [c], under a frozen header row with a
// filter; the Notes sheet has the survey version, the suppression rule
// and the shorthand.
func WriteAggregatesXLSX(w io.Writer, a Aggregates, d *survey.Definition, now time.Time) error {
	sheets := []string{SheetFigures, SheetNotes}
	cpd := slices.ContainsFunc(a.Indicators, func(in AggregateIndicator) bool { return len(in.Demand) > 0 })
	if cpd {
		sheets = []string{SheetFigures, SheetCPD, SheetNotes}
	}
	b, err := newWorkbook(w, nil, sheets...)
	if err != nil {
		return err
	}
	defer b.f.Close()
	dateStyle, err := b.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat})
	if err != nil {
		return err
	}
	if err := b.header(SheetFigures, 1); err != nil {
		return err
	}
	label := figureLabels(a, d)
	n := 0
	AggregateRows(a, func(cells ...string) {
		n++
		if n == 1 {
			if err == nil {
				err = b.row(SheetFigures, n, textRow(FiguresColumns...))
			}
			return
		}
		round, strand, statement, measure, value := cells[0], cells[1], cells[2], cells[3], cells[4]
		row := textRow(round, label.round(round), strand, label.strands[strand], statement, label.statements[statement], measure, label.measure(statement, measure), value)
		if f, perr := strconv.ParseFloat(value, 64); perr == nil {
			row[8] = f
		} else if t, perr := time.Parse(time.RFC3339, value); perr == nil {
			row[8] = excelize.Cell{StyleID: dateStyle, Value: t}
		}
		if err == nil {
			err = b.row(SheetFigures, n, row)
		}
	})
	if err != nil {
		return err
	}
	if err := b.filter(SheetFigures, len(FiguresColumns), n); err != nil {
		return err
	}
	if cpd {
		if err := b.cpdSheet(a); err != nil {
			return err
		}
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
		{text("exported"), excelize.Cell{StyleID: dateStyle, Value: now.UTC()}},
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

// header freezes a sheet's first n rows; call it before writing them.
func (b *workbook) header(sheet string, n int) error {
	return b.sheets[sheet].SetPanes(&excelize.Panes{Freeze: true, YSplit: n, TopLeftCell: "A" + strconv.Itoa(n+1), ActivePane: "bottomLeft"})
}

// filter puts a filter on a sheet's header row, over its columns and
// rows; call it after writing them, before finish.
func (b *workbook) filter(sheet string, columns, rows int) error {
	last, err := excelize.CoordinatesToCellName(columns, max(rows, 2))
	if err != nil {
		return err
	}
	return b.f.AutoFilter(sheet, "A1:"+last, nil)
}

// labels are the words beside the ids of the Figures sheet.
type labels struct {
	rounds, strands, statements map[string]string
	values                      map[string]*Variable         // statement id: its codes
	answers                     map[string]map[string]string // question id: its rows' labels, by value
}

func figureLabels(a Aggregates, d *survey.Definition) labels {
	l := labels{rounds: map[string]string{}, strands: map[string]string{}, statements: map[string]string{}, values: map[string]*Variable{}}
	var rounds []survey.Round
	for _, r := range a.Rounds {
		l.rounds[r.ID] = r.Label
		rounds = append(rounds, survey.Round{ID: r.ID, Label: r.Label})
	}
	for _, s := range a.Strands {
		l.strands[s.ID] = s.Title
		for _, st := range s.Statements {
			l.statements[st.ID] = st.Text
		}
	}
	l.answers = map[string]map[string]string{}
	for _, q := range a.Questions {
		if _, ok := l.strands[q.Section]; !ok {
			if _, s, ok := d.Question(q.ID); ok {
				l.strands[q.Section] = s.Title
			}
		}
		l.statements[q.ID] = q.Text
		l.answers[q.ID] = map[string]string{}
		for _, v := range q.Values {
			l.answers[q.ID][v.Value] = v.Label
		}
	}
	vars := Codebook(d, rounds)
	for i := range vars {
		l.values[vars[i].Key] = &vars[i]
	}
	return l
}

// round labels a round, or a change "from to" between two.
func (l labels) round(id string) string {
	if label, ok := l.rounds[id]; ok {
		return label
	}
	if from, to, ok := strings.Cut(id, " to "); ok && l.rounds[from] != "" && l.rounds[to] != "" {
		return "From " + l.rounds[from] + " to " + l.rounds[to]
	}
	if id == "notes" {
		return "Notes"
	}
	return ""
}

// measureLabels say what each measure of AggregateRows is.
var measureLabels = map[string]string{
	"figures_as_of":    "Figures as of",
	"responses":        "Responses",
	"scored":           "Ratings on the scale",
	"mean":             "Mean",
	"median":           "Median",
	"change":           "Change in the mean",
	"ci95_low":         "95% interval of the change: low",
	"ci95_high":        "95% interval of the change: high",
	"mann_whitney_p":   "Mann-Whitney test: p",
	"more_than_chance": "More than chance",
	"base":             "People asked (multiple choice) or who answered: what shares are of",
	"lower_quartile":   "Lower quartile",
	"upper_quartile":   "Upper quartile",
}

// measure labels a measure; a count by its answer's label.
func (l labels) measure(statement, m string) string {
	if value, ok := strings.CutPrefix(m, "count:"); ok {
		if label, ok := l.answers[statement][value]; ok {
			return "Count: " + label
		}
		label := value
		if v := l.values[statement]; v != nil {
			if x, ok := v.Lookup(value); ok {
				label = x.Label
				if x.Code > 0 && x.Label != value {
					label = value + " " + x.Label
				}
			}
		}
		return "Count: " + label
	}
	return measureLabels[m]
}

// cpdSheet writes the CPD planning sheet: for each demand indicator's
// question, each group and round, its options in order of demand with
// how many chose each, how many were asked and the share; a hidden count
// is [c], under a frozen header with a filter.
func (b *workbook) cpdSheet(a Aggregates) error {
	if err := b.header(SheetCPD, 1); err != nil {
		return err
	}
	n := 1
	if err := b.row(SheetCPD, n, textRow(CPDColumns...)); err != nil {
		return err
	}
	for _, in := range a.Indicators {
		for _, dq := range in.Demand {
			for _, g := range dq.Groups {
				for i, r := range a.Rounds {
					x := g.Rounds[i]
					for rank, v := range dq.Ranked {
						var chosen, asked, share any = Confidential, Confidential, Confidential
						if x != nil {
							asked = x.Base
							if c := x.Counts[v.Value]; c != nil {
								chosen = *c
								if x.Base > 0 {
									share = float64(*c) / float64(x.Base)
								}
							}
						}
						label := g.Label
						if f := FilterName(g.Filter); f != "" {
							label += " (" + f + ")"
						}
						row := append(textRow(in.Title, dq.ID, dq.Text, label), rank+1)
						row = append(row, textRow(v.Value, v.Label, r.Label)...)
						row = append(row, chosen, asked, share)
						n++
						if err := b.row(SheetCPD, n, row); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return b.filter(SheetCPD, len(CPDColumns), n)
}
