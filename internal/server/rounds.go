package server

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London on an image with no zone files

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// adminStore is what the administrators' pages need of a store; Store
// embeds it.
type adminStore interface {
	SetRoundState(ctx context.Context, r store.RoundState) error
	AddRound(ctx context.Context, r store.RoundState) error
	RoundStates(ctx context.Context, surveyID string) ([]store.RoundState, error)
	CountResponses(ctx context.Context, surveyID, round string) (int, error)
	DeleteResponse(ctx context.Context, reference string) error
	DeleteResponses(ctx context.Context, surveyID, round string) (int, error)
	AllResponses(ctx context.Context, fn func(survey.Response) error) error
	AllInvitations(ctx context.Context, fn func(survey.Invitation, bool) error) error
	AllAudit(ctx context.Context, fn func(store.AuditEntry) error) error
	SetAccountDisabled(ctx context.Context, id string, disabled bool) error
	SetPasswordHash(ctx context.Context, id, hash string) error
}

// RoundNow is a round as it stands: declared in the survey file (or added
// by staff), with the state staff have set. Round.Open is whether it is
// open now, and Round.Practice whether it is a practice round.
type RoundNow struct {
	survey.Round
	State store.RoundState // what is stored; for a file's round never changed, its initial state
}

// Status says in words whether the round is open, and when that changes.
func (r RoundNow) Status(now time.Time) string {
	st := r.State
	switch {
	case !st.Open:
		return "Closed"
	case !st.OpensAt.IsZero() && now.Before(st.OpensAt):
		return "Scheduled: opens " + londonTime(st.OpensAt) + closesText(st)
	case !st.ClosesAt.IsZero() && !now.Before(st.ClosesAt):
		return "Closed on " + londonTime(st.ClosesAt)
	case !st.ClosesAt.IsZero():
		return "Open until " + londonTime(st.ClosesAt)
	}
	return "Open"
}

func closesText(st store.RoundState) string {
	if st.ClosesAt.IsZero() {
		return ""
	}
	return ", closes " + londonTime(st.ClosesAt)
}

// london is the zone staff enter and read times in.
var london = func() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // embedded by time/tzdata
	}
	return l
}()

func londonTime(t time.Time) string { return t.In(london).Format("2 January 2006 15:04") }

// roundsFor returns a survey's rounds as they stand at s.now(): the file's
// rounds in the file's order, then the rounds staff added, oldest first.
// A report choosing rounds to compare uses this (or comparableRounds) so
// that it sees added rounds and leaves out practice ones.
func (s *Server) roundsFor(ctx context.Context, d *survey.Definition) ([]RoundNow, error) {
	states, err := s.store.RoundStates(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	stored := map[string]store.RoundState{}
	for _, st := range states {
		stored[st.Round] = st
	}
	now := s.now()
	var out []RoundNow
	for _, r := range d.Rounds {
		st, ok := stored[r.ID]
		if !ok {
			st = store.RoundState{SurveyID: d.ID, Round: r.ID, Open: r.Open, Practice: r.Practice}
		}
		delete(stored, r.ID)
		r.Open, r.Practice = st.OpenAt(now), st.Practice
		out = append(out, RoundNow{Round: r, State: st})
	}
	for _, st := range states {
		if _, ok := stored[st.Round]; !ok || !st.Added {
			continue // declared in the file, or a state left from a round since removed from it
		}
		r := survey.Round{ID: st.Round, Label: st.Label, Open: st.OpenAt(now), Practice: st.Practice}
		out = append(out, RoundNow{Round: r, State: st})
	}
	return out, nil
}

// roundOf returns one round of a survey as it stands now.
func (s *Server) roundOf(ctx context.Context, d *survey.Definition, id string) (RoundNow, bool, error) {
	all, err := s.roundsFor(ctx, d)
	if err != nil {
		return RoundNow{}, false, err
	}
	for _, r := range all {
		if r.ID == id {
			return r, true, nil
		}
	}
	return RoundNow{}, false, nil
}

// comparableRounds are the rounds a report may compare: every round but
// practice ones.
func (s *Server) comparableRounds(ctx context.Context, d *survey.Definition) ([]survey.Round, error) {
	all, err := s.roundsFor(ctx, d)
	if err != nil {
		return nil, err
	}
	var out []survey.Round
	for _, r := range all {
		if !r.Practice {
			out = append(out, r.Round)
		}
	}
	return out, nil
}

// The catalogue.

type catalogueSurvey struct {
	*survey.Definition
	Rounds []catalogueRound
}

type catalogueRound struct {
	RoundNow
	Status    string
	Responses int
}

type cataloguePage struct {
	staffPage
	Surveys []catalogueSurvey
}

func (s *Server) catalogue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := cataloguePage{staffPage: s.staffPageFor(c, "Surveys and rounds")}
	for _, d := range s.surveys.All() {
		rounds, err := s.roundsFor(ctx, d)
		if err != nil {
			return err
		}
		cs := catalogueSurvey{Definition: d}
		for _, r := range rounds {
			n, err := s.store.CountResponses(ctx, d.ID, r.ID)
			if err != nil {
				return err
			}
			cs.Rounds = append(cs.Rounds, catalogueRound{RoundNow: r, Status: r.Status(s.now()), Responses: n})
		}
		p.Surveys = append(p.Surveys, cs)
	}
	return s.render(c, http.StatusOK, "staff-surveys.html", p)
}

