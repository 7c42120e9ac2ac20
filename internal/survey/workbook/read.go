package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"iwtoolkit/internal/survey"
)

// Read reads a workbook made by Write (or by hand in the same layout) into
// a survey definition, checked by the rules every survey file meets. It
// returns the definition, or nil and every problem found, each at its
// cell. name is the file's name, kept as the definition's File.
func Read(name string, data []byte) (*survey.Definition, Problems) {
	d, _, ps := read(name, data)
	return d, ps
}

// SurveyFile reads a workbook as Read does and returns the survey file
// (YAML) it makes, for keeping in the surveys folder: the service reads
// the file as the same survey, of the same version as the workbook.
func SurveyFile(data []byte) (id string, file []byte, ps Problems) {
	d, src, ps := read("", data)
	if d == nil {
		return "", nil, ps
	}
	return d.ID, src, nil
}

func read(name string, data []byte) (*survey.Definition, []byte, Problems) {
	f, ps := open(data)
	if f == nil {
		return nil, nil, ps
	}
	defer f.Close()
	r := &reader{f: f, problems: ps, broken: map[rowKey]bool{}}
	r.sheets()
	if r.fatal {
		return nil, nil, r.problems
	}
	src := r.survey()
	d, parsed := survey.Parse(r.id+".yaml", src.b.Bytes())
	for _, p := range parsed {
		r.parseProblem(src, p)
	}
	if len(r.problems) > 0 {
		return nil, nil, r.sorted()
	}
	for _, lang := range d.Languages {
		d.In(lang).File = name
	}
	return d, src.b.Bytes(), nil
}

// open checks that data is a workbook of a sensible size before anything
// is unpacked, then opens it.
func open(data []byte) (*excelize.File, Problems) {
	whole := func(format string, args ...any) Problems {
		return Problems{{Message: fmt.Sprintf(format, args...)}}
	}
	switch {
	case len(data) > MaxFileSize:
		return nil, whole("this file is %.1f MB: a survey workbook can be at most %d MB", float64(len(data))/(1<<20), MaxFileSize>>20)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, whole("this file is an Excel 97-2003 workbook (.xls) or has a password: save it from Excel as an Excel Workbook (.xlsx), without a password")
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, whole("this file is not an Excel workbook (.xlsx): save it from Excel as an Excel Workbook")
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, whole("this file is not an Excel workbook (.xlsx) that can be read: it is damaged (%v)", err)
	}
	if len(z.File) > MaxParts {
		return nil, whole("this workbook has %d parts inside it: a survey workbook has at most %d", len(z.File), MaxParts)
	}
	// The sizes a zip declares are what archive/zip holds each part to
	// while reading it, so adding them up bounds what opening unpacks.
	var size uint64
	for _, zf := range z.File {
		size += zf.UncompressedSize64
		if size > MaxUnzippedSize {
			return nil, whole("this workbook unpacks to more than %d MB: a survey workbook is far smaller, so it is refused (it may be a zip bomb)", MaxUnzippedSize>>20)
		}
	}
	if !slices.ContainsFunc(z.File, func(zf *zip.File) bool { return strings.EqualFold(zf.Name, "xl/workbook.xml") }) {
		return nil, whole("this file is a zip file but not an Excel workbook (.xlsx): save it from Excel as an Excel Workbook")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzippedSize, UnzipXMLSizeLimit: MaxUnzippedSize})
	if err != nil {
		return nil, whole("this file is not an Excel workbook (.xlsx) that can be read: it is damaged, or it is another kind of file (%v)", err)
	}
	return f, nil
}

// rowKey names one row of one sheet.
type rowKey struct {
	sheet string
	row   int
}

// row is one row of a sheet: its values by canonical column (label for
// English, label::cy for Welsh), and the headers as the sheet writes them.
type row struct {
	sheet   string
	n       int
	values  map[string]string
	headers map[string]string
}

func (r row) get(col string) string { return r.values[col] }

// id is a value that is a name or a choice from a list: spaces around it
// are not meant.
func (r row) id(col string) string { return strings.TrimSpace(r.values[col]) }

// at is the cell of a column of this row, named by its header.
func (r row) at(col string) cell {
	h, ok := r.headers[col]
	if !ok {
		base, lang, _ := strings.Cut(col, "::")
		h = base
		if lang != "" {
			h = languageHeader(base, lang)
		}
	}
	return cell{r.sheet, r.n, h}
}

