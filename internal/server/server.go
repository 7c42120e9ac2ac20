// Package server puts the service together: one Fiber app with the
// middleware every request goes through, and the routes of each audience's
// package (internal/web/respond, staff, reports, board), which own their
// URLs. It is the only package that knows them all; they share
// internal/web (layout, components, form tokens, errors) and nothing else.
package server

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/survey/workbook"
	"iwtoolkit/internal/versions"
	"iwtoolkit/internal/web"
	"iwtoolkit/internal/web/about"
	"iwtoolkit/internal/web/board"
	"iwtoolkit/internal/web/optout"
	"iwtoolkit/internal/web/reports"
	"iwtoolkit/internal/web/respond"
	"iwtoolkit/internal/web/session"
	"iwtoolkit/internal/web/staff"
	assets "iwtoolkit/web"
)

// Store is what the service needs of a store; both stores have it. Each
// audience's package says what it needs of it.
type Store interface {
	respond.Store
	staff.Store
	reports.Store
	board.Store
	session.Store
	publish.Store
	web.SecretStore
	DeleteExpiredDrafts(ctx context.Context, t time.Time) (int, error)
}

// Options are what a server is made from.
type Options struct {
	Store   Store
	Surveys *survey.Catalogue
	Logger  *slog.Logger
	Secure  bool   // people reach the service over https: cookies are marked Secure
	BaseURL string // the address people use, for links shown to be kept (resume links)
	// DraftLifetime is how long a draft is kept after it was last saved;
	// DefaultDraftLifetime when zero.
	DraftLifetime time.Duration
	Now           func() time.Time // the clock; time.Now when nil
	// SubmitLimit is how many respondent form posts one client address may
	// make in ten minutes; 0 turns the limit off.
	SubmitLimit int
	// TrustedProxies are the load balancers (addresses or CIDR ranges)
	// whose X-Forwarded-For header gives the client's address; none when
	// the service is reached directly.
	TrustedProxies []string
	// RespondentTimeout and StaffTimeout bound the store calls of one
	// respondent's request and of any other; the defaults when zero.
	RespondentTimeout, StaffTimeout time.Duration
	// Mail sends invitations and reminders (SendMail); nil when no mail
	// server is set, and they wait in the queue.
	Mail mail.Sender
	// MailOwner names this instance's mail worker; a random one when empty.
	MailOwner string
	// Organisation runs the service and Contact is its address, for the
	// accessibility statement and privacy notice (about.Options).
	Organisation, Contact string
	// Safeguarding is where safeguarding alerts go for a survey that
	// names no safeguarding lead (IWT_SAFEGUARDING_EMAIL).
	Safeguarding string
	// ServiceName is the name in every page's header and title;
	// web.DefaultServiceName when empty.
	ServiceName string
	// Versions keeps Surveys in step with the survey versions in the
	// store; when nil, one is made here, and nothing polls it.
	Versions *versions.Live
	// PublishApproval: a survey version is published only by an
	// administrator other than the one who made it (IWT_PUBLISH_APPROVAL).
	PublishApproval bool
}

// DefaultDraftLifetime keeps an unfinished survey for 30 days.
const DefaultDraftLifetime = 30 * 24 * time.Hour

// DefaultRespondentTimeout bounds the store calls of one respondent
// request: well above a healthy store's answer, well below a person giving
// up on a page. DefaultStaffTimeout bounds those of any other request: a
// report reads for a few hundred milliseconds, pages that read every
// response of a round (comments, safeguarding) for longer at scale, but no
// request may wait for ever on a store that stopped answering (a MongoDB
// replica set that cannot acknowledge a majority write, say). Both are
// settings (IWT_RESPONDENT_TIMEOUT, IWT_STAFF_TIMEOUT), so that a slow
// store (a test stand-in on a busy machine) can be given longer.
const (
	DefaultRespondentTimeout = 5 * time.Second
	DefaultStaffTimeout      = 2 * time.Minute
)

// Server is the web service.
type Server struct {
	store  Store
	log    *slog.Logger
	now    func() time.Time
	health *web.Health
	errors *web.Renderer // the error page of every request but a respondent's
	app    *fiber.App
	routes *web.Routes
	mail   *mail.Worker // nil when no mail server is set
}

