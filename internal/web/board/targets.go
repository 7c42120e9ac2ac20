package board

// Targets: the figure the Board means a strand to reach by a date, set by
// staff who edit the pack, and evaluated in each later round's pack from
// the published figures (evaluate).

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// TargetStatus is where a target stands in a pack.
type TargetStatus string

// The statuses of a target in a pack, as the Board reads them.
const (
	TargetSet       TargetStatus = "Set in this round"
	TargetMet       TargetStatus = "Met"
	TargetOnTrack   TargetStatus = "On track"
	TargetOffTrack  TargetStatus = "Off track"
	TargetNotShown  TargetStatus = "Cannot be shown"
	targetShareWord              = "share"
)

// packTarget is a target as a pack shows it, evaluated.
type packTarget struct {
	store.Target
	Title   string // the strand's title, the question's text or the indicator's title
	Wanted  string // "50% at “Established” or higher by 31 March 2028"
	SetIn   string // the label of the round it was set in
	Now     string // the figure in the pack's round: "47%", or "" when hidden
	Status  TargetStatus
	Why     string // a sentence: why the status
	Editing string // the address of its form, for editors
}

// figure is one round's published figure that a target is judged on:
// whether it is shown, its value as shown (a whole percentage, or a mean
// to two places) and how the pack writes it.
type figure struct {
	Shown bool
	Value float64
	Text  string
}

// shownPercent is a share as the pack shows it ("47%"), as a figure.
func shownPercent(text string) figure {
	v, err := strconv.ParseFloat(strings.TrimSuffix(text, "%"), 64)
	return figure{Shown: err == nil, Value: v, Text: text}
}

// strandFigures are a strand's published figures in each round: its
// headline share or its mean.
func strandFigures(t store.Target, h report.Headline, row report.StrandRow) []figure {
	out := make([]figure, len(h.Shares))
	for i := range out {
		if t.Kind == store.TargetMean {
			if f := row.Figures[i]; !f.Hidden && f.Scored > 0 {
				out[i] = figure{Shown: true, Value: stats.Round(f.Mean), Text: stats.Figure(f.Mean)}
			}
		} else if s := h.Shares[i]; !s.Hidden && s.Scored > 0 {
			out[i] = figure{Shown: true, Value: float64(report.Percent(s)), Text: fmt.Sprintf("%d%%", report.Percent(s))}
		}
	}
	return out
}

// questionFigures are, in each round, the published share of a question's
// people who gave one answer (value): hidden where the round, the group
// asked or that answer's count is held back.
func questionFigures(rounds []report.RoundColumn, q report.QuestionDetail, value string) []figure {
	j := slices.IndexFunc(q.Values, func(o survey.Option) bool { return o.Value == value })
	out := make([]figure, len(q.Rounds))
	for i, r := range q.Rounds {
		if j < 0 || rounds[i].Suppressed || rounds[i].Open() || r.Hidden || r.Base == 0 || !r.Shown[j] {
			continue
		}
		out[i] = shownPercent(r.Percent(j))
	}
	return out
}

// indicatorFigures are, in each round, a reaches indicator's published
// share of everyone who reached its level.
func indicatorFigures(rounds []report.RoundColumn, in report.IndicatorDetail) []figure {
	out := make([]figure, len(rounds))
	if len(in.Rows) == 0 {
		return out
	}
	for i, r := range in.Rows[0].Rounds {
		if rounds[i].Suppressed || rounds[i].Open() || r.Hidden || r.Counted() == 0 {
			continue
		}
		out[i] = shownPercent(report.SharePercent(r.Share))
	}
	return out
}

