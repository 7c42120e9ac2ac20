package respond

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// The respondent flow: start page, a privacy notice for children and young
// people, then either one section after another or (for long
// self-assessments) a task list of the sections, then check your answers
// and a confirmation. Each page's answers are kept in a draft in the store,
// found through a random token in a cookie scoped to the round's path, so
// that any instance of the service can serve the next page and nothing
// depends on JavaScript.

const (
	draftCookie = "iwt_draft"
	langCookie  = "iwt_lang"
	// sentCookie holds the reference of the answers this browser sent in
	// the round, so that going back after sending shows that they were
	// sent (the confirmation) instead of an empty form with a Send button.
	sentCookie = "iwt_sent"
	// savedCookie holds a resume code just given, for the page that shows
	// it (post/redirect/get: refreshing that page shows the same code, and
	// gives no second one). It lasts savedLifetime.
	savedCookie   = "iwt_saved"
	savedLifetime = 10 * 60 // seconds
)

// flow is one request's survey (in the respondent's language), round and
// draft.
type flow struct {
	survey *survey.Definition
	round  survey.Round
	draft  survey.Draft
	token  string // empty until the draft is first saved
	// returning is set when the respondent came to change an answer from
	// the check-answers page: the page then leads back there.
	returning bool
	lang      string
	path      string     // the request's path, for the language links
	query     url.Values // and its query, which they keep
	// fromFile is set on a flow made from the survey file alone, when the
	// store could not be read: the draft (the earlier answers) and the
	// round's state are not known. See fileFlow.
	fromFile bool
	csrf     string // the form token of the request's pages
	root     string // the path of the round's flow: see venue
	// banner and done are the preview's banners (venue), empty for
	// respondents.
	banner, done string
	// notOffered is a language the address asked for (?lang=) that the
	// service speaks but the survey is not written in: the page says so,
	// in that language, instead of silently showing another.
	notOffered string
}

// base is the path of the round's flow.
func (f *flow) base() string { return f.root }

func (f *flow) sectionURL(id string) string { return f.base() + "/section/" + id }

// changeURL is a page opened from check answers, to which it leads back.
func (f *flow) changeURL(id string) string { return f.sectionURL(id) + "?return=check" }

func (f *flow) checkURL() string   { return f.base() + "/check" }
func (f *flow) tasksURL() string   { return f.base() + "/tasks" }
func (f *flow) privacyURL() string { return f.base() + "/privacy" }
func (f *flow) stopURL() string    { return f.base() + "/stop" }
func (f *flow) resumeURL() string  { return f.base() + "/resume" }
func (f *flow) savedURL() string   { return f.base() + "/saved" }

func (f *flow) doneURL(reference string) string {
	return f.base() + "/done?ref=" + url.QueryEscape(reference)
}

// firstURL is where "Start now" leads: the privacy notice, the task list
// or the first section.
func (f *flow) firstURL() string {
	switch {
	case f.survey.ForYoungPeople():
		return f.privacyURL()
	case f.survey.TaskList:
		return f.tasksURL()
	}
	return f.sectionURL(f.survey.Sections[0].ID)
}

// msg is the service's wording in the respondent's language.
func (f *flow) msg(key string, args ...any) string { return survey.Message(f.lang, key, args...) }

// page starts a page of the flow: title, errors, back link, and the
// language links when the survey is written in more than one language.
func (f *flow) page(title string, errs []survey.FieldError, back string) web.Page {
	p := web.Page{Title: title, Errors: errs, Back: back, Lang: f.lang, CSRF: f.csrf, Preview: f.banner}
	if f.notOffered != "" {
		i := slices.IndexFunc(survey.Languages, func(o survey.Option) bool { return o.Value == f.lang })
		p.NotOffered = web.NotOffered{Lang: f.notOffered, Text: survey.Message(f.notOffered, "language-not-offered", survey.Languages[i].Label)}
	}
	if f.survey.ForYoungPeople() {
		p.StopURL, p.ExitURL = f.stopURL(), f.survey.ExitPage
	}
	if len(f.survey.Languages) > 1 {
		for _, code := range f.survey.Languages {
			i := slices.IndexFunc(survey.Languages, func(o survey.Option) bool { return o.Value == code })
			p.Languages = append(p.Languages, web.LanguageLink{
				Code: code, Label: survey.Languages[i].Label, Current: code == f.lang,
				URL: f.path + "?" + withLang(f.query, code),
			})
		}
	}
	return p
}

