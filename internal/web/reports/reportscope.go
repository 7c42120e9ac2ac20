package reports

import (
	"cmp"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
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
func (s *Pages) scopeOf(c *fiber.Ctx) (*reportScope, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	u := session.Of(c).User
	coordinator := u.Role != "" && !u.CanSeeAllOrganisations()
	if coordinator {
		if _, ok := d.BreakdownQuestion("organisation"); !ok {
			return nil, fiber.NewError(http.StatusForbidden, "This survey's results are not split by organisation, so its report is not open to organisation co-ordinators")
		}
	}
	comparable, err := rounds.Comparable(c.UserContext(), s.st, d, s.now())
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
		fp := filterPicker{Name: name, Question: q}
		if name == "organisation" && coordinator {
			v = u.Organisation
			fp.Fixed = cmp.Or(q.OptionLabel(v), s.surveys.OrganisationLabel(v))
		}
		fp.Selected = v
		sc.Pickers = append(sc.Pickers, fp)
		if v != "" {
			sc.Filter[name] = v
			sc.Query.Set(name, v)
		}
	}
	return sc, nil
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

// rounds is the rounds compared alone as a query string, for links to
// pages that take no filters (the Board pack).
func (sc *reportScope) rounds() template.URL {
	q := url.Values{"a": {sc.A}}
	if sc.B != "" {
		q.Set("b", sc.B)
	}
	return template.URL(q.Encode())
}

// Described is each filter as pages say it: the breakdown and the answer's
// label ("organisation: Community health trust"), not its value.
func (sc *reportScope) Described() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(sc.Filter)) {
		v := sc.Filter[k]
		if q, ok := sc.Survey.BreakdownQuestion(k); ok {
			if l := q.OptionLabel(v); l != "" {
				v = l
			}
		}
		out = append(out, k+": "+v)
	}
	return out
}
