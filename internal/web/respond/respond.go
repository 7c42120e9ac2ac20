// Package respond is the pages people answer surveys on: the list of
// surveys, each round's flow (/s/{survey}/{round}: start, privacy notice,
// parts or task list, check answers, send, confirmation, save and come back
// later, stop) and invitation links (/i/{token}). Its pages are written in
// Go (pages.go, markup.go): a respondent loads dozens of them, and
// html/template's reflection was most of the service's time under load.
package respond

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// Store is what the respondent pages need of a store.
type Store interface {
	rounds.States
	SaveDraft(ctx context.Context, d survey.Draft) error
	Draft(ctx context.Context, key string) (survey.Draft, error)
	Submit(ctx context.Context, r survey.Response, queue ...store.MailMessage) (survey.Response, error)
	Response(ctx context.Context, reference string) (survey.Response, error)
	SubmittedResponse(ctx context.Context, submissionKey string) (survey.Response, error)
	Invitation(ctx context.Context, key string) (survey.Invitation, bool, error)
	Increment(ctx context.Context, key string, now, expires time.Time) (int64, error)
	// Audit records a safeguarding alert queued (Submit queues it).
	Audit(ctx context.Context, e store.AuditEntry) error
}

// Options are what the respondent pages are made from.
type Options struct {
	Store   Store
	Surveys *survey.Catalogue
	Log     *slog.Logger
	Now     func() time.Time
	Secure  bool   // people reach the service over https: cookies are marked Secure
	BaseURL string // the address people use, for links shown to be kept (resume links)
	// DraftLifetime is how long a draft is kept after it was last saved.
	DraftLifetime time.Duration
	// SubmitLimit is how many form posts one client address may make in
	// ten minutes; 0 turns the limit off.
	SubmitLimit int
	// Timeout bounds the store calls of one respondent's request: a store
	// that does not answer costs a page that long.
	Timeout time.Duration
	Secrets *web.Secrets
	Health  *web.Health
	// Published gives a staff self-assessment's respondent their profile
	// beside the partnership's figures (profile.go); none: no profile.
	Published Published
	// Queued, if set, is called when a response stored now raised mail
	// (a safeguarding alert): the service wakes its mail worker
	// (mail.Worker.Wake), so that the alert goes at once.
	Queued func()
}

// Pages are the respondent pages.
type Pages struct {
	st            Store
	surveys       *survey.Catalogue
	log           *slog.Logger
	now           func() time.Time
	secure        bool
	baseURL       string
	draftLifetime time.Duration
	submitLimit   int
	timeout       time.Duration
	secrets       *web.Secrets
	health        *web.Health
	pages         *web.Renderer
	published     Published
	queued        func() // Options.Queued, or nothing
	// venue is what differs between the respondents' flow and staff's
	// preview of it (preview.go); the handlers are the same.
	venue venue
}

// venue is where a flow happens: where a request's survey and round come
// from, where the flow's pages are, and what they add. The respondents'
// venue is the survey files and the rounds as staff have set them, at
// /s/{survey}/{round}; the preview's is any version of a survey, any
// round whatever its state, under /staff/surveys/{survey}/preview/. Where
// answers are kept and what Send does are the Store's.
type venue struct {
	// open finds the request's survey and round, or refuses them.
	open func(c *fiber.Ctx) (*survey.Definition, survey.Round, error)
	// root is the path of the flow's pages.
	root func(c *fiber.Ctx, d *survey.Definition, r survey.Round) string
	// langPath is the path of the language cookie.
	langPath string
	// banner is said at the top of every page, and done at the top of the
	// confirmation (web.Page.Preview); empty for respondents.
	banner, done string
	// asInvited answers a survey for invited people only as if through an
	// invitation: the preview shows what an invited person sees.
	asInvited bool
}

// New makes the respondent pages.
func New(o Options) (*Pages, error) {
	static, err := web.Static()
	if err != nil {
		return nil, err
	}
	r, err := web.NewRenderer(nil, writers(static))
	if err != nil {
		return nil, err
	}
	s := &Pages{st: o.Store, surveys: o.Surveys, log: o.Log, now: o.Now, secure: o.Secure, baseURL: o.BaseURL,
		draftLifetime: o.DraftLifetime, submitLimit: o.SubmitLimit, timeout: o.Timeout, secrets: o.Secrets, health: o.Health, pages: r, published: o.Published, queued: o.Queued}
	s.venue = venue{open: s.openRound, root: respondentRoot, langPath: "/"}
	return s, nil
}

