package reports

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/report"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// reportView is one of the report's views, each a page of its own at
// /r/{survey}/views/{slug}, taking the report's filters from its address.
// A view is its entry in reportViews and its block "view-{slug}" in
// web/templates/report-view.html: New refuses to start without the block,
// and the views' test walks every entry.
type reportView struct {
	Slug, Title string
	// Comparable views show every comparable round, not the two chosen.
	Comparable bool
	// fill sets the view's fields of the page and returns its charts'
	// options, in the order the block draws them.
	fill func(s *Pages, c *fiber.Ctx, p *viewPage) ([][]byte, error)
}

var reportViews = []reportView{
	{"overview", "Overview: responses and completion", true, fillOverview},
	{"trend", "Trend across rounds", true, fillTrend},
	{"statements", "Answers to each statement", false, fillStatements},
	{"questions", "Every question", false, fillComparison},
	{"indicators", "Indicators", false, fillComparison},
	{"breakdown", "Breakdown by group", false, fillBreakdown},
	{"at-least", "Share at or above a level", false, fillAtLeast},
	{"changes", "What changed most", false, fillChanges},
	{"cross-reference", "Cross-reference: outcomes, priorities and areas", false, fillCrossReference},
}

// viewBlock is the template block that draws a view.
func viewBlock(slug string) string { return "view-" + slug }

// viewPage is the page of one view. Only the fields of its view are set.
type viewPage struct {
	session.Page // the staff navigation and signing out
	Survey       *survey.Definition
	View         reportView
	Views        []reportView
	Scope        *reportScope
	Query        template.URL // the rounds and filters, for links between views
	MinGroup     int
	Hidden       string       // what a hidden group shows
	States       []roundState // when the rounds' figures are from

	Body       template.HTML // the view's block, drawn from the fields below
	Comparison *report.Comparison
	Charts     []string // chart options as JSON, in the order the view shows them

	Overview *overview

	Breakdown   *report.Breakdown
	By          string
	ByQuestions []filterPicker

	Level  int
	Levels []survey.Level
	Shares []report.ShareRow

	Improvements, Declines []report.StrandRow
	Paired                 map[string]*report.PairedTest

	CrossReferences []report.CrossReference
}

// overview is responses per round and per organisation, and completion
// against invitations where a round has invitations.
type overview struct {
	Rounds        []report.RoundColumn
	Organisations []string // labels, in order
	ByOrg         [][]overviewCell
	Completion    []publish.CompletionRound
}

type overviewCell struct {
	Responses int
	Hidden    bool
}

// reportViewPage serves one view.
func (s *Pages) reportViewPage(c *fiber.Ctx) error {
	i := slices.IndexFunc(reportViews, func(v reportView) bool { return v.Slug == c.Params("view") })
	if i < 0 {
		return fiber.NewError(http.StatusNotFound, "The report has no view at this address")
	}
	sc, err := s.scopeOf(c)
	if err != nil {
		return err
	}
	d := sc.Survey
	ctx := c.UserContext()
	p := viewPage{
		Page: session.PageFor(c, d.Title+": "+reportViews[i].Title), Survey: d, View: reportViews[i], Views: reportViews,
		Scope: sc, Query: sc.links(), MinGroup: d.GroupSize(),
	}
	shownRounds := sc.Rounds
	if p.View.Comparable {
		shownRounds = sc.Comparable
	}
	pubs, err := s.publisher.Rounds(ctx, d, shownRounds)
	if err != nil {
		return err
	}
	p.States = statesOf(d, shownRounds, pubs)
	charts, err := p.View.fill(s, c, &p)
	if err != nil {
		return err
	}
	for _, ch := range charts {
		p.Charts = append(p.Charts, string(ch))
	}
	if p.Body, err = s.pages.Block("report-view.html", viewBlock(p.View.Slug), p); err != nil {
		return err
	}
	if err := s.render(c, http.StatusOK, "report-view.html", p); err != nil {
		return err
	}
	return s.sessions.Audit(c, "viewed report", d.ID)
}

func fillOverview(s *Pages, c *fiber.Ctx, p *viewPage) (_ [][]byte, err error) {
	p.Overview, err = s.overview(c.UserContext(), p.Scope)
	return nil, err
}

