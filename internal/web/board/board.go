package board

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// boardStore is what the Board pack needs of a store (store.Board). Both
// stores have it.
type boardStore interface {
	SetCommentary(ctx context.Context, c store.Commentary) error
	SetTarget(ctx context.Context, t store.Target) error
	Targets(ctx context.Context, surveyID string) ([]store.Target, error)
	Commentary(ctx context.Context, surveyID, round, strand string) (store.Commentary, error)
	Commentaries(ctx context.Context, surveyID, round string) ([]store.Commentary, error)
	AddAction(ctx context.Context, a store.Action) error
	UpdateAction(ctx context.Context, id string, ch store.ActionChange) (store.Action, error)
	Action(ctx context.Context, id string) (store.Action, error)
	Actions(ctx context.Context, surveyID string) ([]store.Action, error)
}

// Limits on what staff write in the pack.
const (
	commentaryMax = 3000
	actionTextMax = 500
	ownerMax      = 100
	noteMax       = 500
)

// packContext is what every pack page works from: the survey, its
// comparable rounds in order, the rounds chosen (a, and b when given) and
// the pack's round, the later of the two, whose commentary and actions
// the pack shows.
type packContext struct {
	Survey     *survey.Definition
	Comparable []survey.Round
	Chosen     []survey.Round
	Round      survey.Round
	Board      boardStore
}

// Query is the rounds chosen as a query string, for links back to the pack.
// It is a template.URL, written into an address as it is: as a plain
// string after "?" html/template would escape its "=" and "&" as the
// value of one parameter (?a%3dbaseline%26b%3dfollow-up), and the rounds
// would be lost on the way.
func (p packContext) Query() template.URL {
	q := url.Values{}
	q.Set("a", p.Chosen[0].ID)
	if len(p.Chosen) > 1 {
		q.Set("b", p.Chosen[1].ID)
	}
	return template.URL(q.Encode())
}

// PackURL is the pack's address, at a strand when one is given.
func (p packContext) PackURL(strand string) string {
	u := "/r/" + p.Survey.ID + "/pack?" + string(p.Query())
	if _, ok := strandOf(p.Survey, strand); ok {
		u += "#strand-" + strand
	}
	return u
}

// roundLabel names a round by its id, or gives the id of a round no
// longer offered.
func (p packContext) roundLabel(id string) string {
	for _, r := range p.Comparable {
		if r.ID == id {
			return r.Label
		}
	}
	return id
}

// packFor reads the survey and the rounds from the address (?a=&b=, or the
// a and b fields of a form), as the report does: by default the first two
// rounds that are not practice rounds.
func (s *Pages) packFor(c *fiber.Ctx, a, b string) (packContext, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return packContext{}, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	comparable, err := rounds.Comparable(c.UserContext(), s.st, d, s.now())
	if err != nil {
		return packContext{}, err
	}
	if len(comparable) == 0 {
		return packContext{}, fiber.NewError(http.StatusNotFound, "This survey has no rounds to report on")
	}
	if a == "" && b == "" && len(comparable) > 1 {
		b = comparable[1].ID
	}
	if a == "" {
		a = comparable[0].ID
	}
	p := packContext{Survey: d, Comparable: comparable, Board: s.st}
	for _, id := range []string{a, b} {
		if id == "" {
			continue
		}
		i := slices.IndexFunc(comparable, func(r survey.Round) bool { return r.ID == id })
		if i < 0 {
			return packContext{}, fiber.NewError(http.StatusNotFound, "This survey has no round called "+id+" to compare (practice rounds are left out)")
		}
		p.Chosen = append(p.Chosen, comparable[i])
	}
	if len(p.Chosen) == 2 && p.Chosen[0].ID == p.Chosen[1].ID {
		p.Chosen = p.Chosen[:1]
	}
	p.Round = p.Chosen[len(p.Chosen)-1]
	return p, nil
}

// strands are the survey's sections with ratings: the strands a pack has.
func strands(d *survey.Definition) []*survey.Section {
	var out []*survey.Section
	for _, sec := range d.Sections {
		if _, scale := sec.Rated(); d.Scales[scale] != nil {
			out = append(out, sec)
		}
	}
	return out
}

func strandOf(d *survey.Definition, id string) (*survey.Section, bool) {
	i := slices.IndexFunc(strands(d), func(sec *survey.Section) bool { return sec.ID == id })
	if i < 0 {
		return nil, false
	}
	return strands(d)[i], true
}

// inPack decides whether an action shows in the pack of the round at index
// idx of the comparable rounds, and whether it was carried from an earlier
// round. An action shows in the pack of the round it was created in, and
// is carried into each later round's pack while it was still open at the
// end of the rounds before: its status as of its last change made in an
// earlier round is neither done nor dropped. So an action done during the
// follow-up shows in the follow-up's pack as done, and in no pack after.
func inPack(a store.Action, order map[string]int, idx int) (show, carried bool) {
	created, ok := order[a.Round]
	if !ok || created > idx {
		return false, false
	}
	if created == idx {
		return true, false
	}
	status := a.Status
	for _, ch := range a.History {
		if i, ok := order[ch.Round]; ok && i < idx {
			status = ch.Status
		}
	}
	return !status.Closed(), true
}

