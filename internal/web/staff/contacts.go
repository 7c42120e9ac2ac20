package staff

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/session"
)

// contactsPage is one survey's contact lists: the upload form and, per
// round, what has been sent. Contact data is shown as counts only.
type contactsPage struct {
	session.Page
	invitee
	Surveys        []*survey.Definition
	Survey         *survey.Definition
	Admin          bool
	Problems       []mail.RowError
	Notice         string
	Lists          []roundMail
	MaxContacts    int
	OtherLanguages string // the survey's languages besides English, in words
	MinGroup       int
	Sending        bool // a mail server is set
}

// roundMail is what the queue says of one round.
type roundMail struct {
	Round              survey.Round
	Contacts, OptedOut int
	// Schedule is the round's reminder schedule in words; NoReminders
	// says it allows none at all, so there is no button to send them.
	Schedule                                  string
	NoReminders                               bool
	InvitesSent, InvitesQueued, InvitesFailed int
	// Why are the invitations not sent, or waiting to be tried again
	// after a failure, by reason. Nothing is said of reminders: they go
	// only to those who have not answered, so any count of them says how
	// many have (docs/data-protection.md, "Figures over time").
	Why []mailWhy
}

// mailWhy is how many emails of a kind are not sent, or wait to be tried
// again, for one reason.
type mailWhy struct {
	Kind, State, Reason string // in words (mail.ReasonInWords)
	Detail              string // the reason as the queue keeps it: administrators only
	N                   int
}

// whyOf adds a count to the reasons, merging organisations: in words, and
// for an administrator (detail) with the mail server's own words too.
func whyOf(why []mailWhy, n store.MailCount, detail bool) []mailWhy {
	if n.State == store.MailSent || n.State == store.MailQueued && n.Reason == "" {
		return why
	}
	w := mailWhy{Kind: "Invitation", State: "Not sent", Reason: mail.ReasonInWords(n.Reason)}
	if detail {
		w.Detail = n.Reason
	}
	if n.Kind == store.MailReminder {
		w.Kind = "Reminder"
	}
	if n.State == store.MailQueued {
		w.State = "Waiting to be tried again"
	}
	for i := range why {
		if why[i].Kind == w.Kind && why[i].State == w.State && why[i].Reason == w.Reason && why[i].Detail == w.Detail {
			why[i].N += n.N
			return why
		}
	}
	w.N = n.N
	return append(why, w)
}

func (s *Pages) contactsPageFor(c *fiber.Ctx, surveyID string) (contactsPage, error) {
	who := session.Of(c).User
	p := contactsPage{Page: session.PageFor(c, "Contact lists"), Surveys: s.invitable(who), MaxContacts: mail.MaxContacts,
		Admin: who.Role == auth.Admin, Sending: s.sending}
	if surveyID == "" {
		return p, nil
	}
	d, err := s.invitableSurvey(who, surveyID)
	if err != nil {
		return p, err
	}
	p.Survey, p.Back, p.Title, p.MinGroup = d, "/staff/contacts", "Contact lists: "+d.Title, d.GroupSize()
	p.OtherLanguages = survey.LanguageList(slices.DeleteFunc(slices.Clone(d.Languages), func(l string) bool { return l == "en" }), "and")
	all, err := rounds.Of(c.UserContext(), s.st, d, s.now())
	if err != nil {
		return p, err
	}
	p.invitee = inviteeFor(who, d, all, s.surveys)
	for _, r := range all {
		rm := roundMail{Round: r.Round, Schedule: rounds.RemindersText(r.State.Reminders), NoReminders: r.State.Reminders.Most == 0}
		err := s.st.RoundContacts(c.UserContext(), d.ID, r.ID, func(cs store.ContactState) error {
			if !who.CanSeeOrganisation(cs.Organisation) {
				return nil
			}
			rm.Contacts++
			if cs.OptedOut {
				rm.OptedOut++
			}
			return nil
		})
		if err != nil {
			return p, err
		}
		counts, err := s.st.MailCounts(c.UserContext(), d.ID, r.ID)
		if err != nil {
			return p, err
		}
		for _, n := range counts {
			if !who.CanSeeOrganisation(n.Organisation) || n.Kind != store.MailInvitation {
				continue
			}
			field := map[string]*int{store.MailSent: &rm.InvitesSent, store.MailQueued: &rm.InvitesQueued, store.MailFailed: &rm.InvitesFailed}[n.State]
			if field != nil {
				*field += n.N
			}
			rm.Why = whyOf(rm.Why, n, p.Admin)
		}
		if rm.Contacts > 0 || rm.InvitesSent+rm.InvitesQueued+rm.InvitesFailed > 0 {
			p.Lists = append(p.Lists, rm)
		}
	}
	return p, nil
}

