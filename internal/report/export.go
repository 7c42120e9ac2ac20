package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"strings"

	"iwtoolkit/internal/survey"
)

// CSVColumns are the column names of the raw-responses export: the
// response's reference, round and submission time, then every answer key
// in definition order. They depend only on the definition, so they stay
// the same from one export to the next.
func CSVColumns(d *survey.Definition) []string {
	cols := []string{"reference", "round", "submitted"}
	for _, s := range d.Sections {
		for _, q := range s.Questions {
			cols = append(cols, q.Keys()...)
		}
	}
	return cols
}

// WriteCSV streams a survey's raw responses in the given rounds as CSV:
// UTF-8 with a byte-order mark so that Excel reads it as UTF-8, one row per
// response, one column per answer key. Rows are written as they are read,
// so memory does not grow with the number of responses. A cell that a
// spreadsheet would take as a formula is prefixed with a single quote.
func WriteCSV(ctx context.Context, w io.Writer, d *survey.Definition, rounds []string, each EachResponse) error {
	return writeCSV(ctx, w, d, rounds, each, false)
}

// WriteCSVOneLine is WriteCSV with every line break inside an answer
// written as " / ", so that each response is one line: what SPSS's and
// PSPP's GET DATA need (neither reads a line break inside quotes), and
// what the SPSS syntax (WriteSPSSSyntax) reads.
func WriteCSVOneLine(ctx context.Context, w io.Writer, d *survey.Definition, rounds []string, each EachResponse) error {
	return writeCSV(ctx, w, d, rounds, each, true)
}

func writeCSV(ctx context.Context, w io.Writer, d *survey.Definition, rounds []string, each EachResponse, oneLine bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cols := CSVColumns(d)
	if err := cw.Write(cols); err != nil {
		return err
	}
	err := EachRow(ctx, d, rounds, each, func(row []string) error {
		for i, c := range row {
			if oneLine && strings.ContainsAny(c, "\r\n") {
				c = lineBreaks.Replace(c)
			}
			row[i] = SafeCell(c)
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// EachRow is the one row source of the raw-responses exports (CSV, Excel):
// it streams the responses in the given rounds, oldest first, and calls fn
// with each one's raw values, one per column of CSVColumns, unguarded. The
// slice is reused from one call to the next, so memory does not grow with
// the number of responses; fn may change it.
func EachRow(ctx context.Context, d *survey.Definition, rounds []string, each EachResponse, fn func(row []string) error) error {
	cols := CSVColumns(d)
	row := make([]string, len(cols))
	return each(ctx, d.ID, rounds, func(r survey.Response) error {
		row[0], row[1], row[2] = r.Reference, r.Round, r.Submitted.UTC().Format("2006-01-02T15:04:05Z")
		for i, k := range cols[3:] {
			row[3+i] = r.Answers[k]
		}
		return fn(row)
	})
}

var lineBreaks = strings.NewReplacer("\r\n", " / ", "\n", " / ", "\r", " / ")

// SafeCell guards a cell against formula injection: text starting with
// = + - @, a tab or a carriage return is prefixed with a single quote, so
// that a spreadsheet shows it as text instead of running it.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
