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
       iwtoolkit workbook --from FILE.xlsx --out FOLDER

Writes a survey of IWT_SURVEYS_DIR as an Excel workbook laid out as
XLSForm is (a survey sheet, a choices sheet, a settings sheet, translations
in label::Cymraeg (cy) columns, and sheets for rounds, scales, texts, help
contacts, tags and safeguarding words); or the blank template; or a short
filled example. With --from, checks a workbook and, if it has no problems,
writes the survey file it makes (ID.yaml, ID its form_id) into FOLDER, for
the service to serve; with problems, lists them by cell and writes nothing.
iwtoolkit check FILE.xlsx checks a workbook only. --survey writes the
survey as its file has it: the live version, if it was published on the
staff pages, downloads from the survey's versions page
(/staff/surveys/ID/versions).
docs/surveys.md, "Surveys in a spreadsheet", says how.
`

func writeWorkbook(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("workbook", workbookHelp, stdout)
	id := fs.String("survey", "", "the survey's id")
	out := fs.String("out", "", "the .xlsx file to write")
	template := fs.Bool("template", false, "write the blank template")
	example := fs.Bool("example", false, "write the filled example")
	from := fs.String("from", "", "a workbook to make a survey file of")
	if err := parse(fs, args); err != nil {
		return err
	}
	chosen := 0
	for _, b := range []bool{*id != "", *template, *example, *from != ""} {
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
	case *from != "":
		return surveyFile(*from, *out, stdout)
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
	return writeWhole(*out, data, stdout)
}

// writeWhole writes a file beside, then renames it: a failed write leaves
// no half a file.
func writeWhole(name string, data []byte, stdout io.Writer) error {
	tmp := name + ".part"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("workbook: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("workbook: %w", err)
	}
	fmt.Fprintf(stdout, "%s: %d bytes\n", name, len(data))
	return nil
}

// surveyFile writes the survey file a workbook makes into a folder.
func surveyFile(from, folder string, stdout io.Writer) error {
	data, err := readLimited(from, workbook.MaxFileSize)
	if err != nil {
		return err
	}
	id, file, ps := workbook.SurveyFile(data)
	if len(ps) > 0 {
		return fmt.Errorf("the workbook %s has problems, so no survey file is written:\n%w", from, ps)
	}
	if fi, err := os.Stat(folder); err != nil || !fi.IsDir() {
		return fmt.Errorf("workbook: --out %s must be a folder of survey files (the file is named by the workbook's form_id)", folder)
	}
	return writeWhole(filepath.Join(folder, id+".yaml"), file, stdout)
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
	// The definition's file is the workbook's path, as a survey file's is,
	// for check's comparison with the versions served to read.
	d, ps := workbook.Read(name, data)
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