// evaluate says where a target stands in the pack of the comparison's
// last round, from its subject's published figures in each round compared
// (strandFigures, questionFigures, indicatorFigures), and the pack's date:
//   - set in this round: the pack is of the round it was set in; it is
//     first evaluated in the next round's pack;
//   - cannot be shown: the last round's figure is held back;
//   - met: the figure as shown is at or above the target;
//   - off track: not met, and the date has passed, or the figure has not
//     risen since the first round of the comparison;
//   - on track: not met, the date is still to come, and the figure has
//     risen since the first round of the comparison.
//
// Every target, on a strand, question or indicator, is judged by this one
// rule.
func evaluate(t store.Target, figs []figure, setHere bool, today time.Time) (now string, st TargetStatus, why string) {
	if len(figs) == 0 || !figs[len(figs)-1].Shown {
		if setHere {
			return "", TargetSet, "it is first evaluated in the next round's pack"
		}
		return "", TargetNotShown, "this round's figure is held back to protect a small group, or has no answers"
	}
	latest := figs[len(figs)-1]
	first := figure{}
	if len(figs) > 1 {
		first = figs[0]
	}
	st, why = judge(t, first.Value, latest.Value, first.Shown, setHere, today)
	return latest.Text, st, why
}

// judge is evaluate's rule on the figures as shown: latest in the pack's
// round, first in the first round compared (when firstShown).
func judge(t store.Target, first, latest float64, firstShown, setHere bool, today time.Time) (TargetStatus, string) {
	switch {
	case setHere:
		return TargetSet, "it is first evaluated in the next round's pack"
	case latest >= t.Value:
		return TargetMet, "the figure has reached the target"
	case !today.Before(t.By.AddDate(0, 0, 1)):
		return TargetOffTrack, "the date has passed and the target is not reached"
	case firstShown && latest > first:
		return TargetOnTrack, "the figure has risen since the first round compared, and the date is still to come"
	}
	return TargetOffTrack, "the figure has not risen since the first round compared"
}

// wanted says what a target asks for, in the pack's words. counted says
// what a share counts: "at “Established” or higher", "who answered “Yes”".
func wanted(t store.Target, counted string) string {
	by := " by " + t.By.UTC().Format("2 January 2006")
	if t.Kind == store.TargetMean {
		return "a mean rating of " + stats.Figure(t.Value) + by
	}
	return strconv.FormatFloat(t.Value, 'f', -1, 64) + "% " + counted + by
}

// answerCounted says what a target on a question counts.
func answerCounted(q report.QuestionDetail, value string) string {
	label := value
	if j := slices.IndexFunc(q.Values, func(o survey.Option) bool { return o.Value == value }); j >= 0 {
		label = q.Values[j].Label
	}
	if q.Multiple() {
		return "of those asked who chose “" + label + "”"
	}
	return "who answered “" + label + "”"
}

// indicatorCounted is what a target on an indicator counts.
const indicatorCounted = "who have reached it"

// packTargets evaluates the survey's targets for a pack: each target set
// in the pack's round or an earlier one; the strands' in the survey's
// order of strands, then the indicators', then the questions', in the
// survey's order. A target on a question or indicator the survey no
// longer has is left out.
func (p *packPage) packTargets(targets []store.Target, order map[string]int, today time.Time) {
	idx := order[p.Round.ID]
	add := func(t store.Target, title, counted string, figs []figure) {
		set := order[t.Round]
		pt := packTarget{Target: t, Title: title, Wanted: wanted(t, counted), SetIn: p.roundLabel(t.Round)}
		pt.Now, pt.Status, pt.Why = evaluate(t, figs, set == idx, today)
		pt.Editing = p.targetURL(t.On, t.Subject)
		p.Targets = append(p.Targets, pt)
	}
	inPack := func(t store.Target, on store.TargetOn, subject string) bool {
		set, ok := order[t.Round]
		return t.On == on && t.Subject == subject && ok && set <= idx
	}
	for i := range p.Strands {
		ps := &p.Strands[i]
		for _, t := range targets {
			if inPack(t, store.OnStrand, ps.Section.ID) {
				add(t, ps.Section.Title, packPage{}.Counted(ps.Headline), strandFigures(t, ps.Headline, ps.Row))
			}
		}
	}
	for _, in := range p.Comparison.Indicators {
		for _, t := range targets {
			if in.Reaches() && inPack(t, store.OnIndicator, in.Indicator.ID) {
				add(t, in.Indicator.Title, indicatorCounted, indicatorFigures(p.Comparison.Rounds, in))
			}
		}
	}
	for _, q := range p.Comparison.Questions {
		for _, t := range targets {
			if !q.Number() && inPack(t, store.OnQuestion, q.Question.ID) {
				add(t, q.Question.Text, answerCounted(q, t.Option), questionFigures(p.Comparison.Rounds, q, t.Option))
			}
		}
	}
	// The strands' sections point at their targets once the list is whole.
	for i := range p.Strands {
		p.Strands[i].Target = p.TargetOf(p.Strands[i].Section.ID)
	}
}