// New builds the server and its routes.
func New(o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.DraftLifetime <= 0 {
		o.DraftLifetime = DefaultDraftLifetime
	}
	o.RespondentTimeout, o.StaffTimeout = cmp.Or(o.RespondentTimeout, DefaultRespondentTimeout), cmp.Or(o.StaffTimeout, DefaultStaffTimeout)
	errors, err := web.ErrorPages()
	if err != nil {
		return nil, err
	}
	s := &Server{store: o.Store, log: o.Logger, now: o.Now, health: web.NewHealth(o.Logger), errors: errors}

	if o.Versions == nil {
		o.Versions = versions.New(o.Store, o.Surveys, o.Logger, o.Now)
	}
	secrets := web.NewSecrets(o.Store)
	sessions := session.New(o.Store, o.Surveys, o.Now, o.Secure)
	publisher := publish.New(o.Store, o.Now)
	links := mail.NewLinks(o.Store, o.BaseURL)
	respondent, err := respond.New(respond.Options{
		Store: o.Store, Surveys: o.Surveys, Log: o.Logger, Now: o.Now, Secure: o.Secure, BaseURL: o.BaseURL,
		DraftLifetime: o.DraftLifetime, SubmitLimit: o.SubmitLimit, Timeout: o.RespondentTimeout,
		Secrets: secrets, Health: s.health, Published: publisher,
		Queued: func() { // a safeguarding alert stored: sent at once
			if s.mail != nil {
				s.mail.Wake()
			}
		},
	})
	if err != nil {
		return nil, err
	}
	// Staff's preview of the surveys: the respondents' pages, storing
	// nothing. Its versions are those the store keeps (drafts, earlier
	// versions) and the one served.
	preview, err := respond.NewPreview(respond.PreviewOptions{
		Definitions: o.Versions.Definition, Rounds: o.Store, Log: o.Logger, Now: o.Now,
		Secure: o.Secure, BaseURL: o.BaseURL, Timeout: o.StaffTimeout, Health: s.health, Allow: auth.PreviewSurveys,
	})
	if err != nil {
		return nil, err
	}
	staffPages, err := staff.New(staff.Options{
		Store: o.Store, Surveys: o.Surveys, Log: o.Logger, Now: o.Now, BaseURL: o.BaseURL, Timeout: o.StaffTimeout,
		Sessions: sessions, Secrets: secrets, Publisher: publisher, Health: s.health,
		Links: links, Sending: o.Mail != nil, Versions: o.Versions, PublishApproval: o.PublishApproval,
	})
	if err != nil {
		return nil, err
	}
	reportPages, err := reports.New(reports.Options{
		Store: o.Store, Surveys: o.Surveys, Log: o.Logger, Now: o.Now, Timeout: o.StaffTimeout,
		Sessions: sessions, Publisher: publisher,
	})
	if err != nil {
		return nil, err
	}
	for _, d := range o.Surveys.All() {
		if d.ForYoungPeople() && len(d.SafeguardingWords) > 0 && d.SafeguardingLead == "" && o.Safeguarding == "" {
			o.Logger.Warn("no one is told of flagged answers: set safeguarding_lead in the survey file or IWT_SAFEGUARDING_EMAIL", "survey", d.ID)
		}
	}
	if o.Mail != nil {
		s.mail = &mail.Worker{Store: o.Store, Sender: o.Mail, Surveys: o.Surveys, Links: links, Log: o.Logger, Safeguarding: o.Safeguarding,
			Organisation: o.Organisation, Contact: o.Contact,
			Owner: cmp.Or(o.MailOwner, mail.NewOwner("iwtoolkit")), Now: o.Now}
	}
	optOut, err := optout.New(optout.Options{Store: o.Store, Surveys: o.Surveys, Links: links, Now: o.Now, Timeout: o.StaffTimeout})
	if err != nil {
		return nil, err
	}
	legal, err := about.New(about.Options{Organisation: o.Organisation, Contact: o.Contact})
	if err != nil {
		return nil, err
	}
	pack, err := board.New(board.Options{
		Store: o.Store, Surveys: o.Surveys, Now: o.Now, Timeout: o.StaffTimeout,
		Sessions: sessions, Publisher: publisher, BaseURL: o.BaseURL,
	})
	if err != nil {
		return nil, err
	}

	cfg := fiber.Config{
		AppName:               "iwtoolkit",
		DisableStartupMessage: true,
		// Bodies are streamed, and each route refuses a body over its own
		// limit (web.Route.MaxBody) before reading it: a body too large,
		// or one that never ends, costs what one read of the connection
		// brings (at most 4 KB), not its length. BodyLimit is how much of
		// a body fasthttp reads before the handlers run: as little as it
		// will (it waits for the body's first two bytes), so that they
		// start as soon as the body does; with the 8 KB it reads by
		// default, a body stalled before 8 KB would hold its connection
		// until the read timeout before it could be refused. Multipart
		// forms are read only by the one route that takes them, after
		// its checks.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    1,
		ReadTimeout:                  30 * time.Second,
		// A response may take this long to write: the streamed downloads
		// (a workbook of 250,000 responses took 43–61 s on a busy machine)
		// must not be cut off; a page is written in milliseconds.
		WriteTimeout: 15 * time.Minute,
		IdleTimeout:  120 * time.Second,
		ErrorHandler: s.handleError,
	}
	if len(o.TrustedProxies) > 0 {
		// c.IP() is then the first valid address in X-Forwarded-For, but
		// only on requests that come from one of these proxies.
		cfg.ProxyHeader, cfg.EnableTrustedProxyCheck, cfg.TrustedProxies, cfg.EnableIPValidation = fiber.HeaderXForwardedFor, true, o.TrustedProxies, true
	}
	app := fiber.New(cfg)
	app.Use(web.ServiceName(o.ServiceName))
	app.Use(requestid.New()) // X-Request-ID, also in error log lines
	app.Use(web.CloseUnreadBody)
	app.Use(web.RecoverPanic)
	app.Use(web.SecurityHeaders)
	files, _ := fs.Sub(assets.Static, "static") // the folder is embedded: Sub cannot fail
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(files), MaxAge: 3600}))
	routes := web.NewRoutes(app, sessions.Guard)
	staffPages.Health(routes) // before anything that needs the store or a form token
	app.Use(web.CSRF(secrets, o.Secure, o.Now))
	respondent.Register(routes)
	staffPages.Register(routes)
	preview.Register(routes)
	reportPages.Register(routes)
	pack.Register(routes)
	optOut.Register(routes)
	legal.Register(routes)
	app.Use(func(c *fiber.Ctx) error { return fiber.NewError(http.StatusNotFound, "Page not found") })
	s.app, s.routes = app, routes
	return s, nil
}

