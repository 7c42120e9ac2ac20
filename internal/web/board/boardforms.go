package board

// The Board pack's forms: the commentary on a strand, and adding and
// updating actions. The pack itself is in board.go.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web/session"
)

// Commentary.

type commentaryPage struct {
	session.Page
	packContext
	Strand          *survey.Section
	Know, How, Next string
	Max             int
}

// textField is one box of a form, with its error.
type textField struct{ ID, Label, Hint, Value, Error string }

// Fields are the commentary's three boxes.
func (p commentaryPage) Fields() []textField {
	return []textField{
		{"know", "What we know", "What the figures and other evidence say about this strand", p.Know, p.ErrorFor("know")},
		{"how", "How we know", "Where the evidence comes from: this survey, audits, case reviews", p.How, p.ErrorFor("how")},
		{"next", "What next", "What the partnership will do, and how the Board will know it worked", p.Next, p.ErrorFor("next")},
	}
}

// packRoundFor reads a pack whose round is the one in the address, with
// the rounds chosen for the way back from the query or the form.
func (s *Pages) packRoundFor(c *fiber.Ctx) (packContext, error) {
	a, b := c.Query("a"), c.Query("b")
	if c.Method() == fiber.MethodPost {
		a, b = c.FormValue("a"), c.FormValue("b")
	}
	round := c.Params("round")
	if round == "" {
		round = c.Query("round")
		if c.Method() == fiber.MethodPost {
			round = c.FormValue("round")
		}
	}
	if a == "" && b == "" {
		a = round
	}
	p, err := s.packFor(c, a, b)
	if err != nil {
		return packContext{}, err
	}
	if round != p.Round.ID {
		return packContext{}, fiber.NewError(http.StatusNotFound, "The rounds in this address do not make a pack for "+round)
	}
	return p, nil
}

func (s *Pages) commentaryPageFor(c *fiber.Ctx) (commentaryPage, error) {
	p, err := s.packRoundFor(c)
	if err != nil {
		return commentaryPage{}, err
	}
	sec, ok := strandOf(p.Survey, c.Params("strand"))
	if !ok {
		return commentaryPage{}, fiber.NewError(http.StatusNotFound, "This survey has no strand called "+c.Params("strand"))
	}
	return commentaryPage{Page: session.PageFor(c, "Commentary on "+sec.Title), packContext: p, Strand: sec, Max: commentaryMax}, nil
}

func (s *Pages) commentaryForm(c *fiber.Ctx) error {
	p, err := s.commentaryPageFor(c)
	if err != nil {
		return err
	}
	cm, err := p.Board.Commentary(c.UserContext(), p.Survey.ID, p.Round.ID, p.Strand.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	p.Know, p.How, p.Next = cm.Know, cm.How, cm.Next
	p.Back = p.PackURL(p.Strand.ID)
	return s.render(c, http.StatusOK, "pack-commentary.html", p)
}

func (s *Pages) saveCommentary(c *fiber.Ctx) error {
	p, err := s.commentaryPageFor(c)
	if err != nil {
		return err
	}
	p.Back = p.PackURL(p.Strand.ID)
	p.Know, p.How, p.Next = formText(c, "know"), formText(c, "how"), formText(c, "next")
	for _, f := range []struct{ field, name, value string }{{"know", "What we know", p.Know}, {"how", "How we know", p.How}, {"next", "What next", p.Next}} {
		if utf8.RuneCountInString(f.value) > commentaryMax {
			p.Errors = append(p.Errors, survey.FieldError{Field: f.field, Message: fmt.Sprintf("%s must be %d characters or fewer", f.name, commentaryMax)})
		}
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "pack-commentary.html", p)
	}
	cm := store.Commentary{SurveyID: p.Survey.ID, Round: p.Round.ID, Strand: p.Strand.ID, Know: p.Know, How: p.How, Next: p.Next, Updated: s.now()}
	if err := p.Board.SetCommentary(c.UserContext(), cm); err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "wrote Board pack commentary", p.Survey.ID+"/"+p.Round.ID+"/"+p.Strand.ID); err != nil {
		return err
	}
	return c.Redirect(p.PackURL(p.Strand.ID), http.StatusSeeOther)
}

