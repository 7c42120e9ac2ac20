// Package reports is the reports staff read (/r/{survey}: the report, its
// views, the exports (CSV, Excel, SPSS syntax, the codebook: exports.go), the comments) and the JSON API of their figures
// (/api/surveys/{survey}/report). Every figure comes from the rounds'
// publications (package publish), so every output hides the same groups.
// Its pages are templates (web/templates/report*.html, staff-comments.html).
package reports

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// Store is what the reports need of a store besides the publications: the
// rounds, and the responses themselves for the comments and the raw CSV.
type Store interface {
	rounds.States
	publish.Completions
	EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
}

// Options are what the reports are made from.
type Options struct {
	Store     Store
	Surveys   *survey.Catalogue
	Log       *slog.Logger
	Now       func() time.Time
	Timeout   time.Duration
	Sessions  *session.Sessions
	Publisher *publish.Publisher
}

// Pages are the reports.
type Pages struct {
	st        Store
	surveys   *survey.Catalogue
	log       *slog.Logger
	now       func() time.Time
	timeout   time.Duration
	sessions  *session.Sessions
	publisher *publish.Publisher
	pages     *web.Renderer
}

// New makes the reports.
func New(o Options) (*Pages, error) {
	r, err := web.NewRenderer([]string{"report.html", "report-view.html", "staff-comments.html"}, nil)
	if err != nil {
		return nil, err
	}
	for _, v := range reportViews {
		if !r.Has("report-view.html", viewBlock(v.Slug)) || v.fill == nil {
			return nil, fmt.Errorf("reports: the view %s has no block %q in report-view.html, or nothing to fill it", v.Slug, viewBlock(v.Slug))
		}
	}
	return &Pages{st: o.Store, surveys: o.Surveys, log: o.Log, now: o.Now, timeout: o.Timeout,
		sessions: o.Sessions, publisher: o.Publisher, pages: r}, nil
}

// Register adds the reports' routes, with the staff deadline for the
// store: the reports' one table of routes, each with the permission it
// needs.
func (s *Pages) Register(t *web.Routes) {
	mw := []fiber.Handler{web.Deadline(s.timeout)}
	t.Add("/r/:survey", mw,
		web.Get("", auth.SeeReports, s.viewReport),
		web.Get("/responses.csv", auth.SeeRawResponses, s.responsesCSV),
		web.Get("/responses.xlsx", auth.SeeRawResponses, s.responsesXLSX),
		web.Get("/responses.sps", auth.SeeRawResponses, s.responsesSPSS),
		web.Get("/codebook.csv", auth.SeeRawResponses, s.codebookCSV),
		web.Get("/aggregates.csv", auth.SeeReports, s.aggregatesCSV),
		web.Get("/aggregates.xlsx", auth.SeeReports, s.aggregatesXLSX),
		web.Get("/views/:view", auth.SeeReports, s.reportViewPage),
		web.Get("/comments", auth.SeeFreeText, s.comments),
	)
	t.Add("/api/surveys/:survey", mw, web.Get("/report", auth.SeeReports, s.reportAPI))
}

func (s *Pages) render(c *fiber.Ctx, status int, name string, data web.Paged) error {
	return s.pages.Render(c, status, name, data)
}

// viewReport is the report, with an audit entry.
func (s *Pages) viewReport(c *fiber.Ctx) error {
	if err := s.report(c); err != nil {
		return err
	}
	if c.Response().StatusCode() != http.StatusOK {
		return nil
	}
	return s.sessions.Audit(c, "viewed report", c.Params("survey"))
}
