package server

import (
	"context"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// reportScope is what a report's address asks for, once checked against
// who is asking: the survey, the rounds compared, and the filters. The
// report page, its views, the JSON API and the CSV of aggregates all read
// their address through scopeOf, so they show the same groups to the same
// people.
type reportScope struct {
	Survey     *survey.Definition
	Comparable []survey.Round // the rounds a report may compare: practice rounds are left out
	Rounds     []survey.Round // the rounds asked for (a, then b)
	A, B       string
	Filter     store.Filter
	Pickers    []filterPicker
	Query      url.Values // the filters, for links
}

// scopeOf reads ?a=&b=&sector=&organisation=&audience=&workforce=&age-band=&locality=.
// By default it compares the survey's first two rounds, for everyone. A
// co-ordinator's scope is their own organisation, whatever the address
// says, and they may not see a survey not split by organisation.
func (s *Server) scopeOf(c *fiber.Ctx) (*reportScope, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	u := staffOf(c).User
	coordinator := u.Role != "" && !u.CanSeeAllOrganisations()
	if coordinator {
		if _, ok := d.BreakdownQuestion("organisation"); !ok {
			return nil, fiber.NewError(http.StatusForbidden, "This survey's results are not split by organisation, so its report is not open to organisation co-ordinators")
		}
	}
	comparable, err := s.comparableRounds(c.UserContext(), d)
	if err != nil {
		return nil, err
	}
	if len(comparable) == 0 {
		return nil, fiber.NewError(http.StatusNotFound, "This survey has no rounds to report on")
	}
	sc := &reportScope{Survey: d, Comparable: comparable, Filter: store.Filter{}, Query: url.Values{}}
	a, b := c.Query("a"), c.Query("b")
	if a == "" && b == "" && len(comparable) > 1 {
		b = comparable[1].ID
	}
	if a == "" {
		a = comparable[0].ID
	}
	sc.A, sc.B = a, b
	for _, id := range []string{a, b} {
		if id == "" {
			continue
		}
		i := slices.IndexFunc(comparable, func(r survey.Round) bool { return r.ID == id })
		if i < 0 {
			return nil, fiber.NewError(http.StatusNotFound, "This survey has no round called "+id+" to compare (practice rounds are left out)")
		}
		sc.Rounds = append(sc.Rounds, comparable[i])
	}
	if len(sc.Rounds) == 2 && sc.Rounds[0].ID == sc.Rounds[1].ID {
		sc.Rounds = sc.Rounds[:1]
	}
	for _, name := range survey.Breakdowns {
		q, ok := d.BreakdownQuestion(name)
		if !ok {
			continue
		}
		v := c.Query(name)
		if name == "organisation" && coordinator {
			v = u.Organisation
		}
		sc.Pickers = append(sc.Pickers, filterPicker{Name: name, Question: q, Selected: v})
		if v != "" {
			sc.Filter[name] = v
			sc.Query.Set(name, v)
		}
	}
	return sc, nil
}

// talliesByReader splits tallies by one breakdown in one read (both
// stores have it; see store/*/tallyby.go).
type talliesByReader interface {
	TalliesBy(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter, by string, answers bool) (map[string]map[string]*store.Counts, error)
	CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error)
}

// hiddenByFilters says, per round, whether the filtered group is hidden by
// secondary suppression among its neighbours: for each breakdown the
// filter names, the group is one part of the total over that breakdown's
// answers (the other filters kept), and report.Suppress decides over those
// parts. Without this, a group of 7 shown on its own could give away a
// hidden group of 2 beside it by subtraction from the unfiltered report.
//
// A report that crosses breakdowns (two filters, or a filter and a
// breakdown view's by) is hidden too when the cross-table of those
// breakdowns has any group of 1 to min-1 responses: otherwise crossed
// totals shown in different reports could be subtracted to reach it.
func (s *Server) hiddenByFilters(ctx context.Context, d *survey.Definition, rounds []string, f store.Filter, by string) ([]bool, error) {
	hide := make([]bool, len(rounds))
	if len(f) == 0 {
		return hide, nil
	}
	tb, ok := s.store.(talliesByReader)
	if !ok {
		return nil, fiber.NewError(http.StatusNotImplemented, "This store cannot filter reports")
	}
	p := store.PlanFor(d)
	crossed := slices.Sorted(maps.Keys(f))
	if by != "" && !slices.Contains(crossed, by) {
		crossed = append(crossed, by)
	}
	if len(crossed) >= 2 {
		small, err := crossHasSmallGroup(ctx, tb, p, rounds, crossed, d.GroupSize())
		if err != nil {
			return nil, err
		}
		for i := range hide {
			hide[i] = hide[i] || small[i]
		}
	}
	for name, v := range f {
		others := store.Filter{}
		for k, x := range f {
			if k != name {
				others[k] = x
			}
		}
		by, err := tb.TalliesBy(ctx, p, rounds, others, name, false)
		if err != nil {
			return nil, err
		}
		for i, r := range rounds {
			values := []string{v}
			sizes := []int{0}
			for value, c := range by[r] {
				if value == v {
					sizes[0] = c.Responses
					continue
				}
				values = append(values, value)
				sizes = append(sizes, c.Responses)
			}
			if report.Suppress(sizes, d.GroupSize())[0] {
				hide[i] = true
			}
		}
	}
	return hide, nil
}

// crossHasSmallGroup says, per round, whether the cross-table of the named
// breakdowns (no other filter) has a group of 1 to min-1 responses, "no
// answer" included. The table is summed from the responses per cell, read
// once. Three or more breakdowns are always counted as having one: their
// groups are too many and too small to show.
func crossHasSmallGroup(ctx context.Context, tb talliesByReader, p store.TallyPlan, rounds []string, names []string, min int) ([]bool, error) {
	small := make([]bool, len(rounds))
	if len(names) > 2 {
		for i := range small {
			small[i] = true
		}
		return small, nil
	}
	a, b := slices.Index(survey.Breakdowns, names[0]), slices.Index(survey.Breakdowns, names[1])
	sizes, err := tb.CellSizes(ctx, p, rounds)
	if err != nil {
		return nil, err
	}
	for i, r := range rounds {
		groups := map[[2]string]int{}
		for cell, n := range sizes[r] {
			groups[[2]string{cell[a], cell[b]}] += n
		}
		for _, n := range groups {
			small[i] = small[i] || (n > 0 && n < min)
		}
	}
	return small, nil
}

// links is the scope as a query string (rounds and filters), safe to put
// after "?" in a link: it is built by url.Values.Encode, so every value is
// escaped.
func (sc *reportScope) links() template.URL {
	q := url.Values{}
	for k, v := range sc.Query {
		q[k] = v
	}
	q.Set("a", sc.A)
	if sc.B != "" {
		q.Set("b", sc.B)
	}
	return template.URL(q.Encode())
}
