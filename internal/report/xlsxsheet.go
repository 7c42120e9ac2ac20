package report

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// excelize's StreamWriter keeps each sheet's XML in memory until it reaches
// 16 MB (StreamChunkSize, a constant) and holds that buffer until the file
// is written: two sheets of raw responses raised the service's memory by
// about 200 MB (docs/performance.md, "Exports on the running service").
// So the two sheets of responses are written here, straight into their
// zip entries as excelize writes the workbook, one pass over the responses
// each; excelize makes the rest (the workbook, styles, the small sheets).

// sheetZip is the zip writer excelize writes the workbook with: the
// entries named in sheets are written by their function, and what
// excelize writes to them (an empty sheet) is dropped.
type sheetZip struct {
	zw     *zip.Writer
	sheets map[string]func(io.Writer) error
	err    error // the first error of a sheet's function
}

func (z *sheetZip) Create(name string) (io.Writer, error) {
	w, err := z.zw.Create(name)
	if err != nil {
		return nil, err
	}
	fill, ok := z.sheets[name]
	if !ok {
		return w, nil
	}
	if err := fill(w); err != nil {
		z.err = err
		return nil, err
	}
	return io.Discard, nil
}

func (z *sheetZip) AddFS(fsys fs.FS) error { return z.zw.AddFS(fsys) }
func (z *sheetZip) Close() error           { return z.zw.Close() }

// sheetPath is where excelize keeps the n-th sheet (from 1) of a new file.
func sheetPath(n int) string { return "xl/worksheets/sheet" + strconv.Itoa(n) + ".xml" }

// sheetWriter writes a worksheet's XML a row at a time: strings inline (no
// shared-strings table to hold), numbers as numbers, times as dates (in
// the workbook's date style), and for a table the first row frozen and
// filtered.
type sheetWriter struct {
	w         *bufio.Writer
	cols      []string // column letters
	row       int
	dateStyle string
	table     bool // a header row over rows of data
}

func newSheetWriter(w io.Writer, columns, dateStyle int, table bool) *sheetWriter {
	s := &sheetWriter{w: bufio.NewWriterSize(w, 64<<10), cols: make([]string, columns), dateStyle: strconv.Itoa(dateStyle), table: table}
	for i := range s.cols {
		s.cols[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	s.w.WriteString(xml.Header + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	if table {
		s.w.WriteString(`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
	}
	s.w.WriteString(`<sheetData>`)
	return s
}

// excelEpoch is day 0 of Excel's dates (in its 1900 system, from March 1900).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// write adds a row of cells: nil (empty), a string, an int, a float64 or
// a time.Time.
func (s *sheetWriter) write(cells []any) error {
	s.row++
	n := strconv.Itoa(s.row)
	s.w.WriteString(`<row r="` + n + `">`)
	for i, c := range cells {
		if c == nil {
			continue
		}
		ref := s.cols[i] + n
		switch v := c.(type) {
		case string:
			s.w.WriteString(`<c r="` + ref + `" t="inlineStr"><is><t xml:space="preserve">`)
			if err := xml.EscapeText(s.w, []byte(v)); err != nil {
				return err
			}
			s.w.WriteString(`</t></is></c>`)
		case int:
			s.w.WriteString(`<c r="` + ref + `"><v>` + strconv.Itoa(v) + `</v></c>`)
		case float64:
			s.w.WriteString(`<c r="` + ref + `"><v>` + strconv.FormatFloat(v, 'g', -1, 64) + `</v></c>`)
		case time.Time:
			days := float64(v.UTC().Sub(excelEpoch)) / float64(24*time.Hour)
			s.w.WriteString(`<c r="` + ref + `" s="` + s.dateStyle + `"><v>` + strconv.FormatFloat(days, 'f', -1, 64) + `</v></c>`)
		default:
			return fmt.Errorf("report: a cell of type %T", c)
		}
	}
	_, err := s.w.WriteString(`</row>`)
	return err
}

// close ends the sheet; a table's with a filter on its header row over
// every row.
func (s *sheetWriter) close() error {
	s.w.WriteString(`</sheetData>`)
	if s.table {
		s.w.WriteString(`<autoFilter ref="A1:` + s.cols[len(s.cols)-1] + strconv.Itoa(max(s.row, 2)) + `"/>`)
	}
	s.w.WriteString(`</worksheet>`)
	return s.w.Flush()
}