// targetURL is the address of the form for the target on a strand,
// question or indicator, in the pack's round.
func (p packContext) targetURL(on store.TargetOn, subject string) string {
	u := "/r/" + p.Survey.ID + "/pack/targets/" + p.Round.ID + "/"
	if on != store.OnStrand {
		u += string(on) + "/"
	}
	return u + url.PathEscape(subject) + "?" + string(p.Query())
}

// The form.

type targetPage struct {
	session.Page
	packContext
	On       store.TargetOn
	Subject  string          // the strand's, question's or indicator's id
	Title    string          // the strand's title, the question's text or the indicator's title
	What     string          // "strand", "question" or "indicator"
	Action   string          // the form's address
	Headline report.Headline // a strand's
	// Options are a question's answers, one of which the target counts.
	Options          []survey.Option
	Multiple         bool // the question is a multiple choice
	Means            bool // a mean may be the target: a strand whose scale has more than three levels
	Kind, Value      string
	Option           string
	Day, Month, Year string
	Lowest, Highest  int // the scale's levels, for a mean
}

// ByDate is the date the target is to be reached by.
func (p targetPage) ByDate() dateInput {
	return dateInputOf(p.Page, "by", "To reach by", "For example, 31 3 2028", p.Day, p.Month, p.Year)
}

// Counted says what a strand's share counts.
func (p targetPage) Counted() string { return packPage{}.Counted(p.Headline) }

// OnStrand reports whether the target is on a strand.
func (p targetPage) OnStrand() bool { return p.On == store.OnStrand }

// OnIndicator reports whether the target is on an indicator.
func (p targetPage) OnIndicator() bool { return p.On == store.OnIndicator }

// targetPageFor reads what the target is on from the address: a strand
// (/targets/{round}/{strand}), a closed question other than a number
// (/targets/{round}/question/{id}) or a reaches indicator
// (/targets/{round}/indicator/{id}).
func (s *Pages) targetPageFor(c *fiber.Ctx, on store.TargetOn) (targetPage, error) {
	p, err := s.packRoundFor(c)
	if err != nil {
		return targetPage{}, err
	}
	tp := targetPage{packContext: p, On: on, Kind: targetShareWord}
	switch on {
	case store.OnQuestion:
		q, _, ok := p.Survey.Question(c.Params("id"))
		if !ok || !q.Spec().Options {
			return targetPage{}, fiber.NewError(http.StatusNotFound, "This survey has no question with set answers called "+c.Params("id"))
		}
		tp.Subject, tp.Title, tp.What, tp.Options, tp.Multiple = q.ID, q.Text, "question", q.AnswerOptions(), q.Spec().Multiple
		tp.Back = p.packURLAt("every-question")
	case store.OnIndicator:
		i := slices.IndexFunc(p.Survey.Indicators, func(in *survey.Indicator) bool {
			return in.ID == c.Params("id") && in.Type == survey.IndicatorReaches
		})
		if i < 0 {
			return targetPage{}, fiber.NewError(http.StatusNotFound, "This survey has no indicator of a share reaching a level called "+c.Params("id"))
		}
		in := p.Survey.Indicators[i]
		tp.Subject, tp.Title, tp.What = in.ID, in.Title, "indicator"
		tp.Back = p.packURLAt("indicators")
	default:
		sec, ok := strandOf(p.Survey, c.Params("strand"))
		if !ok {
			return targetPage{}, fiber.NewError(http.StatusNotFound, "This survey has no strand called "+c.Params("strand"))
		}
		_, scaleName := sec.Rated()
		sc := p.Survey.Scales[scaleName]
		good := report.GoodLevel(sc)
		tp.Subject, tp.Title, tp.What = sec.ID, sec.Title, "strand"
		tp.Headline = report.Headline{Section: sec, Good: good, Top: good.Value == sc.Levels[len(sc.Levels)-1].Value}
		tp.Means, tp.Lowest, tp.Highest = len(sc.Levels) > 3, sc.Levels[0].Value, sc.Levels[len(sc.Levels)-1].Value
		tp.Back = p.PackURL(sec.ID)
	}
	back := tp.Back
	tp.Page = session.PageFor(c, "Target for "+tp.Title)
	tp.Back = back
	tp.Action, _, _ = strings.Cut(p.targetURL(on, tp.Subject), "?")
	return tp, nil
}