func fillTrend(s *Pages, c *fiber.Ctx, p *viewPage) (_ [][]byte, err error) {
	sc := p.Scope
	if p.Comparison, _, err = s.publisher.Compare(c.UserContext(), sc.Survey, sc.Comparable, sc.Filter); err != nil || len(sc.Comparable) < 3 {
		return nil, err
	}
	return collect(p.Comparison.TrendChart)
}

func fillStatements(s *Pages, c *fiber.Ctx, p *viewPage) (charts [][]byte, err error) {
	if err = s.compare(c, p); err != nil {
		return nil, err
	}
	for i := range p.Comparison.Sections {
		ch, err := p.Comparison.DistributionChart(i)
		if err != nil {
			return nil, err
		}
		charts = append(charts, ch)
	}
	return charts, nil
}

// fillComparison is a view drawn from the comparison of the chosen rounds
// alone: every question, the indicators.
func fillComparison(s *Pages, c *fiber.Ctx, p *viewPage) ([][]byte, error) {
	return nil, s.compare(c, p)
}

func fillBreakdown(s *Pages, c *fiber.Ctx, p *viewPage) ([][]byte, error) {
	if err := s.breakdown(c.UserContext(), p.Scope, c.Query("by"), p); err != nil {
		return nil, err
	}
	return collect(func() ([]byte, error) { return p.Breakdown.HeatmapChart(scaleBounds(p.Survey)) })
}

func fillAtLeast(s *Pages, c *fiber.Ctx, p *viewPage) ([][]byte, error) {
	if err := s.compare(c, p); err != nil {
		return nil, err
	}
	p.Levels = firstScale(p.Survey).Levels
	p.Level = p.Levels[len(p.Levels)-1].Value
	if len(p.Levels) > 1 {
		p.Level = p.Levels[len(p.Levels)-2].Value
	}
	if v, e := strconv.Atoi(c.Query("at_least")); e == nil {
		p.Level = v
	}
	p.Shares = p.Comparison.SharesAtLeast(p.Level)
	return collect(func() ([]byte, error) {
		return p.Comparison.SharesChart(p.Shares, "at or above level "+strconv.Itoa(p.Level))
	})
}

func fillChanges(s *Pages, c *fiber.Ctx, p *viewPage) (_ [][]byte, err error) {
	if err = s.compare(c, p); err != nil {
		return nil, err
	}
	p.Improvements, p.Declines = p.Comparison.Changes()
	if len(p.Scope.Rounds) == 2 {
		p.Paired, err = s.paired(c.UserContext(), p.Scope)
	}
	return nil, err
}

func fillCrossReference(s *Pages, c *fiber.Ctx, p *viewPage) ([][]byte, error) {
	if err := s.compare(c, p); err != nil {
		return nil, err
	}
	p.CrossReferences = p.Comparison.CrossReferences()
	return nil, nil
}

// compare sets the page's comparison of the chosen rounds.
func (s *Pages) compare(c *fiber.Ctx, p *viewPage) (err error) {
	p.Comparison, _, err = s.publisher.Compare(c.UserContext(), p.Survey, p.Scope.Rounds, p.Scope.Filter)
	return err
}

