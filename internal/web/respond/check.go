package respond

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

type checkPage struct {
	web.Page
	Survey *survey.Definition
	Action string
	Groups []checkGroup
}

type checkGroup struct {
	ID    string // the section's ID, where the error summary links to
	Title string
	Rows  []checkRow
}

type checkRow struct {
	Key, Value, ChangeURL string
	Optional              bool // an empty answer is fine
}

func checkPageFor(f *flow, errs []survey.FieldError) checkPage {
	pages := f.survey.Pages(f.draft.Answers)
	back := f.tasksURL()
	if !f.survey.TaskList {
		back = f.sectionURL(pages[len(pages)-1].ID)
	}
	p := checkPage{Page: f.page(f.msg("check-title"), errs, back), Survey: f.survey, Action: f.checkURL()}
	change := func(sectionID, field string) string { return f.changeURL(sectionID) + "#" + url.PathEscape(field) }
	for _, sec := range pages {
		g := checkGroup{ID: sec.ID, Title: sec.Title}
		for _, q := range sec.Shown(f.draft.Answers) {
			if q.Spec().Statements {
				for _, st := range q.Statements {
					g.Rows = append(g.Rows, checkRow{Key: st.Text, Value: answerLabel(f, q, f.draft.Answers[st.ID]), ChangeURL: change(sec.ID, st.ID), Optional: q.Optional})
				}
				continue
			}
			row := checkRow{Key: q.Text, Value: answerLabel(f, q, f.draft.Answers[q.ID]), ChangeURL: change(sec.ID, q.ID), Optional: q.Optional}
			if f.invited(q) {
				row.ChangeURL = "" // from the invitation: not the respondent's to change
			}
			g.Rows = append(g.Rows, row)
		}
		p.Groups = append(p.Groups, g)
	}
	return p
}

func (s *Pages) checkAnswers(c *fiber.Ctx, f *flow) error {
	return s.render(c, http.StatusOK, "check", checkPageFor(f, nil))
}

// submit stores the response. A section left unanswered sends the
// respondent back to check answers with a link to it.
func (s *Pages) submit(c *fiber.Ctx, f *flow) error {
	if f.token == "" {
		// Nothing to send: a browser that sent its answers was led to
		// their confirmation already (answering), so this one starts at
		// the beginning.
		return c.Redirect(f.base(), http.StatusSeeOther)
	}
	if missing := f.survey.Incomplete(f.draft); len(missing) > 0 {
		var errs []survey.FieldError
		for _, m := range missing {
			errs = append(errs, survey.FieldError{Field: m.ID, Message: f.msg("err-section", m.Title)})
		}
		return s.render(c, http.StatusUnprocessableEntity, "check", checkPageFor(f, errs))
	}
	// The sent cookie's secret is read before the answers are stored
	// (web.Secrets keeps it): once they are, the respondent is told so,
	// whatever the store does next.
	if _, err := s.sentValue(c.UserContext(), ""); err != nil {
		return err
	}
	r := f.survey.Response(f.draft)
	r.Submitted = s.now().UTC()
	// A child's or young person's flagged answer raises a safeguarding
	// alert, stored in the same write as the response (store.Store.Submit):
	// a response stored always has its alert, so the respondent is
	// confirmed whatever happens next. The worker sends it (mail.Worker).
	flagged := f.survey.ForYoungPeople() && len(f.survey.Flagged(r)) > 0
	var stored survey.Response
	var err error
	for try := 0; ; try++ {
		r.Reference = survey.NewReference()
		var queue []store.MailMessage
		if flagged {
			queue = append(queue, mail.Alert(r)) // one per reference: a repeated send queues nothing new
		}
		stored, err = s.st.Submit(c.UserContext(), r, queue...)
		if !errors.Is(err, store.ErrConflict) || try == 2 {
			break
		}
	}
	if errors.Is(err, store.ErrInvitationUsed) {
		s.setDraftCookie(c, f, "")
		return usedInvitation(f.lang)
	}
	if err != nil {
		return err
	}
	if flagged && stored.Reference == r.Reference { // stored now, not by an earlier send
		s.alerted(c, stored)
	}
	s.setDraftCookie(c, f, "")
	if sent, err := s.sentValue(c.UserContext(), stored.Reference); err == nil { // the secret is kept: it cannot fail now
		s.setCookie(c, f, sentCookie, sent, 0)
	}
	return c.Redirect(f.doneURL(stored.Reference), http.StatusSeeOther)
}

