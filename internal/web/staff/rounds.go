package staff

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/London on an image with no zone files
	"unicode"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// The catalogue.

type catalogueSurvey struct {
	*survey.Definition
	Rounds []catalogueRound
	// InLanguages are the survey's languages, for a preview in each, when
	// it is written in more than one.
	InLanguages []survey.Option
}

type catalogueRound struct {
	rounds.Now
	Status    string
	Responses int
}

// cataloguePage lists the surveys served and the survey files refused for
// their problems, so that administrators see a broken file without
// reading the service's log.
type cataloguePage struct {
	session.Page
	Surveys []catalogueSurvey
	Refused []survey.Refusal
	// Unpublished are the surveys with versions in the store, none of
	// them published yet: new surveys being made.
	Unpublished []string
}

func (s *Pages) catalogue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := cataloguePage{Page: session.PageFor(c, "Surveys and rounds"), Refused: s.surveys.Refused()}
	for _, d := range s.surveys.All() {
		all, err := rounds.Of(ctx, s.st, d, s.now())
		if err != nil {
			return err
		}
		cs := catalogueSurvey{Definition: d}
		for _, code := range d.Languages {
			if i := slices.IndexFunc(survey.Languages, func(o survey.Option) bool { return o.Value == code }); i >= 0 && len(d.Languages) > 1 {
				cs.InLanguages = append(cs.InLanguages, survey.Languages[i])
			}
		}
		for _, r := range all {
			n, err := s.st.CountResponses(ctx, d.ID, r.ID)
			if err != nil {
				return err
			}
			cs.Rounds = append(cs.Rounds, catalogueRound{Now: r, Status: r.Status(s.now()), Responses: n})
		}
		p.Surveys = append(p.Surveys, cs)
	}
	ids, err := s.st.SurveysWithVersions(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, served := s.surveys.Survey(id); !served {
			p.Unpublished = append(p.Unpublished, id)
		}
	}
	return s.render(c, http.StatusOK, "staff-surveys.html", p)
}

// One round.

// roundPage is a round's page: its state, and the forms that change it.
type roundPage struct {
	session.Page
	Survey    *survey.Definition
	Round     rounds.Now
	Status    string
	Responses int
	OpensAt   string // as entered, or as stored, for the schedule form
	ClosesAt  string
	// Reminders is the reminder schedule in words; ReminderDays and
	// MostReminders are the form's values, as entered or as in force.
	Reminders string
	// RemindersFrom says where a schedule no administrator has saved
	// comes from: "the survey file" or "the service's default".
	RemindersFrom               string
	ReminderDays, MostReminders string
	Base                        string // the round's staff address
	// Address is the respondents' full address, to copy into a message
	// or a poster, with its QR code at Base+"/qr.png".
	Address string
	// What the round's state allows: opening it now (it is not open),
	// closing it now (open, or scheduled) and deleting its responses
	// (closed).
	CanOpen, CanClose, CanDelete bool
	// Retention says until when the round's responses are kept, in
	// words; RetentionPassed is set once that day has come.
	Retention       string
	RetentionPassed bool
}

// staffRound finds the survey and round in the address, or answers 404.
func (s *Pages) staffRound(c *fiber.Ctx) (*survey.Definition, rounds.Now, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil, rounds.Now{}, fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	r, ok, err := rounds.One(c.UserContext(), s.st, d, c.Params("round"), s.now())
	if err != nil {
		return nil, rounds.Now{}, err
	}
	if !ok {
		return nil, rounds.Now{}, fiber.NewError(http.StatusNotFound, "There is no round of this survey at this address")
	}
	return d, r, nil
}

func roundBase(d *survey.Definition, r rounds.Now) string {
	return "/staff/surveys/" + d.ID + "/rounds/" + r.ID
}

func (s *Pages) roundPageFor(c *fiber.Ctx, d *survey.Definition, r rounds.Now) (roundPage, error) {
	n, err := s.st.CountResponses(c.UserContext(), d.ID, r.ID)
	if err != nil {
		return roundPage{}, err
	}
	p := roundPage{Page: session.PageFor(c, d.Title+": "+r.Label), Survey: d, Round: r, Status: r.Status(s.now()), Responses: n, Base: roundBase(d, r)}
	p.Back = "/staff/surveys"
	rem := r.State.Reminders
	p.Reminders, p.MostReminders = rounds.RemindersText(rem), strconv.Itoa(rem.Most)
	switch {
	case rem.Set:
	case d.Email != nil && len(d.Email.ReminderDays) > 0:
		p.RemindersFrom = "the survey file"
	default:
		p.RemindersFrom = "the service's default"
	}
	days := make([]string, len(rem.Days))
	for i, d := range rem.Days {
		days[i] = strconv.Itoa(d)
	}
	p.ReminderDays = strings.Join(days, ", ")
	if !r.State.OpensAt.IsZero() {
		p.OpensAt = r.State.OpensAt.In(rounds.London).Format(timeLayout)
	}
	if !r.State.ClosesAt.IsZero() && r.State.Open {
		p.ClosesAt = r.State.ClosesAt.In(rounds.London).Format(timeLayout)
	}
	p.Address = s.respondentAddress(d, r)
	p.CanOpen, p.CanClose, p.CanDelete = !r.Open, r.State.Open && (r.Open || !r.State.OpensAt.IsZero() && s.now().Before(r.State.OpensAt)), !r.Open
	p.Retention, p.RetentionPassed = retentionText(d, r, s.now())
	return p, nil
}