// packAction is an action as the pack shows it.
type packAction struct {
	store.Action
	Carried   bool
	CreatedIn string // the label of the round it was created in
	Changes   []packChange
}

type packChange struct {
	store.ActionChange
	RoundLabel string
}

// packStrand is one strand's section of the pack. Row and Detail are
// report.Compare's, unchanged: the pack shows the report's figures,
// suppressed as the report suppresses them.
type packStrand struct {
	Section  *survey.Section
	Row      report.StrandRow
	Detail   report.SectionDetail
	Chart    report.StrandChart
	Headline report.Headline
	// StatementShares are, on a scale of three levels or fewer, each
	// statement's share who gave the top answer in each round: a
	// children's pack says shares, not means.
	StatementShares [][]report.Share
	Commentary      store.Commentary
	Actions         []packAction
	Target          *packTarget // the strand's target, evaluated; nil when none
}

// Written reports whether any part of the strand's commentary is written.
func (s packStrand) Written() bool {
	return s.Commentary.Know != "" || s.Commentary.How != "" || s.Commentary.Next != ""
}

type packPage struct {
	session.Page
	packContext
	Comparison *report.Comparison
	// Headlines are the first page's figures, one per strand; Most and
	// Least the strands whose headline changed most and least.
	Headlines   []report.Headline
	Most, Least *report.Headline
	Strands     []packStrand
	Targets     []packTarget // the strands' targets, evaluated, in order
	MinGroup    int
	Produced    string // the date the pack was made
	Address     string // the pack's own address, in full where the service knows its base URL
	CanEdit     bool
}

// Dates are shown as the Board reads them.
func (packPage) Date(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format("2 January 2006")
}

// commentaryPart is one of the three parts of a strand's commentary.
type commentaryPart struct{ Heading, Text string }

// Parts are a commentary's three parts, in the Trust's words.
func (packPage) Parts(c store.Commentary) []commentaryPart {
	return []commentaryPart{{"What we know", c.Know}, {"How we know", c.How}, {"What next", c.Next}}
}

// StatusLabel names an action's status.
func (packPage) StatusLabel(st store.ActionStatus) string { return st.Label() }

// boardPack is the printable Board pack: a cover, then one section per
// strand with the comparison's figures, a chart and its table, the
// commentary and the actions.
func (s *Pages) boardPack(c *fiber.Ctx) error {
	p, err := s.packFor(c, c.Query("a"), c.Query("b"))
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	cmp, _, err := s.publisher.Compare(ctx, p.Survey, p.Chosen, store.Filter{})
	if err != nil {
		return err
	}
	comments, err := p.Board.Commentaries(ctx, p.Survey.ID, p.Round.ID)
	if err != nil {
		return err
	}
	actions, err := p.Board.Actions(ctx, p.Survey.ID)
	if err != nil {
		return err
	}
	order := map[string]int{}
	for i, r := range p.Comparable {
		order[r.ID] = i
	}
	page := packPage{
		Page: session.PageFor(c, p.Survey.Title+": Board pack"), packContext: p, Comparison: cmp,
		MinGroup: p.Survey.GroupSize(), Produced: s.now().In(rounds.London).Format("2 January 2006"),
		Address: strings.TrimSuffix(s.baseURL, "/") + p.PackURL(""), CanEdit: session.Of(c).User.CanEditBoardPack(),
		Headlines: cmp.Headlines(),
	}
	page.Most, page.Least = report.MostAndLeast(page.Headlines)
	for i, row := range cmp.Strands {
		ps := packStrand{Section: row.Section, Row: row, Detail: cmp.Sections[i], Chart: cmp.StrandChart(i), Headline: page.Headlines[i]}
		if ps.Headline.Top {
			ps.StatementShares = cmp.StatementShares(i, ps.Headline.Good.Value)
		}
		for _, cm := range comments {
			if cm.Strand == row.Section.ID {
				ps.Commentary = cm
			}
		}
		for _, a := range actions {
			if a.Strand != row.Section.ID {
				continue
			}
			if show, carried := inPack(a, order, order[p.Round.ID]); show {
				pa := packAction{Action: a, Carried: carried, CreatedIn: p.roundLabel(a.Round)}
				for _, ch := range a.History {
					pa.Changes = append(pa.Changes, packChange{ActionChange: ch, RoundLabel: p.roundLabel(ch.Round)})
				}
				ps.Actions = append(ps.Actions, pa)
			}
		}
		page.Strands = append(page.Strands, ps)
	}
	targets, err := p.Board.Targets(ctx, p.Survey.ID)
	if err != nil {
		return err
	}
	page.packTargets(targets, order, s.now())
	if err := s.render(c, http.StatusOK, "pack.html", page); err != nil {
		return err
	}
	return s.sessions.Audit(c, "viewed Board pack", p.Survey.ID+" "+string(p.Query()))
}