// auditTimeout bounds the audit of an alert stored.
const auditTimeout = 10 * time.Second

// alerted wakes the mail worker (Options.Queued), so that the alert a
// response just stored raised goes at once, and records it in the audit
// log. The response and its alert are stored already: an audit that
// fails is logged (without the answers) and the respondent is confirmed
// all the same.
func (s *Pages) alerted(c *fiber.Ctx, r survey.Response) {
	if s.queued != nil {
		s.queued()
	}
	target := r.SurveyID + "/" + r.Round + " " + r.Reference
	// Not under the respondent's deadline, which a store slow to confirm
	// the response may have used up: the alert is stored, and its audit
	// should be too.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), auditTimeout)
	defer cancel()
	if err := s.st.Audit(ctx, store.AuditEntry{At: s.now().UTC(), Action: "queued safeguarding alert", Target: target}); err != nil {
		s.log.Error("respond: audit of a safeguarding alert queued", "response", target, "error", err)
	}
}

// sent is the confirmation page of answers this browser sent in the round,
// if it sent any: the sent cookie's reference, or (for a second click or
// tab that raced the first) the response made from the draft the cookie
// still names. It is empty when there are none.
func (s *Pages) sent(c *fiber.Ctx, f *flow) (string, error) {
	// confirmation is the page of a response this round's, if it is one.
	confirmation := func(r survey.Response, err error) (string, error) {
		switch {
		case err == nil && r.SurveyID == f.survey.ID && r.Round == f.round.ID:
			return f.doneURL(r.Reference), nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return "", err
		}
		return "", nil
	}
	ref, err := s.sentRef(c)
	if err != nil {
		return "", err
	}
	if ref != "" {
		if done, err := confirmation(s.st.Response(c.UserContext(), ref)); done != "" || err != nil {
			return done, err
		}
	}
	if token := c.Cookies(draftCookie); token != "" {
		return confirmation(s.st.SubmittedResponse(c.UserContext(), survey.DraftKey(token)))
	}
	return "", nil
}

type donePage struct {
	web.Page
	Survey    *survey.Definition
	Round     survey.Round
	Reference string
	HelpText  string
	Help      []helpContact
	Profile   string // the respondent's own profile, for a staff self-assessment (profile.go)
}