// One round.

// roundPage is a round's page: its state, and the forms that change it.
type roundPage struct {
	staffPage
	Survey    *survey.Definition
	Round     RoundNow
	Status    string
	Responses int
	OpensAt   string // as entered, or as stored, for the schedule form
	ClosesAt  string
	Base      string // the round's staff address
}

// ErrorFor is the error message for a field, for the inline error above it.
func (p roundPage) ErrorFor(field string) string { return fieldMessage(p.Errors, field) }

// staffRound finds the survey and round in the address, or answers 404.
func (s *Server) staffRound(c *fiber.Ctx) (*survey.Definition, RoundNow, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil, RoundNow{}, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	r, ok, err := s.roundOf(c.UserContext(), d, c.Params("round"))
	if err != nil {
		return nil, RoundNow{}, err
	}
	if !ok {
		return nil, RoundNow{}, fiber.NewError(http.StatusNotFound, "There is no round of this survey at this address")
	}
	return d, r, nil
}

func roundBase(d *survey.Definition, r RoundNow) string {
	return "/staff/surveys/" + d.ID + "/rounds/" + r.ID
}

func (s *Server) roundPageFor(c *fiber.Ctx, d *survey.Definition, r RoundNow) (roundPage, error) {
	n, err := s.store.CountResponses(c.UserContext(), d.ID, r.ID)
	if err != nil {
		return roundPage{}, err
	}
	p := roundPage{staffPage: s.staffPageFor(c, d.Title+": "+r.Label), Survey: d, Round: r, Status: r.Status(s.now()), Responses: n, Base: roundBase(d, r)}
	p.Back = "/staff/surveys"
	if !r.State.OpensAt.IsZero() {
		p.OpensAt = r.State.OpensAt.In(london).Format(timeLayout)
	}
	if !r.State.ClosesAt.IsZero() {
		p.ClosesAt = r.State.ClosesAt.In(london).Format(timeLayout)
	}
	return p, nil
}

func (s *Server) roundView(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	p, err := s.roundPageFor(c, d, r)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-round.html", p)
}

// changeRound stores a changed state, writes the audit entry and goes
// back to the round's page.
func (s *Server) changeRound(c *fiber.Ctx, d *survey.Definition, r RoundNow, change func(*store.RoundState), action, detail string) error {
	st := r.State
	change(&st)
	now := s.now().UTC()
	if st.Created.IsZero() {
		st.Created = now
	}
	st.Updated = now
	if err := s.store.SetRoundState(c.UserContext(), st); err != nil {
		return err
	}
	target := d.ID + "/" + r.ID
	if detail != "" {
		target += ": " + detail
	}
	if err := s.audit(c, staffOf(c).Account.Email, action, target); err != nil {
		return err
	}
	return c.Redirect(roundBase(d, r), http.StatusSeeOther)
}

func (s *Server) openRound(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	return s.changeRound(c, d, r, func(st *store.RoundState) {
		st.Open, st.OpensAt, st.ClosesAt = true, time.Time{}, time.Time{}
	}, "opened round", "")
}

func (s *Server) closeRoundForm(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	return s.confirm(c, confirmPage{
		Heading: "Close " + r.Label + "?",
		Warning: "People will no longer be able to answer " + d.Title + " in this round. Anyone part way through will not be able to send their answers. You can open the round again.",
		Action:  roundBase(d, r) + "/close", Button: "Close the round", Cancel: roundBase(d, r),
	})
}

func (s *Server) closeRound(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(roundBase(d, r)+"/close", http.StatusSeeOther)
	}
	return s.changeRound(c, d, r, func(st *store.RoundState) {
		st.Open, st.OpensAt, st.ClosesAt = false, time.Time{}, time.Time{}
	}, "closed round", "")
}