// packURLAt is the pack's address at one of its sections.
func (p packContext) packURLAt(section string) string {
	return "/r/" + p.Survey.ID + "/pack?" + string(p.Query()) + "#" + section
}

func (s *Pages) strandTargetForm(c *fiber.Ctx) error    { return s.targetForm(c, store.OnStrand) }
func (s *Pages) questionTargetForm(c *fiber.Ctx) error  { return s.targetForm(c, store.OnQuestion) }
func (s *Pages) indicatorTargetForm(c *fiber.Ctx) error { return s.targetForm(c, store.OnIndicator) }
func (s *Pages) saveStrandTarget(c *fiber.Ctx) error    { return s.saveTarget(c, store.OnStrand) }
func (s *Pages) saveQuestionTarget(c *fiber.Ctx) error  { return s.saveTarget(c, store.OnQuestion) }
func (s *Pages) saveIndicatorTarget(c *fiber.Ctx) error { return s.saveTarget(c, store.OnIndicator) }

// pickQuestion is where the pack's "Set a target on a question" form,
// which works without JavaScript, goes (/question-targets/{round}?question=):
// on to the chosen question's form.
func (s *Pages) pickQuestion(c *fiber.Ctx) error {
	p, err := s.packRoundFor(c)
	if err != nil {
		return err
	}
	return c.Redirect(p.targetURL(store.OnQuestion, c.Query("question")), http.StatusSeeOther)
}

func (s *Pages) targetForm(c *fiber.Ctx, on store.TargetOn) error {
	p, err := s.targetPageFor(c, on)
	if err != nil {
		return err
	}
	ts, err := p.Board.Targets(c.UserContext(), p.Survey.ID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.On == p.On && t.Subject == p.Subject {
			p.Kind, p.Value, p.Option = string(t.Kind), strconv.FormatFloat(t.Value, 'f', -1, 64), t.Option
			p.Day, p.Month, p.Year = strconv.Itoa(t.By.Day()), strconv.Itoa(int(t.By.Month())), strconv.Itoa(t.By.Year())
		}
	}
	return s.render(c, http.StatusOK, "pack-target.html", p)
}