func (s *Pages) done(c *fiber.Ctx, f *flow) error {
	r, err := s.st.Response(c.UserContext(), c.Query("ref"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (r.SurveyID != f.survey.ID || r.Round != f.round.ID)) {
		return fiber.NewError(http.StatusNotFound, f.msg("error-no-response"))
	}
	if err != nil {
		return err
	}
	p := f.page(f.msg("done-title"), nil, "")
	p.StopURL = ""
	if f.done != "" {
		p.Preview = f.done
	}
	dp := donePage{Page: p, Survey: f.survey, Round: f.round, Reference: r.Reference, HelpText: helpText(f), Help: helpFor(f)}
	if ref, err := s.sentRef(c); err != nil {
		return err
	} else if f.done == "" && hasProfile(f.survey) && s.published != nil && ref == r.Reference {
		dp.Profile = f.base() + "/profile"
	}
	return s.render(c, http.StatusOK, "done", dp)
}

// Save and come back later. The rule, said on the saved page: a resume
// code works on any device, as often as needed, until the answers are
// sent or expire, and always opens the answers as last saved. A
// practitioner who carries on at home and then clicks the same link at
// work loses nothing. A browser that carries on with a code holds the
// code itself as its draft token, so every device using the code saves
// into one draft (each page's answers as last saved); saving for later
// there shows the same code again. The store keeps only the code's hash,
// as for every draft token.

type savedPage struct {
	web.Page
	Survey    *survey.Definition
	Code      string
	ResumeURL string
	Expires   string
}

// saveForLater keeps the draft under a resume code: the one this browser
// carried on with, or a new one, to which the draft moves (the old copy,
// under the browser's own token, expires at once). Either way this
// browser lets go of the answers, as on a shared computer it must.
func (s *Pages) saveForLater(c *fiber.Ctx, f *flow) error {
	code := f.token
	if !survey.IsResumeCode(code) {
		old := f.draft
		code = survey.NewResumeCode()
		f.draft.Key, f.token = survey.DraftKey(code), code
		if err := s.saveDraft(c, f); err != nil {
			return err
		}
		old.Expires = s.now().UTC()
		if err := s.st.SaveDraft(c.UserContext(), old); err != nil {
			return err
		}
	} else if err := s.saveDraft(c, f); err != nil { // kept for another lifetime from now
		return err
	}
	s.setDraftCookie(c, f, "")
	s.setCookie(c, f, savedCookie, code, savedLifetime)
	return c.Redirect(f.savedURL(), http.StatusSeeOther)
}

// saved shows the resume code just given (saveForLater), for a few
// minutes: refreshing the page shows the same code again, and a browser
// without one goes to the start page.
func (s *Pages) saved(c *fiber.Ctx, f *flow) error {
	code := c.Cookies(savedCookie)
	if code == "" {
		return c.Redirect(f.base(), http.StatusSeeOther)
	}
	dr, err := s.st.Draft(c.UserContext(), survey.DraftKey(code))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (dr.SurveyID != f.survey.ID || dr.Round != f.round.ID)) {
		s.setCookie(c, f, savedCookie, "", 0)
		return c.Redirect(f.base(), http.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "saved", savedPage{
		Page:      f.page(f.msg("saved-title"), nil, ""),
		Survey:    f.survey,
		Code:      code,
		ResumeURL: s.baseURL + f.resumeURL() + "?code=" + url.QueryEscape(code),
		Expires:   survey.Date(f.lang, dr.Expires),
	})
}

type resumePage struct {
	web.Page
	Survey *survey.Definition
	Action string
	Code   string
}

// resume takes a resume code typed into its form, or filled in from the
// link (?code=), and carries on the saved draft in this browser, which
// then holds the code as its draft token. Opening the link only fills in
// the form, so a mail scanner or a link preview changes nothing.
func (s *Pages) resume(c *fiber.Ctx, f *flow) error {
	if c.Method() != fiber.MethodPost {
		return s.render(c, http.StatusOK, "resume", resumePage{
			Page: f.page(f.msg("resume-title"), nil, f.base()), Survey: f.survey, Action: f.resumeURL(), Code: c.Query("code"),
		})
	}
	typed := c.FormValue("code")
	p := resumePage{Page: f.page(f.msg("resume-title"), nil, f.base()), Survey: f.survey, Action: f.resumeURL(), Code: typed}
	if typed == "" {
		p.Errors = []survey.FieldError{{Field: "resume_code", Message: f.msg("err-resume-empty")}}
		return s.render(c, http.StatusUnprocessableEntity, "resume", p)
	}
	code := survey.NormalResumeCode(typed)
	dr, err := s.st.Draft(c.UserContext(), survey.DraftKey(code))
	ours := err == nil && dr.SurveyID == f.survey.ID && dr.Round == f.round.ID && s.now().Before(dr.Expires)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if !ours {
		// Sent already: said so, with nothing of the answers.
		msg := f.msg("err-resume-unknown")
		if r, err := s.st.SubmittedResponse(c.UserContext(), survey.DraftKey(code)); err == nil && r.SurveyID == f.survey.ID && r.Round == f.round.ID {
			msg = f.msg("err-resume-sent")
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p.Errors = []survey.FieldError{{Field: "resume_code", Message: msg}}
		return s.render(c, http.StatusUnprocessableEntity, "resume", p)
	}
	f.draft, f.token = dr, code
	s.setDraftCookie(c, f, code)
	if f.survey.TaskList {
		return c.Redirect(f.tasksURL(), http.StatusSeeOther)
	}
	if missing := f.survey.Incomplete(dr); len(missing) > 0 {
		return c.Redirect(f.sectionURL(missing[0].ID), http.StatusSeeOther)
	}
	return c.Redirect(f.checkURL(), http.StatusSeeOther)
}