// respondentRoot is the path of a round's flow for respondents.
func respondentRoot(_ *fiber.Ctx, d *survey.Definition, r survey.Round) string {
	return "/s/" + d.ID + "/" + r.ID
}

// Register adds the respondent routes, every one public. Every page of a
// round's flow has the same middleware: no caching, the respondent's
// deadline for the store, the respondent's error pages (failed) and the
// limit on form posts.
func (s *Pages) Register(t *web.Routes) {
	t.Add("", []fiber.Handler{web.Deadline(s.timeout), s.failed}, web.Get("/", auth.Public, s.home))
	t.Add("/s/:survey/:round", []fiber.Handler{noStore, web.Deadline(s.timeout), s.failed, s.limitSubmissions},
		web.Get("", auth.Public, s.inFlow(s.start)),
		web.Get("/privacy", auth.Public, s.answering(s.privacy)),
		web.Get("/tasks", auth.Public, s.answering(s.tasks)),
		web.Get("/stop", auth.Public, s.inFlow(s.stop)),
		web.Get("/resume", auth.Public, s.inFlow(s.resume)),
		web.Post("/resume", auth.Public, s.inFlow(s.resume)),
		web.Get("/saved", auth.Public, s.inFlow(s.saved)),
		web.Get("/section/:section", auth.Public, s.answering(s.sectionForm)),
		web.Post("/section/:section", auth.Public, s.whenDown(s.sectionNotSaved, s.answering(s.saveSection))),
		web.Get("/check", auth.Public, s.answering(s.checkAnswers)),
		web.Post("/check", auth.Public, s.whenDown(s.notSent, s.answering(s.submit))),
		web.Get("/done", auth.Public, s.inFlow(s.done)),
		web.Get("/profile", auth.Public, s.inFlow(s.profile)), // profile.go
	)
	t.Add("/i", []fiber.Handler{noStore, web.Deadline(s.timeout), s.failed}, web.Get("/:token", auth.Public, s.invitation))
}

// noStore keeps every page of a round's flow out of the browser's cache
// and history: pages show answers (a part's form, check answers, the
// confirmation), and on a shared school computer the back button after
// "Stop and leave" must not show a child's answers to the next person.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Next()
}

// render writes a respondent page.
func (s *Pages) render(c *fiber.Ctx, status int, name string, data web.Paged) error {
	return s.pages.Render(c, status, name, data)
}

// failed answers every error of a respondent's request with a page in the
// respondent's words: 503 with Retry-After when the store failed (see
// down.go: a part's form comes back with what was entered), otherwise the
// status Status gives. A 5xx is logged, with the request but never the
// answers.
func (s *Pages) failed(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil {
		return nil
	}
	if web.Unavailable(err) {
		return s.storeDown(c, err)
	}
	status, message := web.Status(err)
	detail := ""
	var pr *problem
	if errors.As(err, &pr) {
		status, message, detail = pr.status, pr.title, pr.detail
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status, "error", err)
	}
	p := web.Page{Title: message, CSRF: web.Token(c), Lang: s.language(c, nil), Preview: s.venue.banner}
	if f, ok := c.Locals(flowLocal).(*flow); ok {
		p = f.page(message, nil, "")
	}
	return s.render(c, status, "error", errorPage{ErrorPage: web.ErrorPage{Page: p, Status: status, Message: message, Detail: detail}})
}

// problem is a refusal the respondent's error page explains in words of its
// own: a title and what to do.
type problem struct {
	status        int
	title, detail string
}

func (p *problem) Error() string { return p.title }

// errorPage is a respondent's error page.
type errorPage struct{ web.ErrorPage }

type homePage struct {
	web.Page
	Surveys []*survey.Definition
}

// home lists the surveys and their rounds.
func (s *Pages) home(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "home", homePage{Page: web.Page{Title: "Surveys", CSRF: web.Token(c)}, Surveys: s.surveys.All()})
}
