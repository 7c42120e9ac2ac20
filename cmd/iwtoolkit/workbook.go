package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"iwtoolkit/internal/config"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/workbook"
)

const workbookHelp = `Usage: iwtoolkit workbook --survey ID --out FILE.xlsx
       iwtoolkit workbook --template --out FILE.xlsx
       iwtoolkit workbook --example --out FILE.xlsx

Writes a survey of IWT_SURVEYS_DIR as an Excel workbook laid out as
XLSForm is (a survey sheet, a choices sheet, a settings sheet, translations
in label::Cymraeg (cy) columns, and sheets for rounds, scales, texts, help
contacts, tags and safeguarding words); or the blank template; or a short
filled example. iwtoolkit check FILE.xlsx checks a workbook.
docs/surveys.md, "Surveys in a spreadsheet", says how.
`

func writeWorkbook(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("workbook", workbookHelp, stdout)
	id := fs.String("survey", "", "the survey's id")
	out := fs.String("out", "", "the .xlsx file to write")
	template := fs.Bool("template", false, "write the blank template")
	example := fs.Bool("example", false, "write the filled example")
	if err := parse(fs, args); err != nil {
		return err
	}
	chosen := 0
	for _, b := range []bool{*id != "", *template, *example} {
		if b {
			chosen++
		}
	}
	if chosen != 1 || *out == "" || fs.NArg() > 0 {
		fmt.Fprint(stdout, workbookHelp)
		return errUsage
	}
	var data []byte
	var err error
	switch {
	case *template:
		data, err = workbook.Template()
	case *example:
		data, err = workbook.Example()
	default:
		cfg, cerr := config.Load(getenv)
		if cerr != nil {
			return cerr
		}
		c, lerr := loadSurveys(cfg.SurveysDir)
		if lerr != nil {
			return lerr
		}
		d, ok := c.Survey(*id)
		if !ok {
			ids := make([]string, 0, len(c.All()))
			for _, d := range c.All() {
				ids = append(ids, d.ID)
			}
			return fmt.Errorf("workbook: there is no survey %q in %s (there are: %s)", *id, cfg.SurveysDir, strings.Join(ids, ", "))
		}
		data, err = workbook.Write(d)
	}
	if err != nil {
		return err
	}
	// Written beside, then renamed: a failed write leaves no half a file.
	tmp := *out + ".part"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("workbook: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d bytes\n", *out, len(data))
	return nil
}

// isWorkbook reports whether check's argument names a workbook rather than
// survey files.
func isWorkbook(name string) bool { return strings.EqualFold(filepath.Ext(name), ".xlsx") }

// loadWorkbook reads a workbook as check does survey files: every problem,
// one a line, by cell.
func loadWorkbook(name string) (*survey.Catalogue, error) {
	data, err := readLimited(name, workbook.MaxFileSize)
	if err != nil {
		return nil, err
	}
	d, ps := workbook.Read(filepath.Base(name), data)
	if len(ps) > 0 {
		return nil, fmt.Errorf("the workbook %s has problems:\n%w", name, ps)
	}
	return survey.NewCatalogue(d), nil
}

// readLimited reads a file of at most limit bytes (and one more, for the
// reader to say it is too big) without reading a huge file whole.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("there is no file %s", name)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}
