package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"strconv"
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

// WriteCSV streams a survey's raw responses as CSV: UTF-8 with a
// byte-order mark so that Excel reads it as UTF-8, one row per response,
// one column per answer key. Rows are written
// as they are read, so memory does not grow with the number of responses.
// A cell that a spreadsheet would take as a formula is prefixed with a
// single quote. rounds are all the survey's rounds (Codebook).
func WriteCSV(ctx context.Context, w io.Writer, d *survey.Definition, rounds []survey.Round, each EachResponse) (Found, error) {
	return writeCSV(ctx, w, d, rounds, each, false)
}

// WriteCSVOneLine is WriteCSV with every line break inside an answer
// written as " / ", so that each response is one line: what SPSS's and
// PSPP's GET DATA need (neither reads a line break inside quotes), and
// what the SPSS syntax (WriteSPSSSyntax) reads.
func WriteCSVOneLine(ctx context.Context, w io.Writer, d *survey.Definition, rounds []survey.Round, each EachResponse) (Found, error) {
	return writeCSV(ctx, w, d, rounds, each, true)
}

func writeCSV(ctx context.Context, w io.Writer, d *survey.Definition, rounds []survey.Round, each EachResponse, oneLine bool) (Found, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return Found{}, err
	}
	cw := csv.NewWriter(bw)
	cols := CSVColumns(d)
	if err := cw.Write(cols); err != nil {
		return Found{}, err
	}
	found, err := EachRow(ctx, d, rounds, each, func(row []string) error {
		for i, c := range row {
			if oneLine && strings.ContainsAny(c, "\r\n") {
				c = lineBreaks.Replace(c)
			}
			row[i] = SafeCell(c)
		}
		return cw.Write(row)
	})
	if err != nil {
		return found, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return found, err
	}
	return found, bw.Flush()
}

// Found is what an export found on reading the responses that it did not
// export as stored: per column (answer key), how many stored answers were
// not one of the question's values. Each such cell holds ValueInvalid
// (CodeInvalid), never the answer.
type Found struct {
	Invalid map[string]int
}

// Total is the number of answers found invalid.
func (f Found) Total() int {
	n := 0
	for _, c := range f.Invalid {
		n += c
	}
	return n
}

// Keys are the columns with invalid answers, sorted.
func (f Found) Keys() []string { return sortedKeys(f.Invalid) }

// Note says in words what was found, for an export's notes; "" when
// nothing was.
func (f Found) Note() string {
	if f.Total() == 0 {
		return ""
	}
	return strconv.Itoa(f.Total()) + " stored answer(s) were not one of their question's values, in " + strings.Join(f.Keys(), ", ") +
		": they are exported as " + ValueInvalid + " (code " + strconv.Itoa(CodeInvalid) + "), not as given, and counted nowhere. The store needs checking (iwtoolkit recount)."
}

// EachRow is the one row source of the raw-responses exports (CSV, Excel):
// it streams the responses, oldest first, and calls fn with each one's
// values, one per column of CSVColumns, unguarded: an answer as stored, a
// question asked and left blank empty, one not asked ValueNotAsked, and an
// answer that is not one of its question's values ValueInvalid, counted
// in what it returns. The slice is reused from one call to the next, so
// memory does not grow with the number of responses; fn may change it.
func EachRow(ctx context.Context, d *survey.Definition, rounds []survey.Round, each EachResponse, fn func(row []string) error) (Found, error) {
	vars := Codebook(d, rounds)
	row := make([]string, len(vars))
	found := Found{Invalid: map[string]int{}}
	err := each(ctx, d.ID, nil, func(r survey.Response) error {
		row[0], row[1], row[2] = r.Reference, r.Round, r.Submitted.UTC().Format("2006-01-02T15:04:05Z")
		for i := 3; i < len(vars); i++ {
			v := &vars[i]
			raw := r.Answers[v.Key]
			switch {
			case raw == "" && !v.asked(r.Answers):
				raw = ValueNotAsked
			case raw != "" && !v.valid(raw):
				raw = ValueInvalid
				found.Invalid[v.Key]++
			}
			row[i] = raw
		}
		return fn(row)
	})
	return found, err
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