// withLang is a query with its language set to lang.
func withLang(q url.Values, lang string) string {
	out := url.Values{}
	for k, v := range q {
		out[k] = v
	}
	out.Set("lang", lang)
	return out.Encode()
}

// flowLocal holds the request's flow once it is opened, for a page shown
// when the store fails after that (storeDown).
const flowLocal = "flow"

// inFlow runs a handler of the flow with the request's flow opened.
func (s *Pages) inFlow(h func(*fiber.Ctx, *flow) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.openFlow(c)
		if err != nil {
			return err
		}
		c.Locals(flowLocal, f)
		return h(c, f)
	}
}

// answering runs a handler of the pages that take answers. A browser that
// has sent its answers, and has no new draft, is shown that they were
// sent (the back button after sending leads here). A survey answered only
// through invitations refuses a respondent who has none.
func (s *Pages) answering(h func(*fiber.Ctx, *flow) error) fiber.Handler {
	return s.inFlow(func(c *fiber.Ctx, f *flow) error {
		if f.token == "" {
			done, err := s.sent(c, f)
			if err != nil {
				return err
			}
			if done != "" {
				return c.Redirect(done, http.StatusSeeOther)
			}
		}
		if f.survey.InvitationOnly && f.draft.Invitation == "" {
			return fiber.NewError(http.StatusForbidden, f.msg("invitation-only"))
		}
		return h(c, f)
	})
}

// openFlow finds the survey and round of the request (venue.open), picks
// the language, and loads the respondent's draft unless it has expired.
func (s *Pages) openFlow(c *fiber.Ctx) (*flow, error) {
	d, r, err := s.venue.open(c)
	if err != nil {
		return nil, err
	}
	f := s.newFlow(c, d, r)
	if token := c.Cookies(draftCookie); token != "" {
		dr, err := s.st.Draft(c.UserContext(), survey.DraftKey(token))
		switch {
		case err == nil && dr.SurveyID == d.ID && dr.Round == r.ID && s.now().Before(dr.Expires):
			f.draft, f.token = dr, token
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	return f, nil
}

// openRound finds the survey and round a respondent asks for, answering
// 404 for an unknown one and 410 for a closed round.
func (s *Pages) openRound(c *fiber.Ctx) (*survey.Definition, survey.Round, error) {
	d, ok := s.surveys.Survey(c.Params("survey"))
	if !ok {
		return nil, survey.Round{}, s.noSurvey(c, c.Params("survey"))
	}
	current, ok, err := rounds.One(c.UserContext(), s.st, d, c.Params("round"), s.now())
	if err != nil {
		return nil, survey.Round{}, err
	}
	if !ok {
		return nil, survey.Round{}, fiber.NewError(http.StatusNotFound, survey.Message(s.language(c, d), "error-no-round"))
	}
	r := current.Round // open and practice as staff have set them
	if !r.Open {
		return nil, survey.Round{}, closed(s.language(c, d), d, r)
	}
	return d, r, nil
}

// noSurvey answers for a survey the service does not serve: 503 for one
// whose file was refused for its problems (it may be back once the file is
// corrected), 404 for one it never had.
func (s *Pages) noSurvey(c *fiber.Ctx, id string) error {
	lang := s.language(c, nil)
	if s.surveys.RefusedSurvey(id) {
		return &problem{status: http.StatusServiceUnavailable, title: survey.Message(lang, "error-survey-unavailable"), detail: survey.Message(lang, "error-survey-unavailable-detail")}
	}
	return fiber.NewError(http.StatusNotFound, survey.Message(lang, "error-no-survey"))
}

// closed refuses a round that is closed, in the respondent's language.
func closed(lang string, d *survey.Definition, r survey.Round) error {
	t := d.In(lang)
	if translated, ok := t.Round(r.ID); ok {
		r.Label = translated.Label
	}
	return fiber.NewError(http.StatusGone, survey.Message(lang, "error-closed", t.Title, r.Label))
}

// newFlow is the request's flow through round r of survey d, in the
// respondent's language, with an empty draft.
func (s *Pages) newFlow(c *fiber.Ctx, d *survey.Definition, r survey.Round) *flow {
	lang := s.language(c, d)
	d = d.In(lang)
	if translated, ok := d.Round(r.ID); ok { // a round staff added has no translations
		r.Label = translated.Label
	}
	query, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	f := &flow{survey: d, round: r, returning: c.Query("return") == "check", lang: lang, path: c.Path(), query: query, csrf: web.Token(c),
		root: s.venue.root(c, d, r), banner: s.venue.banner, done: s.venue.done}
	if asked := c.Query("lang"); asked != lang && slices.ContainsFunc(survey.Languages, func(o survey.Option) bool { return o.Value == asked }) {
		f.notOffered = asked
	}
	f.draft = survey.Draft{SurveyID: d.ID, Round: r.ID}
	if s.venue.asInvited && d.InvitationOnly {
		f.draft.Invitation = previewInvitation
	}
	return f
}

// language is the respondent's language for a survey: ?lang= (remembered in
// a cookie), else the cookie, else English. A language the survey is not
// written in gives English.
func (s *Pages) language(c *fiber.Ctx, d *survey.Definition) string {
	if d == nil { // no survey known: the language last chosen, for an error page
		if lang := c.Cookies(langCookie); slices.ContainsFunc(survey.Languages, func(o survey.Option) bool { return o.Value == lang }) {
			return lang
		}
		return "en"
	}
	lang := c.Query("lang")
	if lang != "" && slices.Contains(d.Languages, lang) {
		c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: s.venue.langPath, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure, MaxAge: 365 * 24 * 3600})
		return lang
	}
	if lang = c.Cookies(langCookie); slices.Contains(d.Languages, lang) {
		return lang
	}
	return "en"
}