// formText is a form field with its line endings made \n and the space
// around it trimmed.
func formText(c *fiber.Ctx, name string) string {
	return strings.TrimSpace(strings.ReplaceAll(c.FormValue(name), "\r\n", "\n"))
}

// Actions.

type actionPage struct {
	session.Page
	packContext
	Strands                []*survey.Section
	Action                 store.Action // the action changed; empty when adding one
	Strand, Text, Owner    string
	Status                 string
	Day, Month, Year, Note string
	Statuses               []store.ActionStatus
}

// dateInput is a date's three boxes, name_day, name_month and name_year,
// as the partial date_input draws them.
type dateInput struct {
	Name, Legend, Hint, Error string
	Fields                    []dateField
}

// dateField is one box of a date.
type dateField struct {
	Name, Label, Value string
	Width              int
}

// dateInputOf is the date input called name on a page, with what was
// typed and the page's error for it (given on its day box).
func dateInputOf(p session.Page, name, legend, hint, day, month, year string) dateInput {
	return dateInput{Name: name, Legend: legend, Hint: hint, Error: p.ErrorFor(name + "_day"),
		Fields: []dateField{{"day", "Day", day, 2}, {"month", "Month", month, 2}, {"year", "Year", year, 4}}}
}

// DueDate is the action's due date.
func (p actionPage) DueDate() dateInput {
	return dateInputOf(p.Page, "due", "Due date", "For example, 31 3 2027", p.Day, p.Month, p.Year)
}

// Adding reports whether the page adds an action rather than changing one.
func (p actionPage) Adding() bool { return p.Action.ID == "" }

// StrandTitle names a strand by its id.
func (p actionPage) StrandTitle(id string) string {
	if sec, ok := strandOf(p.Survey, id); ok {
		return sec.Title
	}
	return id
}

func (s *Pages) actionPageFor(c *fiber.Ctx, title string) (actionPage, error) {
	p, err := s.packRoundFor(c)
	if err != nil {
		return actionPage{}, err
	}
	return actionPage{Page: session.PageFor(c, title), packContext: p, Strands: strands(p.Survey), Statuses: store.ActionStatuses}, nil
}

func (s *Pages) newActionForm(c *fiber.Ctx) error {
	p, err := s.actionPageFor(c, "Add an action")
	if err != nil {
		return err
	}
	p.Strand, p.Status = c.Query("strand"), string(store.NotStarted)
	p.Back = p.PackURL(p.Strand)
	return s.render(c, http.StatusOK, "pack-action.html", p)
}

// readActionForm reads and checks the fields the two action forms share:
// owner, due date and status; and, when adding, strand and text.
func (p *actionPage) readActionForm(c *fiber.Ctx) (due time.Time) {
	add := func(field, msg string) { p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: msg}) }
	if p.Adding() {
		p.Strand, p.Text = c.FormValue("strand"), formText(c, "text")
		if _, ok := strandOf(p.Survey, p.Strand); !ok {
			add("strand", "Select the strand the action is for")
		}
		switch n := utf8.RuneCountInString(p.Text); {
		case n == 0:
			add("text", "Enter the action")
		case n > actionTextMax:
			add("text", fmt.Sprintf("The action must be %d characters or fewer", actionTextMax))
		}
	} else {
		p.Note = formText(c, "note")
		if utf8.RuneCountInString(p.Note) > noteMax {
			add("note", fmt.Sprintf("The note must be %d characters or fewer", noteMax))
		}
	}
	p.Owner = formText(c, "owner")
	switch n := utf8.RuneCountInString(p.Owner); {
	case n == 0:
		add("owner", "Enter who owns the action")
	case n > ownerMax:
		add("owner", fmt.Sprintf("The owner must be %d characters or fewer", ownerMax))
	}
	p.Day, p.Month, p.Year = strings.TrimSpace(c.FormValue("due_day")), strings.TrimSpace(c.FormValue("due_month")), strings.TrimSpace(c.FormValue("due_year"))
	due, msg := parseDate(p.Day, p.Month, p.Year)
	if msg != "" {
		add("due_day", msg)
	}
	p.Status = c.FormValue("status")
	if !store.ActionStatus(p.Status).Valid() {
		add("status_not-started", "Select the action's status")
	}
	return due
}