// empty reports whether every cell of the row is blank.
func (r row) empty() bool {
	for _, v := range r.values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// cell is where a problem is: sheet, row and column header.
type cell struct {
	sheet  string
	row    int
	column string
}

type reader struct {
	f        *excelize.File
	problems Problems
	fatal    bool // a problem that leaves nothing worth checking further
	rows     map[string][]row
	langs    []string
	id       string
	broken   map[rowKey]bool // rows with a problem of their own: what Parse says of them follows from it
	damaged  bool            // a sheet could not be read: what is missing from it is not reported
}

func (r *reader) problem(c cell, format string, args ...any) {
	r.problems = append(r.problems, Problem{Sheet: c.sheet, Row: c.row, Column: c.column, Message: fmt.Sprintf(format, args...)})
}

// breaks reports a problem that leaves the row's question or answer not
// what was meant: what the rules say of the row then is left unsaid.
func (r *reader) breaks(c cell, format string, args ...any) {
	r.problem(c, format, args...)
	r.broken[rowKey{c.sheet, c.row}] = true
}

// sheets reads every sheet into rows, refusing what is not this layout:
// unknown sheets and columns, formulas, too many rows.
func (r *reader) sheets() {
	r.rows = map[string][]row{}
	r.langs = []string{"en"}
	names := make([]string, len(layout))
	for i, s := range layout {
		names[i] = s.name
	}
	present := map[string]bool{}
	for _, name := range r.f.GetSheetList() {
		if name == sheetReadMe {
			continue
		}
		s, ok := sheetOf(name)
		if !ok {
			if m, ok := nearest(name, names); ok {
				r.problem(cell{sheet: name}, "this sheet is not one the toolkit reads: did you mean %s?", m)
			} else {
				r.problem(cell{sheet: name}, "this sheet is not one the toolkit reads (%s): delete it, or move what it holds to one of them", strings.Join(names, ", "))
			}
			continue
		}
		present[name] = true
		r.sheet(s)
	}
	if !present[sheetSurvey] || !present[sheetSettings] {
		r.problems = append(r.problems, Problem{Message: "this workbook has no survey sheet or no settings sheet: it is not a survey workbook (start from the template, or from a survey downloaded from the toolkit)"})
		r.fatal = true
	}
}

func (r *reader) sheet(s sheet) {
	it, err := r.f.Rows(s.name)
	if err != nil {
		r.problem(cell{sheet: s.name}, "this sheet cannot be read: %v", err)
		return
	}
	defer it.Close()
	var header []string
	var cols []string // canonical column of each header, "" for a bad one
	n := 0
	for it.Next() {
		n++
		if n > MaxRows {
			r.problem(cell{sheet: s.name}, "this sheet has more than %d rows: a survey workbook has far fewer", MaxRows)
			break
		}
		values, err := it.Columns(excelize.Options{RawCellValue: true}) // 10, not 10.00 under a number format
		if err != nil {
			r.problem(cell{sheet: s.name, row: n}, "this row cannot be read: %v", err)
			continue
		}
		if len(values) > MaxColumns {
			r.problem(cell{sheet: s.name, row: n}, "this row has more than %d columns: a survey workbook has far fewer", MaxColumns)
			values = values[:MaxColumns]
		}
		if !r.formulas(s.name, n, len(values), header) {
			// The sheet's XML cannot be read whole (its rows may be read
			// one by one): excelize would try again for every cell.
			r.problem(cell{sheet: s.name}, "this sheet is damaged: open the workbook in Excel and save it again")
			r.damaged = true
			return
		}
		if n == 1 {
			header = values
			cols = r.columns(s, header)
			for _, need := range needed[s.name] {
				if !slices.Contains(cols, need) {
					r.problem(cell{sheet: s.name}, "there is no %s column: row 1 names each column (%s)", need, strings.Join(needed[s.name], ", ")+", …")
					return // its rows would mean nothing
				}
			}
			continue
		}
		rw := row{sheet: s.name, n: n, values: map[string]string{}, headers: map[string]string{}}
		for i, v := range values {
			switch {
			case v == "":
			case i >= len(cols):
				name, _ := excelize.ColumnNumberToName(i + 1)
				r.problem(cell{s.name, n, name}, "this cell is in a column without a name in row 1: give the column a name, or move what it holds")
			case cols[i] != "":
				rw.values[cols[i]] = v
			}
		}
		for i, c := range cols {
			if c != "" {
				rw.headers[c] = strings.TrimSpace(header[i])
			}
		}
		r.rows[s.name] = append(r.rows[s.name], rw)
	}
	if err := it.Error(); err != nil {
		r.problem(cell{sheet: s.name}, "this sheet cannot be read: %v", err)
	}
}

// needed are the columns without which a sheet's rows mean nothing.
var needed = map[string][]string{
	sheetSurvey: {"type", "name", "label"}, sheetChoices: {"list_name", "name", "label"}, sheetSettings: {"form_id"},
	sheetTexts: {"name", "text"}, sheetRounds: {"id", "label"}, sheetScales: {"name"}, sheetContacts: {"name"},
	sheetTags: {"section", "kind", "tag"}, sheetWords: {"word"}, sheetIndicators: {"name", "type", "label"},
}

// formulas refuses a formula in any cell of a row: a survey is values, and
// a formula's result depends on what Excel worked out when it last saved.
// It reports false if the sheet cannot be read for formulas.
func (r *reader) formulas(sheet string, n, width int, header []string) bool {
	for c := 1; c <= width; c++ {
		ref, _ := excelize.CoordinatesToCellName(c, n)
		formula, err := r.f.GetCellFormula(sheet, ref)
		if err != nil {
			return false
		}
		if formula != "" {
			col := ref
			if n > 1 && c <= len(header) && strings.TrimSpace(header[c-1]) != "" {
				col = strings.TrimSpace(header[c-1])
			}
			r.problem(cell{sheet, n, col}, "this cell has a formula (=%s): write the value itself (copy the cell, then paste it as values)", formula)
		}
	}
	return true
}

// columns reads a sheet's header row into canonical column names, and
// reports unknown, misspelt and repeated columns.
func (r *reader) columns(s sheet, header []string) []string {
	known := make([]string, len(s.columns))
	for i, c := range s.columns {
		known[i] = c.name
	}
	cols := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		letter, _ := excelize.ColumnNumberToName(i + 1)
		at := cell{s.name, 1, letter}
		base, lang, translated := strings.Cut(h, "::")
		base = strings.ToLower(strings.TrimSpace(base))
		j := slices.Index(known, base)
		if j < 0 {
			if m, ok := nearest(base, known); ok {
				r.problem(at, "column %q is not one this sheet has: did you mean %s?", h, m)
			} else {
				r.problem(at, "column %q is not one this sheet has (%s)", h, strings.Join(known, ", "))
			}
			continue
		}
		key := base
		if translated {
			code, ok := languageCode(lang)
			switch {
			case !s.columns[j].translated:
				r.problem(at, "column %s is the same in every language: name it %s, without ::", h, base)
				continue
			case !ok:
				r.problem(at, "column %q: %q is not a language the service speaks (%s): write it as %s", h, strings.TrimSpace(lang), languageNames(), languageHeader(base, "cy"))
				continue
			case code != "en":
				key = base + "::" + code
				if !slices.Contains(r.langs, code) {
					r.langs = append(r.langs, code)
				}
			}
		}
		if seen[key] {
			r.problem(at, "column %s is in this sheet twice: keep one", h)
			continue
		}
		seen[key] = true
		cols[i] = key
	}
	return cols
}

