package reports

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/gcratio"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// The exports of raw responses (CSV, Excel, SPSS syntax, the codebook)
// share one shape: the survey from the address, its rounds (the file's
// and those staff added), for a file of responses the first response read
// (so that a store that fails at once gives an error page, not an empty
// file), an audit entry, and then the file streamed as it is written, so
// memory does not grow with the number of responses. The aggregates'
// exports (CSV, Excel) are made from s.aggregates, with the report page's
// scope, publication and suppression.

// Content types of the exports.
const (
	typeCSV  = "text/csv; charset=utf-8"
	typeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	typeSPS  = "text/plain; charset=utf-8"
)

// rawWriter writes one export of raw responses, given the survey's rounds,
// and says what it found that it did not export as stored.
type rawWriter func(ctx context.Context, w io.Writer, d *survey.Definition, all []survey.Round) (report.Found, error)

// errFirstRead stops the read of the first response before the first byte.
var errFirstRead = errors.New("reports: first response read")

// rawExport streams a file about a survey's raw responses: audited as
// action, named filename. The file is written by write in a goroutine of
// its own, with a deadline of its own, into a pipe that the response body
// reads. Should it fail part-way, the pipe is closed with the error and
// the server drops the connection without the chunked body's last chunk,
// so that every HTTP client (a browser's download, curl) reports the
// download failed instead of keeping a file that looks complete.
func (s *Pages) rawExport(c *fiber.Ctx, action, contentType, suffix string, reads bool, write rawWriter) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	now, err := rounds.Of(c.UserContext(), s.st, d, s.now())
	if err != nil {
		return err
	}
	all := make([]survey.Round, len(now))
	for i, r := range now {
		all[i] = r.Round
	}
	if reads {
		err := s.st.EachResponse(c.UserContext(), d.ID, nil, func(survey.Response) error { return errFirstRead })
		if err != nil && !errors.Is(err, errFirstRead) {
			return err
		}
	}
	if err := s.sessions.Audit(c, action, d.ID); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.ID+suffix+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	pr, pw := io.Pipe()
	go func() {
		defer gcratio.Lower()() // package gcratio: an export's garbage
		ctx, cancel := context.WithTimeout(context.Background(), web.LongTimeout)
		defer cancel()
		found, err := write(ctx, pw, d, all)
		if n := found.Total(); n > 0 {
			s.log.Warn("export found stored answers outside their question's values: exported as invalid, not as stored",
				"survey", d.ID, "file", suffix, "answers", n, "columns", strings.Join(found.Keys(), " "))
		}
		if err != nil {
			s.log.Error("export cut short", "survey", d.ID, "file", suffix, "error", err)
		}
		pw.CloseWithError(err) // nil: the end of the file
	}()
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// responsesCSV streams a survey's raw responses as CSV, for the roles that
// may see raw responses and free text. ?lines=one writes each response on
// one line, line breaks in answers as " / ": the file the SPSS syntax
// reads.
func (s *Pages) responsesCSV(c *fiber.Ctx) error {
	write := report.WriteCSV
	if c.Query("lines") == "one" {
		write = report.WriteCSVOneLine
	}
	return s.rawExport(c, "downloaded raw responses", typeCSV, "-responses.csv", true, func(ctx context.Context, w io.Writer, d *survey.Definition, all []survey.Round) (report.Found, error) {
		return write(ctx, w, d, all, s.st.EachResponse)
	})
}

// responsesXLSX is the raw responses as an Excel workbook: labels, codes,
// the codebook and notes (report.WriteResponsesXLSX).
func (s *Pages) responsesXLSX(c *fiber.Ctx) error {
	return s.rawExport(c, "downloaded raw responses (Excel)", typeXLSX, "-responses.xlsx", true, func(ctx context.Context, w io.Writer, d *survey.Definition, all []survey.Round) (report.Found, error) {
		return report.WriteResponsesXLSX(ctx, w, d, all, s.st.EachResponse, s.now())
	})
}

// responsesSPSS is SPSS syntax that reads the one-line CSV of raw
// responses and labels it. It holds no responses, but it is of no use
// without them: it is for the same roles, and audited.
func (s *Pages) responsesSPSS(c *fiber.Ctx) error {
	return s.rawExport(c, "downloaded SPSS syntax for raw responses", typeSPS, "-responses.sps", false, func(_ context.Context, w io.Writer, d *survey.Definition, all []survey.Round) (report.Found, error) {
		return report.Found{}, report.WriteSPSSSyntax(w, d, all, d.ID+"-responses.csv")
	})
}

// codebookCSV is the codebook of the raw-responses exports, for R users.
func (s *Pages) codebookCSV(c *fiber.Ctx) error {
	return s.rawExport(c, "downloaded codebook", typeCSV, "-codebook.csv", false, func(_ context.Context, w io.Writer, d *survey.Definition, all []survey.Round) (report.Found, error) {
		return report.Found{}, report.WriteCodebookCSV(w, d, all)
	})
}

// aggregatesXLSX is the report's figures as an Excel workbook, the same
// figures as aggregates.csv with the same cells hidden.
func (s *Pages) aggregatesXLSX(c *fiber.Ctx) error {
	agg, err := s.aggregates(c)
	if err != nil {
		return err
	}
	d, _ := s.surveys.Survey(agg.Survey)
	c.Set(fiber.HeaderContentType, typeXLSX)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+agg.Survey+`-aggregates.xlsx"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return report.WriteAggregatesXLSX(c, agg, d, s.now())
}