// parseDate reads a GOV.UK date input, or says what is wrong with it.
func parseDate(day, month, year string) (time.Time, string) {
	if day == "" && month == "" && year == "" {
		return time.Time{}, "Enter the due date"
	}
	d, err1 := strconv.Atoi(day)
	m, err2 := strconv.Atoi(month)
	y, err3 := strconv.Atoi(year)
	if err1 != nil || err2 != nil || err3 != nil || len(year) != 4 {
		return time.Time{}, "The due date must be a real date, for example 31 3 2027"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, "The due date must be a real date, for example 31 3 2027"
	}
	return t, ""
}

func (s *Pages) addAction(c *fiber.Ctx) error {
	p, err := s.actionPageFor(c, "Add an action")
	if err != nil {
		return err
	}
	due := p.readActionForm(c)
	p.Back = p.PackURL(p.Strand)
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "pack-action.html", p)
	}
	now := s.now()
	a := store.Action{ID: auth.NewToken()[:16], SurveyID: p.Survey.ID, Strand: p.Strand, Text: p.Text, Owner: p.Owner, Due: due,
		Status: store.ActionStatus(p.Status), Round: p.Round.ID, Created: now, Updated: now}
	if err := p.Board.AddAction(c.UserContext(), a); err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "added Board pack action", p.Survey.ID+"/"+p.Strand+" "+a.ID); err != nil {
		return err
	}
	return c.Redirect(p.PackURL(p.Strand), http.StatusSeeOther)
}

// actionOf reads the action in the address, which must be one of the
// survey's and show in the pack being edited.
func (s *Pages) actionOf(c *fiber.Ctx, p *actionPage) error {
	a, err := p.Board.Action(c.UserContext(), c.Params("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.SurveyID != p.Survey.ID) {
		return fiber.NewError(http.StatusNotFound, "There is no such action")
	}
	if err != nil {
		return err
	}
	order := map[string]int{}
	for i, r := range p.Comparable {
		order[r.ID] = i
	}
	if show, _ := inPack(a, order, order[p.Round.ID]); !show {
		return fiber.NewError(http.StatusNotFound, "This action is not in the pack for "+p.Round.Label)
	}
	p.Action, p.Strand, p.Text = a, a.Strand, a.Text
	p.Back = p.PackURL(a.Strand)
	return nil
}

func (s *Pages) actionForm(c *fiber.Ctx) error {
	p, err := s.actionPageFor(c, "Update an action")
	if err != nil {
		return err
	}
	if err := s.actionOf(c, &p); err != nil {
		return err
	}
	a := p.Action
	p.Owner, p.Status = a.Owner, string(a.Status)
	if !a.Due.IsZero() {
		p.Day, p.Month, p.Year = strconv.Itoa(a.Due.Day()), strconv.Itoa(int(a.Due.Month())), strconv.Itoa(a.Due.Year())
	}
	return s.render(c, http.StatusOK, "pack-action.html", p)
}

func (s *Pages) updateAction(c *fiber.Ctx) error {
	p, err := s.actionPageFor(c, "Update an action")
	if err != nil {
		return err
	}
	if err := s.actionOf(c, &p); err != nil {
		return err
	}
	due := p.readActionForm(c)
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "pack-action.html", p)
	}
	ch := store.ActionChange{At: s.now(), Round: p.Round.ID, Status: store.ActionStatus(p.Status), Owner: p.Owner, Due: due, Note: p.Note}
	if _, err := p.Board.UpdateAction(c.UserContext(), p.Action.ID, ch); err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "updated Board pack action", p.Survey.ID+"/"+p.Action.Strand+" "+p.Action.ID+": "+p.Status); err != nil {
		return err
	}
	return c.Redirect(p.PackURL(p.Action.Strand), http.StatusSeeOther)
}