// saveDraft stores the draft, first giving the respondent a token if they
// have none. Saving a draft again keeps it for another lifetime.
func (s *Pages) saveDraft(c *fiber.Ctx, f *flow) error {
	if f.token == "" {
		f.token, f.draft.Key = survey.NewToken()
		s.setDraftCookie(c, f, f.token)
	}
	now := s.now().UTC()
	f.draft.Updated, f.draft.Expires = now, now.Add(s.draftLifetime)
	return s.st.SaveDraft(c.UserContext(), f.draft)
}

// setDraftCookie gives the respondent the draft's token, scoped to the
// round's path; an empty token removes it.
func (s *Pages) setDraftCookie(c *fiber.Ctx, f *flow, token string) {
	s.setCookie(c, f, draftCookie, token, 0)
}

// setCookie sets one of the flow's cookies, scoped to the round's path, for
// the browser's session or maxAge seconds; an empty value removes it.
func (s *Pages) setCookie(c *fiber.Ctx, f *flow, name, value string, maxAge int) {
	cookie := &fiber.Cookie{
		Name: name, Value: value, Path: f.base(), MaxAge: maxAge,
		HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode, Secure: s.secure,
	}
	if value == "" {
		cookie.MaxAge = -1
	}
	c.Cookie(cookie)
}

// action is where a section's form posts: the page itself, remembering
// that the respondent came from check answers.
func (f *flow) action(id string) string {
	if f.returning {
		return f.changeURL(id)
	}
	return f.sectionURL(id)
}

// next is where a respondent goes after a section: back to check answers
// when they came from there, to the task list when the survey has one,
// otherwise the next section asked given the answers so far.
func (f *flow) next(current string) string {
	switch {
	case f.returning:
		return f.checkURL()
	case f.survey.TaskList:
		return f.tasksURL()
	}
	if sec, ok := f.neighbour(current, +1); ok {
		return f.sectionURL(sec.ID)
	}
	return f.checkURL()
}

// neighbour is the section step places after current among the sections
// asked given the answers so far.
func (f *flow) neighbour(current string, step int) (*survey.Section, bool) {
	pages := f.survey.Pages(f.draft.Answers)
	i := slices.IndexFunc(pages, func(p *survey.Section) bool { return p.ID == current })
	if i < 0 || i+step < 0 || i+step >= len(pages) {
		return nil, false
	}
	return pages[i+step], true
}

// back is the page before a section.
func (f *flow) back(current string) string {
	switch {
	case f.returning:
		return f.checkURL()
	case f.survey.TaskList:
		return f.tasksURL()
	}
	if sec, ok := f.neighbour(current, -1); ok {
		return f.sectionURL(sec.ID)
	}
	if f.survey.ForYoungPeople() {
		return f.privacyURL()
	}
	return f.base()
}

