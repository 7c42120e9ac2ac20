package staff

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// confirmPage asks a member of staff to confirm something that cannot be
// undone, or that stops respondents, before it is done: a POST of Fields
// (and confirm=yes) to Action.
type confirmPage struct {
	session.Page
	Heading, Warning, Action, Button, Cancel string
	Details                                  []confirmDetail
	Fields                                   map[string]string
}

type confirmDetail struct{ Key, Value string }

func (s *Pages) confirm(c *fiber.Ctx, p confirmPage) error {
	p.Page = session.PageFor(c, p.Heading)
	p.Back = p.Cancel
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	p.Fields["confirm"] = "yes"
	return s.render(c, http.StatusOK, "staff-confirm.html", p)
}

// Erasure of one response: the right to erasure.

type erasurePage struct {
	session.Page
	Reference string
	Deleted   string // the reference just deleted, for the banner
}

func (s *Pages) erasureForm(c *fiber.Ctx) error {
	p := erasurePage{Page: session.PageFor(c, "Delete a response"), Deleted: normaliseReference(c.Query("deleted"))}
	return s.render(c, http.StatusOK, "staff-erasure.html", p)
}

// normaliseReference accepts a reference as a respondent might read it
// out: in any case, with spaces around it.
func normaliseReference(v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) > 40 {
		return ""
	}
	return v
}

// erase finds the response by its reference and asks for confirmation,
// showing where it came from but none of its answers; once confirmed it
// deletes it, with an audit entry naming only the reference.
func (s *Pages) erase(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := erasurePage{Page: session.PageFor(c, "Delete a response"), Reference: normaliseReference(c.FormValue("reference"))}
	notFound := func() error {
		p.Errors = []survey.FieldError{{Field: "reference", Message: "There is no response with this reference. Check it with the person who sent it."}}
		return s.render(c, http.StatusUnprocessableEntity, "staff-erasure.html", p)
	}
	if p.Reference == "" {
		p.Errors = []survey.FieldError{{Field: "reference", Message: "Enter the reference the person was given when they sent their answers"}}
		return s.render(c, http.StatusUnprocessableEntity, "staff-erasure.html", p)
	}
	r, err := s.st.Response(ctx, p.Reference)
	if errors.Is(err, store.ErrNotFound) {
		return notFound()
	}
	if err != nil {
		return err
	}
	where := r.SurveyID + "/" + r.Round
	if c.FormValue("confirm") != "yes" {
		// The survey and round by the names staff know them by; by id
		// only when the survey file no longer has them.
		title, round := r.SurveyID, r.Round
		if d, ok := s.surveys.Survey(r.SurveyID); ok {
			title = d.Title
			rn, found, err := rounds.One(ctx, s.st, d, r.Round, s.now())
			if err != nil {
				return err
			}
			if found {
				round = rn.Label
			}
		}
		return s.confirm(c, confirmPage{
			Heading: "Delete response " + r.Reference + "?",
			Warning: "The response and all its answers will be deleted for good. Exports taken before today still hold it.",
			Details: []confirmDetail{{"Survey", title}, {"Round", round}, {"Sent", rounds.LondonTime(r.Submitted)}},
			Action:  "/staff/erasure", Button: "Delete the response", Cancel: "/staff/erasure",
			Fields: map[string]string{"reference": r.Reference},
		})
	}
	defer web.Detach(c)()
	err = s.st.DeleteResponse(c.UserContext(), r.Reference)
	if errors.Is(err, store.ErrNotFound) {
		return notFound() // deleted by someone else in between
	}
	if err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "deleted response (erasure)", r.Reference+" ("+where+")"); err != nil {
		return err
	}
	return c.Redirect("/staff/erasure?deleted="+url.QueryEscape(r.Reference), http.StatusSeeOther)
}

// Deleting a round's responses once their retention date has passed.

// retentionCheck refuses to delete the responses of a round that is open
// now: people could still be sending answers.
func retentionCheck(r rounds.Now) error {
	if r.Open {
		return fiber.NewError(http.StatusConflict, "Close the round before deleting its responses")
	}
	return nil
}

func (s *Pages) deleteResponsesForm(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	if err := retentionCheck(r); err != nil {
		return err
	}
	n, err := s.st.CountResponses(c.UserContext(), d.ID, r.ID)
	if err != nil {
		return err
	}
	return s.confirm(c, confirmPage{
		Heading: fmt.Sprintf("Delete all %d responses to %s?", n, r.Label),
		Warning: "Do this when the round's retention date has passed. Every response to " + d.Title + " in this round, and all their answers, and the round's contact lists, will be deleted for good, and reports of the round will be empty. Export first if the Trust must keep a copy.",
		Details: []confirmDetail{{"Survey", d.Title}, {"Round", r.Label}, {"Responses", fmt.Sprint(n)}},
		Action:  roundBase(d, r) + "/delete-responses", Button: "Delete all responses", Cancel: roundBase(d, r),
	})
}

func (s *Pages) deleteResponses(c *fiber.Ctx) error {
	d, r, err := s.staffRound(c)
	if err != nil {
		return err
	}
	if err := retentionCheck(r); err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(roundBase(d, r)+"/delete-responses", http.StatusSeeOther)
	}
	defer web.Detach(c)()
	n, err := s.st.DeleteResponses(c.UserContext(), d.ID, r.ID)
	if err != nil {
		return err
	}
	// The round's contact list goes with its responses: personal data is
	// kept no longer than the answers it was collected for.
	contacts, err := s.st.DeleteContacts(c.UserContext(), d.ID, r.ID, "")
	if err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "deleted responses of round (retention)", fmt.Sprintf("%s/%s: %d responses, %d contacts", d.ID, r.ID, n, contacts)); err != nil {
		return err
	}
	return c.Redirect(roundBase(d, r), http.StatusSeeOther)
}
