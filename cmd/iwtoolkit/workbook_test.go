package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// iwtoolkit workbook writes a bundled survey, the template and the
// example; iwtoolkit check reads each back and says what is wrong, by cell.
func TestWorkbookCommands(t *testing.T) {
	dir := t.TempDir()
	e := env{"IWT_SURVEYS_DIR": "../../surveys"}
	run1 := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), args, e.getenv, &out, io.Discard)
		return out.String(), err
	}

	file := filepath.Join(dir, "young-people.xlsx")
	if out, err := run1("workbook", "--survey", "young-people", "--out", file); err != nil || !strings.Contains(out, "young-people.xlsx: ") {
		t.Fatalf("workbook: %v\n%s", err, out)
	}
	out, err := run1("check", file)
	if err != nil || !strings.Contains(out, "young-people.xlsx: Your say: being a young person where you live, version ") || !strings.Contains(out, "1 surveys, no problems") {
		t.Fatalf("check of a written workbook: %v\n%s", err, out)
	}
	for _, kind := range []string{"--example", "--template"} {
		name := filepath.Join(dir, kind[2:]+".xlsx")
		if _, err := run1("workbook", kind, "--out", name); err != nil {
			t.Fatalf("workbook %s: %v", kind, err)
		}
		_, err := run1("check", name)
		if (kind == "--example") != (err == nil) {
			t.Errorf("check of the %s: %v", kind, err)
		}
	}

	// The survey file a workbook makes is served as the survey it was.
	folder := t.TempDir()
	if out, err := run1("workbook", "--from", file, "--out", folder); err != nil || !strings.Contains(out, "young-people.yaml: ") {
		t.Fatalf("workbook --from: %v\n%s", err, out)
	}
	if out, err := run1("check", folder); err != nil || !strings.Contains(out, "young-people.yaml: Your say") {
		t.Errorf("check of the survey file made from a workbook: %v\n%s", err, out)
	}

	// A changed workbook: every problem, each by its cell, and exit 1.
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := f.GetRows("survey")
	for i, h := range header[0] {
		if h == "relevant" {
			cell, _ := excelize.CoordinatesToCellName(i+1, 3) // row 3: the first question
			f.SetCellStr("survey", cell, "${nothing} = 'x'")
		}
	}
	f.SetCellFormula("rounds", "B2", `"Autumn "&"2026"`)
	if err := f.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = run1("check", file)
	for _, want := range []string{
		"the workbook " + file + " has problems:\n",
		`survey sheet, row 3, column relevant: relevant: question "nothing" must be asked earlier in the survey`,
		`rounds sheet, row 2, column label: this cell has a formula (="Autumn "&"2026")`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("check of a broken workbook: %v\nwant it to say %s", err, want)
		}
	}
	if _, err := run1("workbook", "--from", file, "--out", folder); err == nil || !strings.Contains(err.Error(), "has problems, so no survey file is written:\nsurvey sheet, row 3") {
		t.Errorf("workbook --from a broken workbook: %v", err)
	}
	if _, err := run1("check", filepath.Join(dir, "missing.xlsx")); err == nil || !strings.Contains(err.Error(), "there is no file") {
		t.Errorf("check of a missing workbook: %v", err)
	}

	// Wrong use: no survey, two choices, an unknown survey.
	for _, args := range [][]string{{"workbook", "--out", file}, {"workbook", "--template", "--example", "--out", file}, {"workbook", "--survey", "children"}} {
		if _, err := run1(args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want usage", args, err)
		}
	}
	if _, err := run1("workbook", "--survey", "nosuch", "--out", file); err == nil || !strings.Contains(err.Error(), `there is no survey "nosuch"`) {
		t.Errorf("unknown survey: %v", err)
	}
	if _, err := os.Stat(file + ".part"); !os.IsNotExist(err) {
		t.Errorf("a .part file is left: %v", err)
	}
}

// check FILE.xlsx compares a workbook with the versions served, as it
// does a survey file: the same changes are warned about, by id (a
// workbook has no lines).
func TestCheckWorkbookWarnsAboutLiveChanges(t *testing.T) {
	e := sqliteEnv(t)
	e["IWT_SURVEYS_DIR"] = "testdata/live/before"
	start(t, e).stop() // serving records the version
	file := filepath.Join(t.TempDir(), "demo.xlsx")
	e["IWT_SURVEYS_DIR"] = "testdata/live/after"
	if err := run(context.Background(), []string{"workbook", "--survey", "demo", "--out", file}, e.getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"check", file}, e.getenv, &out, io.Discard); err != nil {
		t.Fatalf("check: %v", err)
	}
	for _, want := range []string{
		file + `: warning: "trained" was a yes-no question in version `,
		"1 surveys, no problems, 0 warnings in the files, 3 warnings about changes to live surveys",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output does not say %s:\n%s", want, out.String())
		}
	}
}
