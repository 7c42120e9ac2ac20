package server

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/survey"
)

// roundPicker is a select of the survey's rounds: query parameter name,
// label and the round chosen.
type roundPicker struct{ Name, Label, Selected string }

type reportPage struct {
	page
	Survey     *survey.Definition
	Pickers    []roundPicker // the two rounds compared
	Comparison *report.Comparison
	Bar, Radar string // chart options as JSON, for data attributes
	MinGroup   int
}

// report compares two rounds of a survey: ?a=baseline&b=follow-up, by
// default the survey's first two rounds. The figures are counted from the
// stored responses on every request.
func (s *Server) report(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	a, b := c.Query("a"), c.Query("b")
	if a == "" && b == "" && len(d.Rounds) > 1 {
		b = d.Rounds[1].ID
	}
	if a == "" {
		a = d.Rounds[0].ID
	}
	var rounds []survey.Round
	for _, id := range []string{a, b} {
		if id == "" {
			continue
		}
		r, ok := d.Round(id)
		if !ok {
			return fiber.NewError(http.StatusNotFound, "This survey has no round called "+id)
		}
		rounds = append(rounds, r)
	}
	if len(rounds) == 2 && rounds[0].ID == rounds[1].ID {
		rounds = rounds[:1]
	}
	cmp, err := report.Count(c.UserContext(), d, rounds, s.store.EachResponse)
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
		Survey: d, Pickers: []roundPicker{{"a", "Compare", a}, {"b", "with", b}}, Comparison: cmp,
		Bar: string(bar), Radar: string(radar), MinGroup: d.GroupSize(),
	})
}
