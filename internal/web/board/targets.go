package board

// Targets: the figure the Board means a strand to reach by a date, set by
// staff who edit the pack, and evaluated in each later round's pack from
// the published figures (evaluate).

import (
	"fmt"
	"math"
	"net/http"
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
	Title   string // the strand's title
	Wanted  string // "50% at “Established” or higher by 31 March 2028"
	SetIn   string // the label of the round it was set in
	Now     string // the figure in the pack's round: "47%", or "" when hidden
	Status  TargetStatus
	Why     string // a sentence: why the status
	Editing string // the address of its form, for editors
}

// evaluate says where a target stands in the pack of the comparison's
// last round, from the strand's published figures (its headline share or
// its mean), and the pack's date:
//   - set in this round: the pack is of the round it was set in; it is
//     first evaluated in the next round's pack;
//   - cannot be shown: the last round's figure is held back;
//   - met: the figure as shown is at or above the target;
//   - off track: not met, and the date has passed, or the figure has not
//     risen since the first round of the comparison;
//   - on track: not met, the date is still to come, and the figure has
//     risen since the first round of the comparison.
func evaluate(t store.Target, h report.Headline, row report.StrandRow, setHere bool, today time.Time) (now string, st TargetStatus, why string) {
	last := len(h.Shares) - 1
	var shown bool
	var first, latest float64
	var firstShown bool
	if t.Kind == store.TargetMean {
		f := row.Figures[last]
		shown = !f.Hidden && f.Scored > 0
		latest = stats.Round(f.Mean)
		now = stats.Figure(f.Mean)
		if f0 := row.Figures[0]; last > 0 && !f0.Hidden && f0.Scored > 0 {
			first, firstShown = stats.Round(f0.Mean), true
		}
	} else {
		s := h.Shares[last]
		shown = !s.Hidden && s.Scored > 0
		latest = float64(report.Percent(s))
		now = fmt.Sprintf("%d%%", report.Percent(s))
		if s0 := h.Shares[0]; last > 0 && !s0.Hidden && s0.Scored > 0 {
			first, firstShown = float64(report.Percent(s0)), true
		}
	}
	if !shown {
		return "", TargetNotShown, "this round's figure on the strand is held back to protect a small group, or has no answers"
	}
	st, why = judge(t, first, latest, firstShown, setHere, today)
	return now, st, why
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

// wanted says what a target asks for, in the pack's words.
func wanted(t store.Target, h report.Headline) string {
	by := " by " + t.By.UTC().Format("2 January 2006")
	if t.Kind == store.TargetMean {
		return "a mean rating of " + stats.Figure(t.Value) + by
	}
	return strconv.FormatFloat(t.Value, 'f', -1, 64) + "% " + packPage{}.Counted(h) + by
}

// packTargets evaluates the survey's targets for a pack: each target set
// in the pack's round or an earlier one, in the survey's order of strands.
func (p *packPage) packTargets(targets []store.Target, order map[string]int, today time.Time) {
	idx := order[p.Round.ID]
	for i := range p.Strands {
		ps := &p.Strands[i]
		for _, t := range targets {
			set, ok := order[t.Round]
			if t.Strand != ps.Section.ID || !ok || set > idx {
				continue
			}
			pt := packTarget{Target: t, Title: ps.Section.Title, Wanted: wanted(t, ps.Headline), SetIn: p.roundLabel(t.Round)}
			pt.Now, pt.Status, pt.Why = evaluate(t, ps.Headline, ps.Row, set == idx, today)
			pt.Editing = "/r/" + p.Survey.ID + "/pack/targets/" + p.Round.ID + "/" + ps.Section.ID + "?" + string(p.Query())
			ps.Target = &pt
			p.Targets = append(p.Targets, pt)
		}
	}
}

// The form.

type targetPage struct {
	session.Page
	packContext
	Strand           *survey.Section
	Headline         report.Headline
	Means            bool // a mean may be the target: the scale has more than three levels
	Kind, Value      string
	Day, Month, Year string
	Lowest, Highest  int // the scale's levels, for a mean
}

// DateFields are the date's boxes: day, month and year.
func (p targetPage) DateFields() []dateField {
	return []dateField{{"day", "Day", p.Day, 2}, {"month", "Month", p.Month, 2}, {"year", "Year", p.Year, 4}}
}

// Counted says what the share counts.
func (p targetPage) Counted() string { return packPage{}.Counted(p.Headline) }

func (s *Pages) targetPageFor(c *fiber.Ctx) (targetPage, error) {
	p, err := s.packRoundFor(c)
	if err != nil {
		return targetPage{}, err
	}
	sec, ok := strandOf(p.Survey, c.Params("strand"))
	if !ok {
		return targetPage{}, fiber.NewError(http.StatusNotFound, "This survey has no strand called "+c.Params("strand"))
	}
	_, scaleName := sec.Rated()
	sc := p.Survey.Scales[scaleName]
	good := report.GoodLevel(sc)
	h := report.Headline{Section: sec, Good: good, Top: good.Value == sc.Levels[len(sc.Levels)-1].Value}
	tp := targetPage{Page: session.PageFor(c, "Target for "+sec.Title), packContext: p, Strand: sec, Headline: h,
		Means: len(sc.Levels) > 3, Kind: targetShareWord, Lowest: sc.Levels[0].Value, Highest: sc.Levels[len(sc.Levels)-1].Value}
	tp.Back = p.PackURL(sec.ID)
	return tp, nil
}

func (s *Pages) targetForm(c *fiber.Ctx) error {
	p, err := s.targetPageFor(c)
	if err != nil {
		return err
	}
	ts, err := p.Board.Targets(c.UserContext(), p.Survey.ID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Strand == p.Strand.ID {
			p.Kind, p.Value = string(t.Kind), strconv.FormatFloat(t.Value, 'f', -1, 64)
			p.Day, p.Month, p.Year = strconv.Itoa(t.By.Day()), strconv.Itoa(int(t.By.Month())), strconv.Itoa(t.By.Year())
		}
	}
	return s.render(c, http.StatusOK, "pack-target.html", p)
}

func (s *Pages) saveTarget(c *fiber.Ctx) error {
	p, err := s.targetPageFor(c)
	if err != nil {
		return err
	}
	add := func(field, msg string) { p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: msg}) }
	p.Kind, p.Value = c.FormValue("kind"), strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(c.FormValue("value")), "%"))
	if p.Kind != targetShareWord && !(p.Means && p.Kind == string(store.TargetMean)) {
		p.Kind = targetShareWord
		add("kind_share", "Select what the target counts")
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
	t := store.Target{SurveyID: p.Survey.ID, Strand: p.Strand.ID, Kind: store.TargetKind(p.Kind), Value: v, By: by, Round: p.Round.ID, Updated: s.now()}
	if err := p.Board.SetTarget(c.UserContext(), t); err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "set Board pack target", p.Survey.ID+"/"+p.Round.ID+"/"+p.Strand.ID); err != nil {
		return err
	}
	return c.Redirect(p.PackURL(p.Strand.ID), http.StatusSeeOther)
}

// TargetOf is a strand's evaluated target, or nil.
func (p packPage) TargetOf(strand string) *packTarget {
	for i := range p.Targets {
		if p.Targets[i].Target.Strand == strand {
			return &p.Targets[i]
		}
	}
	return nil
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
	return fmt.Sprintf("Of %d targets: %s. Each strand's section says what its target is and why.", len(p.Targets), packPage{}.Join(parts))
}