// languageCode reads the language of a column header: Cymraeg (cy), or cy.
func languageCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "("); i >= 0 && strings.HasSuffix(s, ")") {
		s = s[i+1 : len(s)-1]
	}
	s = strings.ToLower(strings.TrimSpace(s))
	for _, l := range survey.Languages {
		if l.Value == s || strings.EqualFold(l.Label, s) {
			return l.Value, true
		}
	}
	return "", false
}

func languageNames() string {
	names := make([]string, len(survey.Languages))
	for i, l := range survey.Languages {
		names[i] = l.Label + " (" + l.Value + ")"
	}
	return strings.Join(names, ", ")
}

// yesNo reads a yes or no column: yes, true or 1; blank, no, false or 0.
func (r *reader) yesNo(rw row, col string) bool {
	switch strings.ToLower(rw.id(col)) {
	case "yes", "y", "true", "1":
		return true
	case "", "no", "n", "false", "0":
		return false
	}
	r.problem(rw.at(col), "%q: write yes, or leave it blank for no", rw.get(col))
	return false
}

// whole reads a whole-number column; ok is false when it is blank or not a
// number (reported).
func (r *reader) whole(rw row, col string) (n int, ok bool) {
	v := rw.id(col)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.problem(rw.at(col), "%q is not a whole number", v)
		return 0, false
	}
	return n, true
}

// sorted is the problems in the order of the workbook's sheets and rows,
// each once.
func (r *reader) sorted() Problems {
	order := func(s string) int {
		i := slices.IndexFunc(layout, func(l sheet) bool { return l.name == s })
		if s == "" {
			return -1
		}
		if i < 0 {
			return len(layout)
		}
		return i
	}
	ps := slices.Clone(r.problems)
	sort.SliceStable(ps, func(i, j int) bool {
		if a, b := order(ps[i].Sheet), order(ps[j].Sheet); a != b {
			return a < b
		}
		return ps[i].Row < ps[j].Row
	})
	return slices.Compact(ps)
}

// fileName is the survey's id as a file name survey.Parse accepts: an id
// with a slash in it would lose its folder there, so it is refused here.
func fileName(id string) (string, bool) {
	if id == "" || strings.ContainsAny(id, `/\`) || path.Clean(id) != id {
		return "survey", false
	}
	return id, true
}