func (s *Pages) contactsPage(c *fiber.Ctx) error {
	p, err := s.contactsPageFor(c, c.Query("survey"))
	if err != nil {
		return err
	}
	// What was just done, from numbers in the address only, so that a
	// link cannot put words of its own on the page.
	n := func(k string) int { return c.QueryInt(k, -1) }
	switch {
	case n("imported") >= 0:
		p.Notice = fmt.Sprintf("%d %s queued: they go out within a minute or two", n("imported"), plural(n("imported"), "invitation", "invitations"))
	case n("reminded") >= 0:
		p.Notice = "Reminders queued for everyone on the list who has not answered, up to the most the round allows. How many is not shown: it would say how many have answered"
	case n("deleted") >= 0:
		p.Notice = fmt.Sprintf("%d %s deleted, with their emails", n("deleted"), plural(n("deleted"), "contact", "contacts"))
	case n("unconfirmed") > 0:
		p.Notice = "Nothing was deleted: tick the box to confirm"
	}
	return s.render(c, http.StatusOK, "staff-contacts.html", p)
}

// uploadContacts imports a CSV contact list for a round and organisation:
// every problem with its line number, or the whole list.
func (s *Pages) uploadContacts(c *fiber.Ctx) error {
	who := session.Of(c)
	p, err := s.contactsPageFor(c, c.FormValue("survey"))
	if err != nil {
		return err
	}
	if p.Survey == nil {
		return c.Redirect("/staff/contacts", http.StatusSeeOther)
	}
	p.read(c)
	add := func(field, message string) {
		p.Errors = append(p.Errors, survey.FieldError{Field: field, Message: message})
	}
	if _, err := p.check(c.UserContext(), s.st, p.Survey, who.User, s.now(), add); err != nil {
		return err
	}
	if p.FromRound != "" && !p.earlierRound() {
		add("from_round", "Select an earlier round to follow on from, or none")
	}
	fh, err := c.FormFile("contacts")
	if err != nil {
		add("contacts", "Choose a CSV file with an email column")
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, "staff-contacts.html", p)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	rows, problems := mail.ParseContacts(f)
	if len(problems) == 0 {
		defer web.Detach(c)()
		problems, err = mail.Import{Survey: p.Survey, Round: p.Round, Organisation: p.Organisation, FromRound: p.FromRound, Rows: rows, Now: s.now()}.
			Add(c.UserContext(), s.st, s.links)
		if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		p.Problems = problems
		add("contacts", fmt.Sprintf("The list was not imported: %d %s to put right", len(problems), plural(len(problems), "line", "lines")))
		return s.render(c, http.StatusUnprocessableEntity, "staff-contacts.html", p)
	}
	if err := s.sessions.Audit(c, "uploaded contact list", fmt.Sprintf("%s %s, %s: %d contacts", p.Survey.ID, p.Round, p.Organisation, len(rows))); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/staff/contacts?survey=%s&imported=%d", url.QueryEscape(p.Survey.ID), len(rows)), http.StatusSeeOther)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// remind queues a reminder to each of the round's contacts whose link is
// unused: a co-ordinator's own organisation only.
func (s *Pages) remind(c *fiber.Ctx) error {
	who := session.Of(c).User
	d, err := s.invitableSurvey(who, c.FormValue("survey"))
	if err != nil {
		return err
	}
	org := ""
	if who.Role == auth.Coordinator {
		org = who.Organisation
	}
	round := c.FormValue("round")
	_, ok, err := rounds.One(c.UserContext(), s.st, d, round, s.now())
	if err != nil || !ok {
		return cmpErr(err, fiber.NewError(http.StatusNotFound, "Page not found"))
	}
	defer web.Detach(c)()
	res, err := mail.Remind(c.UserContext(), s.st, d, round, org, s.now())
	if err != nil {
		return err
	}
	scope := org
	if scope == "" {
		scope = "all organisations"
	}
	if err := s.sessions.Audit(c, "sent reminders", fmt.Sprintf("%s %s, %s: %d queued", d.ID, round, scope, res.Queued)); err != nil {
		return err
	}
	// How many were reminded says how many have answered: never said.
	return c.Redirect("/staff/contacts?survey="+url.QueryEscape(d.ID)+"&reminded=1", http.StatusSeeOther)
}

// deleteContacts deletes a round's contact list and its messages now
// (administrators only; a confirmation checkbox).
func (s *Pages) deleteContacts(c *fiber.Ctx) error {
	d, ok := s.surveys.Survey(c.FormValue("survey"))
	if !ok {
		return fiber.NewError(http.StatusNotFound, "Page not found")
	}
	round := c.FormValue("round")
	if c.FormValue("confirm") != "yes" {
		return c.Redirect("/staff/contacts?unconfirmed=1&survey="+url.QueryEscape(d.ID), http.StatusSeeOther)
	}
	defer web.Detach(c)()
	n, err := s.st.DeleteContacts(c.UserContext(), d.ID, round, "")
	if err != nil {
		return err
	}
	if err := s.sessions.Audit(c, "deleted contact list", fmt.Sprintf("%s/%s: %d contacts", d.ID, round, n)); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/staff/contacts?survey=%s&deleted=%d", url.QueryEscape(d.ID), n), http.StatusSeeOther)
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
