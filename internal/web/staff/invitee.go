package staff

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/survey"
)

// invitee is what the two ways of inviting people (links to download, and
// contact lists to email) share: the round and the organisation invited,
// as the session allows them, with their checks. The template partial
// "invitee_fields" (partials/staff.html) is its form fields.
type invitee struct {
	Rounds []survey.Round // every round, as staff have set them, with any they added
	// Organisations are the choices for an administrator; empty when the
	// survey asks no organisation question (they type one) or for a
	// co-ordinator (who has only their own: Fixed, shown as FixedLabel).
	Organisations     []survey.Option
	Fixed, FixedLabel string
	// CannotInvite explains why a co-ordinator cannot invite to this survey.
	CannotInvite string
	// The form as entered.
	Round, Organisation, FromRound string
}

// invitable is the surveys who may invite people to: every survey for an
// administrator; for an organisation's co-ordinator, the surveys answered
// by the partnership's workforce (survey.Definition.ForWorkforce), not the
// children's, young people's or parents' consultations, which the Trust
// runs.
func (s *Pages) invitable(who auth.User) []*survey.Definition {
	all := s.surveys.All()
	if who.Role != auth.Coordinator {
		return all
	}
	var out []*survey.Definition
	for _, d := range all {
		if d.ForWorkforce() {
			out = append(out, d)
		}
	}
	return out
}

// invitableSurvey is the survey of that id if who may invite people to
// it: 404 for none, 403 for a consultation a co-ordinator does not run.
func (s *Pages) invitableSurvey(who auth.User, id string) (*survey.Definition, error) {
	d, ok := s.surveys.Survey(id)
	if !ok {
		return nil, fiber.NewError(http.StatusNotFound, "Page not found")
	}
	if who.Role == auth.Coordinator && !d.ForWorkforce() {
		return nil, fiber.NewError(http.StatusForbidden, "Organisation co-ordinators invite their own organisation's staff. "+d.Title+" is not a staff survey: the Trust's administrators run it")
	}
	return d, nil
}

// inviteeFor is the fields of survey d for who, with its rounds now. An
// organisation is named as the surveys name it (names), never by its id.
func inviteeFor(who auth.User, d *survey.Definition, now []rounds.Now, names *survey.Catalogue) invitee {
	var iv invitee
	for _, r := range now {
		iv.Rounds = append(iv.Rounds, r.Round)
	}
	q, hasQuestion := d.BreakdownQuestion("organisation")
	switch {
	case who.Role == auth.Coordinator:
		iv.Fixed, iv.FixedLabel, iv.Organisation = who.Organisation, names.OrganisationLabel(who.Organisation), who.Organisation
		if !hasQuestion {
			break
		}
		if l := q.OptionLabel(who.Organisation); l != "" {
			iv.FixedLabel = l
		} else {
			iv.CannotInvite = fmt.Sprintf("Your organisation (%s) is not one of the organisations this survey asks about, so you cannot invite people to it. Ask an administrator.", iv.FixedLabel)
		}
	case hasQuestion:
		iv.Organisations = q.Options
	}
	return iv
}

// read takes the fields from the posted form. A co-ordinator's form that
// leaves the organisation out is for their own.
func (iv *invitee) read(c *fiber.Ctx) {
	iv.Round, iv.Organisation, iv.FromRound = c.FormValue("round"), strings.TrimSpace(c.FormValue("organisation")), c.FormValue("from_round")
	if iv.Fixed != "" && iv.Organisation == "" {
		iv.Organisation = iv.Fixed
	}
}

// check checks the round and organisation as entered, adding a problem
// for each, and returns the round. The organisation is the session's
// business: a co-ordinator who sends another (an edited form) is refused
// with 403, and nothing is made.
func (iv invitee) check(ctx context.Context, st rounds.States, d *survey.Definition, who auth.User, now time.Time, add func(field, message string)) (rounds.Now, error) {
	if !who.CanManageInvitations(iv.Organisation) {
		return rounds.Now{}, fiber.NewError(http.StatusForbidden, "You do not have permission to see this page")
	}
	if iv.CannotInvite != "" {
		add("organisation", iv.CannotInvite)
	}
	r, ok, err := rounds.One(ctx, st, d, iv.Round, now)
	switch {
	case err != nil:
		return r, err
	case !ok:
		add("round", "Select the round to invite people to")
	case !r.Open:
		add("round", "This round is closed: open it before inviting people to it")
	}
	q, hasQuestion := d.BreakdownQuestion("organisation")
	switch {
	case iv.Organisation == "" || len(iv.Organisation) > 200:
		add("organisation", "Select the organisation whose people you are inviting")
	case hasQuestion && q.OptionLabel(iv.Organisation) == "" && iv.CannotInvite == "":
		add("organisation", "Select one of the organisations this survey asks about")
	}
	return r, nil
}

// earlierRound reports whether FromRound is another round of the survey.
func (iv invitee) earlierRound() bool {
	if iv.FromRound == iv.Round {
		return false
	}
	for _, r := range iv.Rounds {
		if r.ID == iv.FromRound {
			return true
		}
	}
	return false
}