func (s *Server) practiceRound(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	practice := c.FormValue("practice") == "yes"
	action := "marked round as practice"
	if !practice {
		action = "marked round as not practice"
	}
	return s.changeRound(c, d, r, func(st *store.RoundState) { st.Practice = practice }, action, "")
}

// timeLayout is how staff enter times, in UK time.
const timeLayout = "2/1/2006 15:04"

// parseLondon reads a time as staff enter it: "1/12/2026 09:00", or a date
// alone for midnight at its start.
func parseLondon(v string) (time.Time, bool) {
	v = strings.Join(strings.Fields(v), " ")
	for _, layout := range []string{timeLayout, "2/1/2006 15.04", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, v, london); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *Server) scheduleRound(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	p, err := s.roundPageFor(c, d, r)
	if err != nil {
		return err
	}
	p.OpensAt, p.ClosesAt = strings.TrimSpace(c.FormValue("opens_at")), strings.TrimSpace(c.FormValue("closes_at"))
	var opens, closes time.Time
	add := func(field, message string) {
		p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
	}
	for _, f := range []struct {
		field, value string
		into         *time.Time
	}{{"opens_at", p.OpensAt, &opens}, {"closes_at", p.ClosesAt, &closes}} {
		if f.value == "" {
			continue
		}
		t, ok := parseLondon(f.value)
		if !ok {
			add(f.field, "Enter a date and time like 1/12/2026 09:00")
			continue
		}
		*f.into = t
	}
	switch {
	case len(p.Errors) > 0:
	case opens.IsZero() && closes.IsZero():
		add("opens_at", "Enter when the round opens, when it closes, or both")
	case !opens.IsZero() && !closes.IsZero() && !closes.After(opens):
		add("closes_at", "The closing time must be after the opening time")
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-round.html", p)
	}
	var detail []string
	if !opens.IsZero() {
		detail = append(detail, "opens "+opens.Format(time.RFC3339))
	}
	if !closes.IsZero() {
		detail = append(detail, "closes "+closes.Format(time.RFC3339))
	}
	return s.changeRound(c, d, r, func(st *store.RoundState) {
		st.Open, st.OpensAt, st.ClosesAt = true, opens, closes
	}, "scheduled round", strings.Join(detail, ", "))
}

// Adding a round.

// roundID is the form of a round id staff may add: what a survey file
// allows, and safe in an address.
var roundID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

type newRoundPage struct {
	staffPage
	Survey    *survey.Definition
	ID, Label string
}

// ErrorFor is the error message for a field, for the inline error above it.
func (p newRoundPage) ErrorFor(field string) string { return fieldMessage(p.Errors, field) }

func (s *Server) newRoundForm(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	p := newRoundPage{staffPage: s.staffPageFor(c, d.Title+": add a round"), Survey: d}
	p.Back = "/staff/surveys"
	return s.render(c, http.StatusOK, "staff-round-new.html", p)
}

// addRound adds a round to a survey without editing its file. It starts
// closed, so that staff can check it before opening it.
func (s *Server) addRound(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	p := newRoundPage{staffPage: s.staffPageFor(c, d.Title+": add a round"), Survey: d,
		ID: strings.TrimSpace(c.FormValue("id")), Label: strings.TrimSpace(c.FormValue("label"))}
	p.Back = "/staff/surveys"
	if !roundID.MatchString(p.ID) || len(p.ID) > 40 {
		p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "Enter an id of 40 characters or fewer: small letters, digits and hyphens, like spring-2027"})
	}
	if p.Label == "" || len(p.Label) > 100 {
		p.Errors = append(p.Errors, survey.FieldError{Field: "label", Message: "Enter a name for the round, in 100 characters or fewer"})
	}
	if len(p.Errors) == 0 {
		if _, exists, err := s.roundOf(c.UserContext(), d, p.ID); err != nil {
			return err
		} else if exists {
			p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "This survey already has a round with this id"})
		}
	}
	if len(p.Errors) == 0 {
		now := s.now().UTC()
		err := s.store.AddRound(c.UserContext(), store.RoundState{SurveyID: d.ID, Round: p.ID, Label: p.Label, Added: true, Created: now, Updated: now})
		if isConflict(err) {
			p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "This survey already has a round with this id"})
		} else if err != nil {
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-round-new.html", p)
	}
	if err := s.audit(c, staffOf(c).Account.Email, "added round", fmt.Sprintf("%s/%s (%s)", d.ID, p.ID, p.Label)); err != nil {
		return err
	}
	return c.Redirect("/staff/surveys/"+d.ID+"/rounds/"+p.ID, http.StatusSeeOther)
}