type startPage struct {
	web.Page
	Invited bool // the respondent may answer: the survey is open to all, or they came by invitation
	// OneDevice warns that answers are kept in this browser: an invitation
	// link opened on a second device too lets both fill in the survey, and
	// the second to send would lose its answers.
	OneDevice bool
	Survey    *survey.Definition
	Round     survey.Round
	StartURL  string
	ResumeURL string
	// YouSaidURL is the previous round's "You said, we did" page, on a
	// consultation whose previous round has closed; "" otherwise.
	YouSaidURL string
}

// start is the round's start page. Whoever opens it starts afresh: the
// confirmation of answers this browser sent, and a resume code it was
// shown, are forgotten (on a shared computer, the next person's).
func (s *Pages) start(c *fiber.Ctx, f *flow) error {
	for _, name := range []string{sentCookie, savedCookie} {
		if c.Cookies(name) != "" {
			s.setCookie(c, f, name, "", 0)
		}
	}
	p := startPage{
		Page:      f.page(f.survey.Title, nil, ""),
		Invited:   !f.survey.InvitationOnly || f.draft.Invitation != "",
		OneDevice: f.draft.Invitation != "",
		Survey:    f.survey,
		Round:     f.round,
		StartURL:  f.firstURL(),
		ResumeURL: f.resumeURL(),
	}
	if f.survey.Consultation() && !f.round.Practice {
		comparable, err := rounds.Comparable(c.UserContext(), s.st, f.survey, s.now())
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(comparable, func(r survey.Round) bool { return r.ID == f.round.ID }); i > 0 && !comparable[i-1].Open {
			p.YouSaidURL = survey.YouSaidPath(f.survey.ID, comparable[i-1].ID) + "?" + withLang(nil, f.lang)
		}
	}
	return s.render(c, http.StatusOK, "start", p)
}

type privacyPage struct {
	web.Page
	Survey  *survey.Definition
	NextURL string
}

// privacy is the notice children and young people read before the first
// question.
func (s *Pages) privacy(c *fiber.Ctx, f *flow) error {
	next := f.sectionURL(f.survey.Sections[0].ID)
	if f.survey.TaskList {
		next = f.tasksURL()
	}
	return s.render(c, http.StatusOK, "privacy", privacyPage{
		Page: f.page(f.msg("privacy-title"), nil, f.base()), Survey: f.survey, NextURL: next,
	})
}

type stopPage struct {
	web.Page
	Survey   *survey.Definition
	HelpText string
	Help     []helpContact
}

// stop is the way out on every page of a survey for children and young
// people: nothing is sent, the draft is forgotten by this browser (and
// expires in the store), and the help contacts are shown.
func (s *Pages) stop(c *fiber.Ctx, f *flow) error {
	if f.token != "" {
		// The answers so far are given up: the draft expires now.
		f.draft.Expires = s.now().UTC()
		if err := s.st.SaveDraft(c.UserContext(), f.draft); err != nil {
			return err
		}
	}
	s.setDraftCookie(c, f, "")
	p := f.page(f.msg("stop-title"), nil, "")
	p.StopURL = ""
	return s.render(c, http.StatusOK, "stop", stopPage{Page: p, Survey: f.survey, HelpText: helpText(f), Help: helpFor(f)})
}

// helpContact is a place to get help, as shown at the end of a survey.
type helpContact struct {
	Name, Phone, PhoneLink, Website, Description string
}

// childline is always shown to children and young people.
var childline = survey.Contact{Name: "Childline", Phone: "0800 1111", Website: "https://www.childline.org.uk"}

// helpText is the survey's own words about getting help, if any.
func helpText(f *flow) string {
	if f.survey.Help == nil {
		return ""
	}
	return f.survey.Help.Text
}

func helpFor(f *flow) []helpContact {
	var contacts []survey.Contact
	if f.survey.ForYoungPeople() {
		c := childline
		c.Description = f.msg("childline")
		contacts = append(contacts, c)
	}
	if f.survey.Help != nil {
		contacts = append(contacts, f.survey.Help.Contacts...)
	}
	out := make([]helpContact, len(contacts))
	for i, c := range contacts {
		out[i] = helpContact{Name: c.Name, Phone: c.Phone, Website: c.Website, Description: c.Description}
		for _, r := range c.Phone {
			if r >= '0' && r <= '9' || r == '+' {
				out[i].PhoneLink += string(r)
			}
		}
	}
	return out
}