// respondentAddress is the full address respondents open a round at.
func (s *Pages) respondentAddress(d *survey.Definition, r rounds.Now) string {
	return s.baseURL + "/s/" + d.ID + "/" + r.ID
}

// retentionText says until when a round's responses are kept, and
// whether that day has come.
func retentionText(d *survey.Definition, r rounds.Now, now time.Time) (string, bool) {
	months := fmt.Sprintf("%d %s", d.RetentionMonths, plural(d.RetentionMonths, "month", "months"))
	until, ok := r.KeptUntil(d, now)
	switch {
	case d.RetentionMonths == 0:
		return "No retention period is set (retention_months in the survey file): the Trust decides how long these responses are kept, and an administrator deletes them here.", false
	case ok && !now.Before(until):
		return fmt.Sprintf("Kept for %s after the round closed: until %s. That date has passed: delete them now.", months, rounds.LondonDate(until)), true
	case ok:
		return fmt.Sprintf("Kept for %s after the round closed: until %s.", months, rounds.LondonDate(until)), false
	case r.Open || r.State.Open:
		if !r.State.ClosesAt.IsZero() {
			return fmt.Sprintf("Kept for %s after the round closes: until %s, if it closes as scheduled.", months, rounds.LondonDate(r.State.ClosesAt.In(rounds.London).AddDate(0, d.RetentionMonths, 0))), false
		}
		return fmt.Sprintf("Kept for %s after the round closes. It has no closing time yet, so there is no date yet.", months), false
	}
	return fmt.Sprintf("Kept for %s after the round closed. When it closed was not recorded (it closed before the service kept that), so count from your own records.", months), false
}

// roundPage finds the round in the address and makes its page.
func (s *Pages) roundPage(c *fiber.Ctx) (*survey.Definition, rounds.Now, roundPage, error) {
	d, r, err := s.staffRound(c)
	if err != nil {
		return nil, r, roundPage{}, err
	}
	p, err := s.roundPageFor(c, d, r)
	return d, r, p, err
}

// add is a problem with one of the page's form fields.
func (p *roundPage) add(field, message string) {
	p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
}

func (s *Pages) roundView(c *fiber.Ctx) error {
	_, _, p, err := s.roundPage(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "staff-round.html", p)
}

// changeRound stores a changed state, writes the audit entry and goes
// back to the round's page.
func (s *Pages) changeRound(c *fiber.Ctx, d *survey.Definition, r rounds.Now, change func(*store.RoundState), action, detail string) error {
	st := r.State
	change(&st)
	now := s.now().UTC()
	if st.Created.IsZero() {
		st.Created = now
	}
	st.Updated = now
	if err := s.st.SetRoundState(c.UserContext(), st); err != nil {
		return err
	}
	target := d.ID + "/" + r.ID
	if detail != "" {
		target += ": " + detail
	}
	if err := s.sessions.Audit(c, action, target); err != nil {
		return err
	}
	return c.Redirect(roundBase(d, r), http.StatusSeeOther)
}

func (s *Pages) openRound(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	return s.changeRound(c, d, r, func(st *store.RoundState) {
		st.Open, st.OpensAt, st.ClosesAt = true, time.Time{}, time.Time{}
	}, "opened round", "")
}

func (s *Pages) closeRoundForm(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	return s.confirm(c, confirmPage{
		Heading: "Close " + r.Label + "?",
		Warning: "People will no longer be able to answer " + d.Title + " in this round. Anyone part way through will not be able to send their answers. The round's figures are then published in its report, once: you can open the round again, but responses sent after that will not be in them.",
		Action:  roundBase(d, r) + "/close", Button: "Close the round", Cancel: roundBase(d, r),
	})
}

func (s *Pages) closeRound(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(roundBase(d, r)+"/close", http.StatusSeeOther)
	}
	// The moment it closed is kept (ClosesAt, with Open false), so that
	// the round's page can say until when its responses are kept.
	now := s.now().UTC()
	return s.changeRound(c, d, r, func(st *store.RoundState) {
		st.Open, st.OpensAt, st.ClosesAt = false, time.Time{}, now
	}, "closed round", "")
}