// SweepDrafts deletes expired drafts every interval until ctx is done: the
// embedded store's way of expiring abandoned drafts (MongoDB's TTL index
// does it too, and the sweep does no harm there).
func (s *Server) SweepDrafts(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.store.DeleteExpiredDrafts(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil && !s.health.NoteDamage(err):
			s.log.Error("sweep expired drafts", "error", err)
		case n > 0:
			s.log.Info("swept expired drafts", "deleted", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendMail sends queued invitations and reminders, and queues those the
// survey files schedule, every interval until ctx is done; it does
// nothing when no mail server is set. Every instance may run it: the
// queue's leases keep them from sending one message twice.
func (s *Server) SendMail(ctx context.Context, interval time.Duration) {
	if s.mail == nil {
		return
	}
	s.mail.Run(ctx, interval)
}

// App is the Fiber app, for Listen, Listener and Shutdown.
func (s *Server) App() *fiber.App { return s.app }

// Routes is the service's route table: every route of App with who may
// use it.
func (s *Server) Routes() []web.Route { return s.routes.List() }

// handleError turns an error no audience's package answered into a status
// and an error page: staff pages' errors, and those raised before any
// route (a body too large, a form token missing). web.Status gives the
// status; a 503 says when to try again and, to staff, who to tell. 5xx
// are logged, with the request but never the answers. The respondent
// pages answer their own errors (respond.Pages.failed), in the
// respondent's language and with what they entered.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	// Errors raised before any middleware ran (a body or header too large)
	// need the headers too. No error page is kept in a cache: a page
	// missing at an address in a round's flow, say, may be there later.
	web.SetSecurityHeaders(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	status, message := web.Status(err)
	p := web.ErrorPage{Page: web.Page{Title: message, CSRF: web.Token(c)}, Status: status, Message: message}
	switch {
	case status == http.StatusServiceUnavailable:
		c.Set(fiber.HeaderRetryAfter, web.RetryAfter)
		if s.health.NoteDamage(err) {
			s.log.Warn("store damaged", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status)
		} else {
			s.log.Error("store unavailable", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status, "error", err)
		}
		if staffPath(c.Path()) {
			p.Detail = "Please try again in a few minutes. If it keeps happening, tell whoever runs the service: it cannot reach its database."
			if s.health.Damaged() {
				p.Detail = "Tell whoever runs the service: its database is damaged, and must be restored from a backup or repaired."
			}
		}
	case status == http.StatusRequestEntityTooLarge && strings.HasPrefix(c.Path(), "/staff/surveys/"):
		p.Detail = fmt.Sprintf("A survey workbook can be at most %d MB. Nothing was saved. Go back and choose a smaller file: a survey's workbook is rarely more than 100 KB, so check that it is the right file, and remove pictures from it.", workbook.MaxFileSize>>20)
	case status >= 500:
		s.log.Error("request failed", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status, "error", err)
	}
	return s.errors.Render(c, status, "error", p)
}

// staffPath says whether a path is one staff use: their pages, the
// reports and the Board pack, and the API.
func staffPath(p string) bool {
	for _, prefix := range []string{"/staff", "/r/", "/api/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