func collect(fns ...func() ([]byte, error)) ([][]byte, error) {
	var out [][]byte
	for _, fn := range fns {
		b, err := fn()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// firstScale is the scale of the survey's first rated section.
func firstScale(d *survey.Definition) *survey.Scale {
	for _, s := range d.Sections {
		if _, name := s.Rated(); d.Scales[name] != nil {
			return d.Scales[name]
		}
	}
	return &survey.Scale{Levels: []survey.Level{{Value: 1}}}
}

func scaleBounds(d *survey.Definition) (int, int) {
	l := firstScale(d).Levels
	return l[0].Value, l[len(l)-1].Value
}

// breakdown fills a breakdown of round a by ?by= (sector by default).
func (s *Pages) breakdown(ctx context.Context, sc *reportScope, by string, p *viewPage) error {
	d := sc.Survey
	p.ByQuestions = append(p.ByQuestions, sc.Pickers...)
	if by == "" && len(p.ByQuestions) > 0 {
		by = p.ByQuestions[0].Name
	}
	q, ok := d.BreakdownQuestion(by)
	if !ok {
		return fiber.NewError(http.StatusNotFound, "This survey's results cannot be split by "+by)
	}
	round := sc.Rounds[0]
	pub, err := s.publisher.Round(ctx, d, round.ID)
	if err != nil {
		return err
	}
	p.Breakdown, p.By = report.NewBreakdown(d, by, q, round, pub.Publication, sc.Filter), by
	return nil
}

// overview counts responses per round and per organisation, and
// completion against invitations, from the rounds' publications.
func (s *Pages) overview(ctx context.Context, sc *reportScope) (*overview, error) {
	d := sc.Survey
	cmp, pubs, err := s.publisher.Compare(ctx, d, sc.Comparable, sc.Filter)
	if err != nil {
		return nil, err
	}
	o := &overview{Rounds: cmp.Rounds}
	if q, ok := d.BreakdownQuestion("organisation"); ok {
		var values []string
		for _, opt := range q.Options {
			values = append(values, opt.Value)
		}
		for _, v := range values {
			o.Organisations = append(o.Organisations, q.OptionLabel(v))
		}
		o.ByOrg = make([][]overviewCell, len(values))
		for i, v := range values {
			o.ByOrg[i] = make([]overviewCell, len(pubs))
			f := store.Filter{"organisation": v}
			for k, x := range sc.Filter {
				if k != "organisation" {
					f[k] = x
				}
			}
			for j, pub := range pubs {
				cell := overviewCell{Hidden: true}
				if x := sc.Filter["organisation"]; x == "" || x == v {
					if g := pub.Group(f, 0); g != nil {
						cell = overviewCell{Responses: pub.Count(g.Size)}
					}
				}
				o.ByOrg[i][j] = cell
			}
		}
	}
	for j, r := range sc.Comparable {
		rows, err := publish.Completion(ctx, s.st, d, r.ID, pubs[j])
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			continue
		}
		cr := publish.CompletionRound{Round: r, Open: pubs[j].Open}
		for _, row := range rows {
			if org := sc.Filter["organisation"]; org == "" || row.Organisation == org {
				cr.Rows = append(cr.Rows, row)
			}
		}
		o.Completion = append(o.Completion, cr)
	}
	return o, nil
}

// reportAPI is the JSON API of aggregates:
// /api/surveys/{survey}/report?a=&b=&<filters>, with the same scope and the
// same suppression as the report page.
func (s *Pages) reportAPI(c *fiber.Ctx) error {
	agg, err := s.aggregates(c)
	if err != nil {
		return err
	}
	b, err := json.Marshal(agg)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Type("json", "utf-8")
	return c.Send(b)
}

// aggregatesCSV is the same figures as CSV.
func (s *Pages) aggregatesCSV(c *fiber.Ctx) error {
	agg, err := s.aggregates(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+agg.Survey+`-aggregates.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return report.WriteAggregatesCSV(c, agg)
}

func (s *Pages) aggregates(c *fiber.Ctx) (report.Aggregates, error) {
	sc, err := s.scopeOf(c)
	if err != nil {
		return report.Aggregates{}, err
	}
	cmp, _, err := s.publisher.Compare(c.UserContext(), sc.Survey, sc.Rounds, sc.Filter)
	if err != nil {
		return report.Aggregates{}, err
	}
	if err := s.sessions.Audit(c, "downloaded report figures", sc.Survey.ID); err != nil {
		return report.Aggregates{}, err
	}
	return cmp.Aggregates(sc.Survey.ID, sc.Survey.GroupSize(), sc.Filter), nil
}

// paired runs the paired test of the two rounds for the pairs the filters
// keep (see publish.Publisher.Pairs).
func (s *Pages) paired(ctx context.Context, sc *reportScope) (map[string]*report.PairedTest, error) {
	pairs, err := s.publisher.Pairs(ctx, sc.Survey, sc.Rounds[0].ID, sc.Rounds[1].ID)
	if pairs == nil || err != nil {
		return nil, err
	}
	return pairs.Tests(sc.Filter), nil
}

type changeTable struct {
	Title, ID string
	Rows      []report.StrandRow
}

// ChangeTables are the improvements and the declines, as two tables.
func (p viewPage) ChangeTables() []changeTable {
	return []changeTable{{"Largest improvements", "improvements", p.Improvements}, {"Largest declines", "declines", p.Declines}}
}
