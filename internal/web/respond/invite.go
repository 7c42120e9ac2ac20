package respond

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// invitation opens a single-use invitation link: a fresh draft carries the
// invitation and its respondent key (and the organisation, where the survey
// asks for one), and the respondent goes to the round's start page. A link
// that was used already, or whose round is closed, is refused.
func (s *Pages) invitation(c *fiber.Ctx) error {
	inv, used, err := s.st.Invitation(c.UserContext(), survey.DraftKey(c.Params("token")))
	if errors.Is(err, store.ErrNotFound) {
		return fiber.NewError(http.StatusNotFound, survey.Message(s.language(c, nil), "error-no-invitation"))
	}
	if err != nil {
		return err
	}
	d, ok := s.surveys.Survey(inv.SurveyID)
	if !ok && s.surveys.RefusedSurvey(inv.SurveyID) {
		return s.noSurvey(c, inv.SurveyID) // the link works again once the file is corrected
	}
	if used {
		lang := "en"
		if ok {
			lang = s.language(c, d)
		}
		return usedInvitation(lang)
	}
	var r rounds.Now
	if ok {
		if r, ok, err = rounds.One(c.UserContext(), s.st, d, inv.Round, s.now()); err != nil {
			return err
		}
	}
	if !ok || !r.Open {
		return fiber.NewError(http.StatusGone, survey.Message(s.language(c, d), "error-invitation-closed"))
	}
	f := &flow{survey: d, round: r.Round, lang: s.language(c, d), root: s.venue.root(c, d, r.Round)}
	// Opening the link again (the way back from the email) carries on the
	// draft this browser already has for it.
	if token := c.Cookies(draftCookie); token != "" {
		dr, err := s.st.Draft(c.UserContext(), survey.DraftKey(token))
		if err == nil && dr.Invitation == inv.Key && s.now().Before(dr.Expires) {
			return c.Redirect(f.base(), http.StatusSeeOther)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	f.draft = survey.Draft{SurveyID: d.ID, Round: r.ID, Answers: map[string]string{}, Invitation: inv.Key, RespondentKey: inv.RespondentKey}
	if q, ok := d.BreakdownQuestion("organisation"); ok && q.OptionLabel(inv.Organisation) != "" {
		f.draft.Answers[q.ID] = inv.Organisation
	}
	if err := s.saveDraft(c, f); err != nil {
		return err
	}
	return c.Redirect(f.base(), http.StatusSeeOther)
}

// keepInvitedOrganisation puts back the organisation of the respondent's
// invitation, whatever the form said: an invitation is for one
// organisation, so a response through it cannot speak for another.
func (s *Pages) keepInvitedOrganisation(c *fiber.Ctx, f *flow) error {
	q, ok := f.survey.BreakdownQuestion("organisation")
	if !ok || f.draft.Invitation == "" {
		return nil
	}
	inv, _, err := s.st.Invitation(c.UserContext(), f.draft.Invitation)
	if err != nil {
		return err
	}
	if q.OptionLabel(inv.Organisation) != "" && q.ShowIf.Holds(f.draft.Answers) {
		f.draft.Answers[q.ID] = inv.Organisation
	}
	return nil
}

// usedInvitation refuses an invitation whose answers were sent: the link
// was used, which says nothing about whether the round is open.
func usedInvitation(lang string) error {
	return &problem{status: http.StatusGone, title: survey.Message(lang, "invitation-used-title"), detail: survey.Message(lang, "invitation-used-body")}
}