func (s *Pages) saveTarget(c *fiber.Ctx, on store.TargetOn) error {
	p, err := s.targetPageFor(c, on)
	if err != nil {
		return err
	}
	add := func(field, msg string) { p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: msg}) }
	p.Kind, p.Value = c.FormValue("kind", targetShareWord), strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c.FormValue("value")), "%"))
	if p.Kind != targetShareWord && !(p.Means && p.Kind == string(store.TargetMean)) {
		p.Kind = targetShareWord
		add("kind_share", "Select what the target counts")
	}
	if on == store.OnQuestion {
		p.Option = c.FormValue("option")
		if !slices.ContainsFunc(p.Options, func(o survey.Option) bool { return o.Value == p.Option }) {
			p.Option = ""
			add("option_0", "Select the answer the target counts")
		}
	}
	v, perr := strconv.ParseFloat(p.Value, 64)
	switch {
	case p.Value == "":
		add("value", "Enter the figure to reach")
	case perr != nil || math.IsNaN(v) || math.IsInf(v, 0):
		add("value", "The figure must be a number, for example 50")
	case p.Kind == targetShareWord && (v <= 0 || v > 100):
		add("value", "A share must be more than 0% and at most 100%")
	case p.Kind == string(store.TargetMean) && (v <= float64(p.Lowest) || v > float64(p.Highest)):
		add("value", fmt.Sprintf("A mean rating must be more than %d and at most %d", p.Lowest, p.Highest))
	}
	p.Day, p.Month, p.Year = strings.TrimSpace(c.FormValue("by_day")), strings.TrimSpace(c.FormValue("by_month")), strings.TrimSpace(c.FormValue("by_year"))
	by, msg := parseDate(p.Day, p.Month, p.Year)
	if msg != "" {
		add("by_day", strings.Replace(msg, "due date", "date", 1))
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "pack-target.html", p)
	}
	t := store.Target{SurveyID: p.Survey.ID, On: on, Subject: p.Subject, Option: p.Option, Kind: store.TargetKind(p.Kind), Value: v, By: by, Round: p.Round.ID, Updated: s.now()}
	if err := p.Board.SetTarget(c.UserContext(), t); err != nil {
		return err
	}
	what := p.Subject
	if on != store.OnStrand {
		what = string(on) + ":" + p.Subject
	}
	if err := s.sessions.Audit(c, "set Board pack target", p.Survey.ID+"/"+p.Round.ID+"/"+what); err != nil {
		return err
	}
	return c.Redirect(p.Back, http.StatusSeeOther)
}

// TargetCount sums the targets up in a sentence for the first page: how
// many are met, on track, off track, cannot be shown or were set in this
// round; each is written out in its strand's section.
func (p packPage) TargetCount() string {
	if len(p.Targets) == 0 {
		return "No targets are set yet."
	}
	var parts []string
	for _, st := range []TargetStatus{TargetMet, TargetOnTrack, TargetOffTrack, TargetNotShown, TargetSet} {
		n := 0
		for _, t := range p.Targets {
			if t.Status == st {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(string(st))))
		}
	}
	where := "Each strand's section says what its target is and why."
	if slices.ContainsFunc(p.Targets, func(t packTarget) bool { return t.On != store.OnStrand }) {
		where = "Each strand's, indicator's or question's section says what its target is and why."
	}
	return fmt.Sprintf("Of %d targets: %s. %s", len(p.Targets), packPage{}.Join(parts), where)
}

// OtherTargets are the evaluated targets on indicators and questions, for
// the first page.
func (p packPage) OtherTargets() []packTarget {
	var out []packTarget
	for _, t := range p.Targets {
		if t.On != store.OnStrand {
			out = append(out, t)
		}
	}
	return out
}

// TargetsOn are the evaluated targets on indicators ("indicator") or
// questions ("question"), for their section.
func (p packPage) TargetsOn(on string) []packTarget {
	var out []packTarget
	for _, t := range p.Targets {
		if t.On == store.TargetOn(on) {
			out = append(out, t)
		}
	}
	return out
}

// TargetOf is a strand's evaluated target, or nil.
func (p packPage) TargetOf(strand string) *packTarget {
	return p.TargetOn(string(store.OnStrand), strand)
}

// TargetOn is the evaluated target on an indicator ("indicator") or a
// question ("question"), or nil.
func (p packPage) TargetOn(on, subject string) *packTarget {
	for i, t := range p.Targets {
		if t.On == store.TargetOn(on) && t.Subject == subject {
			return &p.Targets[i]
		}
	}
	return nil
}

// TargetURL is the address of the form for a target on an indicator
// ("indicator") or question ("question").
func (p packPage) TargetURL(on, subject string) string {
	return p.targetURL(store.TargetOn(on), subject)
}

// TargetQuestions are the questions a target may be on: every closed
// question in the pack but numbers.
func (p packPage) TargetQuestions() []*survey.Question {
	var out []*survey.Question
	for _, q := range p.Comparison.Questions {
		if !q.Number() {
			out = append(out, q.Question)
		}
	}
	return out
}

// StrandTargets reports whether any strand has a target: the first page's
// table then has a column for them.
func (p packPage) StrandTargets() bool {
	return slices.ContainsFunc(p.Targets, func(t packTarget) bool { return t.On == store.OnStrand })
}
