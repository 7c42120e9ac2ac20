package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "3": "3", "=SUM(A1)": "'=SUM(A1)", "+1": "'+1", "-2": "'-2", "@x": "'@x",
		"\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b",
	} {
		if got := report.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	d := loadSurvey(t)
	each := func(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error {
		for i, text := range []string{"=HYPERLINK(\"x\")", "line one\nline \"two\""} {
			r := survey.Response{Reference: "R" + string(rune('A'+i)), Round: "baseline", Submitted: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
				Answers: map[string]string{"sector": "health", "caf-comment": text}}
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	if _, err := report.WriteCSV(context.Background(), &buf, d, d.Rounds, each); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\ufeff") {
		t.Fatal("no byte-order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := report.CSVColumns(d)
	if len(rows) != 3 || len(rows[0]) != len(cols) {
		t.Fatalf("got %d rows of %d columns, want 3 of %d", len(rows), len(rows[0]), len(cols))
	}
	at := map[string]int{}
	for i, c := range rows[0] {
		at[c] = i
	}
	if got := rows[1][at["sector"]]; got != "health" {
		t.Errorf("sector = %q", got)
	}
	if _, ok := at["caf-comment"]; ok {
		if got := rows[1][at["caf-comment"]]; got != "'=HYPERLINK(\"x\")" {
			t.Errorf("formula cell = %q", got)
		}
		if got := rows[2][at["caf-comment"]]; got != "line one\nline \"two\"" {
			t.Errorf("multi-line cell = %q", got)
		}
	}
	if got := rows[1][at["caf-2"]]; got != report.ValueNotAnswered {
		t.Errorf("caf-2, asked and left blank, is %q, want an empty cell", got)
	}
	if got := rows[1][at["leading-integrated-working-1"]]; got != report.ValueNotAsked {
		t.Errorf("the leaders' strand, not asked, is %q, want %q", got, report.ValueNotAsked)
	}
	if rows[1][2] != "2026-01-02T03:04:05Z" {
		t.Errorf("submitted = %q", rows[1][2])
	}
}

func loadSurvey(t *testing.T) *survey.Definition {
	t.Helper()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	return d
}

// TestAskedKeyMatchesStore: report reads the populations store counts.
func TestAskedKeyMatchesStore(t *testing.T) {
	if report.AskedKey != store.AskedKey || report.InvalidKey != store.InvalidKey {
		t.Error("report and store disagree on the key of who was asked what")
	}
}