func (s *Pages) practiceRound(c *fiber.Ctx) error {
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
		if t, err := time.ParseInLocation(layout, v, rounds.London); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *Pages) scheduleRound(c *fiber.Ctx) error {
	d, r, p, err := s.roundPage(c)
	if err != nil {
		return err
	}
	p.OpensAt, p.ClosesAt = strings.TrimSpace(c.FormValue("opens_at")), strings.TrimSpace(c.FormValue("closes_at"))
	var opens, closes time.Time
	add := p.add
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

// parseReminderDays reads the days of a reminder schedule as staff enter
// them, "7, 14" or "7 14", ascending and each once; empty is none.
func parseReminderDays(v string) ([]int, string) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || unicode.IsSpace(r) })
	days := []int{}
	for _, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > survey.MaxReminderDay {
			return nil, fmt.Sprintf("Enter days as whole numbers from 1 to %d, separated by commas, like 7, 14", survey.MaxReminderDay)
		}
		days = append(days, n)
	}
	slices.Sort(days)
	if len(slices.Compact(slices.Clone(days))) != len(days) {
		return nil, "Enter each day once"
	}
	if len(days) > survey.MaxReminders {
		return nil, fmt.Sprintf("Enter at most %d days", survey.MaxReminders)
	}
	return days, ""
}

// setReminders sets the round's reminder schedule: the days after each
// person's invitation when a reminder goes to those whose link is unused,
// and the most one person is sent, on the schedule and on demand.
func (s *Pages) setReminders(c *fiber.Ctx) error {
	d, r, p, err := s.roundPage(c)
	if err != nil {
		return err
	}
	p.ReminderDays, p.MostReminders = strings.TrimSpace(c.FormValue("reminder_days")), strings.TrimSpace(c.FormValue("most_reminders"))
	add := p.add
	days, problem := parseReminderDays(p.ReminderDays)
	if problem != "" {
		add("reminder_days", problem)
	}
	most, err := strconv.Atoi(p.MostReminders)
	switch {
	case err != nil || most < 0 || most > survey.MaxReminders:
		add("most_reminders", fmt.Sprintf("Enter the most reminders one person may be sent, a whole number from 0 to %d", survey.MaxReminders))
	case problem == "" && most < len(days):
		add("most_reminders", fmt.Sprintf("The most reminders must be at least the number of days in the schedule (%d)", len(days)))
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-round.html", p)
	}
	rem := store.Reminders{Set: true, Days: days, Most: most}
	return s.changeRound(c, d, r, func(st *store.RoundState) { st.Reminders = rem }, "set reminder schedule", rounds.RemindersText(rem))
}

// Adding a round.

// roundID is the form of a round id staff may add: what a survey file
// allows, and safe in an address.
var roundID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

type newRoundPage struct {
	session.Page
	Survey    *survey.Definition
	ID, Label string
}

func (s *Pages) newRoundForm(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	p := newRoundPage{Page: session.PageFor(c, d.Title+": add a round"), Survey: d}
	p.Back = "/staff/surveys"
	return s.render(c, http.StatusOK, "staff-round-new.html", p)
}

// addRound adds a round to a survey without editing its file. It starts
// closed, so that staff can check it before opening it.
func (s *Pages) addRound(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "There is no survey at this address")
	}
	p := newRoundPage{Page: session.PageFor(c, d.Title+": add a round"), Survey: d,
		ID: strings.TrimSpace(c.FormValue("id")), Label: strings.TrimSpace(c.FormValue("label"))}
	p.Back = "/staff/surveys"
	if !roundID.MatchString(p.ID) || len(p.ID) > 40 {
		p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "Enter an id of 40 characters or fewer: small letters, digits and hyphens, like spring-2027"})
	}
	if p.Label == "" || len(p.Label) > 100 {
		p.Errors = append(p.Errors, survey.FieldError{Field: "label", Message: "Enter a name for the round, in 100 characters or fewer"})
	}
	if len(p.Errors) == 0 {
		if _, exists, err := rounds.One(c.UserContext(), s.st, d, p.ID, s.now()); err != nil {
			return err
		} else if exists {
			p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "This survey already has a round with this id"})
		}
	}
	if len(p.Errors) == 0 {
		now := s.now().UTC()
		err := s.st.AddRound(c.UserContext(), store.RoundState{SurveyID: d.ID, Round: p.ID, Label: p.Label, Added: true, Created: now, Updated: now})
		if isConflict(err) {
			p.Errors = append(p.Errors, survey.FieldError{Field: "id", Message: "This survey already has a round with this id"})
		} else if err != nil {
			return err
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-round-new.html", p)
	}
	if err := s.sessions.Audit(c, "added round", fmt.Sprintf("%s/%s (%s)", d.ID, p.ID, p.Label)); err != nil {
		return err
	}
	return c.Redirect("/staff/surveys/"+d.ID+"/rounds/"+p.ID, http.StatusSeeOther)
}
