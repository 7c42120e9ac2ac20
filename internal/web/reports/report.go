package reports

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

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
	// Fixed is the label of the one answer the reader may see (a
	// co-ordinator's own organisation): the page says it instead of
	// offering choices that would not apply.
	Fixed string
}

type reportPage struct {
	session.Page // the staff navigation and signing out, as on every staff page
	Survey       *survey.Definition
	Pickers      []roundPicker  // the two rounds compared
	Filters      []filterPicker // one per breakdown the survey has
	Filtered     bool           // some filter is set
	Query        template.URL   // the rounds and filters as a query string, for links
	Compared     template.URL   // the rounds alone as a query string, for the Board pack
	Comparison   *report.Comparison
	Rounds       []survey.Round // the rounds a report may compare: practice rounds are left out
	Bar, Radar   string         // chart options as JSON, for data attributes
	MinGroup     int
	FreeText     bool         // the reader may see free text and raw responses
	Pack         bool         // the reader may read the Board pack
	Views        []reportView // links to the report's other views
	States       []roundState // when each round's figures are from
}

// roundState says where a round's figures stand: made once when it
// closed, or not yet while it is open, with a count rounded down.
type roundState struct {
	Label   string
	AsOf    string // "14:05 on 1 December 2026", UK time; "" when not yet published
	Open    bool   // open: figures are published when it closes
	Counted int    // while open: at least this many have answered (a multiple of MinGroup)
	Min     int
	Pending int  // with figures: more (or fewer) responses now than they were made from; never shown as a number
	AnyOpen bool // some round of the list is open (set on each)
}

func statesOf(d *survey.Definition, rs []survey.Round, pubs []publish.Round) []roundState {
	out := make([]roundState, len(rs))
	for i, r := range rs {
		out[i] = roundState{Label: r.Label, Open: pubs[i].Open, Counted: pubs[i].Counted, Min: d.GroupSize(), Pending: pubs[i].Pending}
		if p := pubs[i].Publication; p != nil {
			out[i].AsOf = p.At.In(rounds.London).Format("15:04 on 2 January 2006")
		}
	}
	for i := range out {
		out[i].AnyOpen = slices.ContainsFunc(out, func(r roundState) bool { return r.Open })
	}
	return out
}

// report compares two rounds of a survey:
// ?a=baseline&b=follow-up&sector=…&organisation=…&audience=…&workforce=…&age-band=…&locality=…,
// by default the survey's first two rounds and everyone. Every filter is
// in the address, so a link to the page can go in a Board paper. Figures
// come from the tallies the store keeps as responses are stored, summed
// over the breakdown cells the filters keep.
func (s *Pages) report(c *fiber.Ctx) error {
	sc, err := s.scopeOf(c)
	if err != nil {
		return err
	}
	d := sc.Survey
	cmp, pubs, err := s.publisher.Compare(c.UserContext(), d, sc.Rounds, sc.Filter)
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
		Page:   session.PageFor(c, d.Title+": report"),
		Survey: d, Rounds: sc.Comparable, Pickers: []roundPicker{{"a", "Compare", sc.A}, {"b", "with", sc.B}},
		Filters: sc.Pickers, Filtered: len(sc.Filter) > 0, Query: sc.links(), Compared: sc.rounds(), Comparison: cmp,
		Bar: string(bar), Radar: string(radar), MinGroup: d.GroupSize(), Views: reportViews, States: statesOf(d, sc.Rounds, pubs),
		FreeText: session.Of(c).User.CanSeeFreeText(), Pack: session.Of(c).User.CanReadBoardPack(),
	})
}
