package server

import (
	"bufio"
	"context"
	"html/template"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// talliesReader is what the report needs of a store: the counts it keeps
// as responses are stored (see store.Tallier).
type talliesReader interface {
	Tallies(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter) (map[string]*store.Counts, error)
}

// roundPicker is a select of the survey's rounds: query parameter name,
// label and the round chosen.
type roundPicker struct{ Name, Label, Selected string }

// filterPicker narrows the report to one answer of a breakdown question:
// query parameter name (a name of survey.Breakdowns), the question and
// the answer chosen ("" for everyone). Options is empty for a question
// answered in words, shown as a text box.
type filterPicker struct {
	Name     string
	Question *survey.Question
	Selected string
}

type reportPage struct {
	page
	Survey     *survey.Definition
	Pickers    []roundPicker  // the two rounds compared
	Filters    []filterPicker // one per breakdown the survey has
	Filtered   bool           // some filter is set
	Query      template.URL   // the rounds and filters as a query string, for links
	Comparison *report.Comparison
	Rounds     []survey.Round // the rounds a report may compare: practice rounds are left out
	Bar, Radar string         // chart options as JSON, for data attributes
	MinGroup   int
	FreeText   bool         // the reader may see free text and raw responses
	Pack       bool         // the reader may read the Board pack
	Views      []reportView // links to the report's other views
}

// report compares two rounds of a survey:
// ?a=baseline&b=follow-up&sector=…&organisation=…&audience=…&workforce=…&age-band=…&locality=…,
// by default the survey's first two rounds and everyone. Every filter is
// in the address, so a link to the page can go in a Board paper. Figures
// come from the tallies the store keeps as responses are stored, summed
// over the breakdown cells the filters keep.
func (s *Server) report(c *fiber.Ctx) error {
	sc, err := s.scopeOf(c)
	if err != nil {
		return err
	}
	d := sc.Survey
	cmp, err := s.compare(c.UserContext(), d, sc.Rounds, sc.Filter)
	if err != nil {
		return err
	}
	bar, err := cmp.BarChart()
	if err != nil {
		return err
	}
	radar, err := cmp.RadarChart()
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "report.html", reportPage{
		page:   page{Title: d.Title + ": report"},
		Survey: d, Rounds: sc.Comparable, Pickers: []roundPicker{{"a", "Compare", sc.A}, {"b", "with", sc.B}},
		Filters: sc.Pickers, Filtered: len(sc.Filter) > 0, Query: sc.links(), Comparison: cmp,
		Bar: string(bar), Radar: string(radar), MinGroup: d.GroupSize(), Views: reportViews,
		FreeText: staffOf(c).User.CanSeeFreeText(), Pack: staffOf(c).User.CanReadBoardPack(),
	})
}

// compare builds the comparison from the store's tallies, or, for a store
// that keeps none, by counting every response.
func (s *Server) compare(ctx context.Context, d *survey.Definition, rounds []survey.Round, f store.Filter) (*report.Comparison, error) {
	tr, ok := s.store.(talliesReader)
	if !ok {
		if len(f) > 0 {
			return nil, fiber.NewError(http.StatusNotImplemented, "This store cannot filter reports")
		}
		return report.Count(ctx, d, rounds, s.store.EachResponse)
	}
	ids := make([]string, len(rounds))
	for i, r := range rounds {
		ids[i] = r.ID
	}
	counts, err := tr.Tallies(ctx, store.PlanFor(d), ids, f)
	if err != nil {
		return nil, err
	}
	hide, err := s.hiddenByFilters(ctx, d, ids, f, "")
	if err != nil {
		return nil, err
	}
	tallies := make([]*report.Tally, len(rounds))
	for i, r := range rounds {
		c := counts[r.ID]
		if c == nil {
			c = store.NewCounts()
		}
		tallies[i] = report.FromCounts(c.Responses, c.Answers)
	}
	return report.CompareHiding(d, rounds, tallies, hide), nil
}

// responsesCSV streams a survey's raw responses as CSV, for the roles that
// may see raw responses and free text. Rows are written as they are read.
func (s *Server) responsesCSV(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	if err := s.audit(c, staffOf(c).Account.Email, "downloaded raw responses", d.ID); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+d.ID+`-responses.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	// The writer runs after the handler returns, past the request's
	// deadline: it gets its own.
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		ctx, cancel := context.WithTimeout(context.Background(), longTimeout)
		defer cancel()
		if err := report.WriteCSV(ctx, w, d, nil, s.store.EachResponse); err != nil {
			s.log.Error("responses CSV cut short", "survey", d.ID, "error", err)
		}
	})
	return nil
}
