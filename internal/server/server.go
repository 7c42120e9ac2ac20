// Package server is the web service: the respondent flow, the reports and
// the static assets, on Fiber. Every route is listed in routes.go.
package server

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Store is what the server needs of a store; both stores have it.
type Store interface {
	staffStore
	adminStore
	invitationStore
	publicationStore // publications.go
	SaveDraft(ctx context.Context, d survey.Draft) error
	Draft(ctx context.Context, key string) (survey.Draft, error)
	TakeDraft(ctx context.Context, key, surveyID, round string, t time.Time) (survey.Draft, error)
	DeleteExpiredDrafts(ctx context.Context, t time.Time) (int, error)
	Submit(ctx context.Context, r survey.Response) (survey.Response, error)
	Response(ctx context.Context, reference string) (survey.Response, error)
	SubmittedResponse(ctx context.Context, submissionKey string) (survey.Response, error)
	EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
	Invitation(ctx context.Context, key string) (survey.Invitation, bool, error)
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
	// respondent's request and of any other (unavailable.go); the
	// defaults when zero.
	RespondentTimeout, StaffTimeout time.Duration
}

// DefaultDraftLifetime keeps an unfinished survey for 30 days.
const DefaultDraftLifetime = 30 * 24 * time.Hour

// Server is the web service.
type Server struct {
	store   Store
	surveys *survey.Catalogue
	log     *slog.Logger
	secure  bool
	baseURL string
	now     func() time.Time
	// draftLifetime is how long a draft lives after it was last saved.
	draftLifetime time.Duration
	pages         *pages
	app           *fiber.App
	staff         staffState
	submitLimit   int
	pubs          publications // publications.go
	// respondentTimeout and staffTimeout: see requestDeadline.
	respondentTimeout, staffTimeout time.Duration
	// damaged: the store reported its data damaged (noteDamage).
	damaged atomic.Bool
}

// MaxBodyBytes bounds a request body. The longest form, a strand page with
// its comment box, is a few kilobytes.
const MaxBodyBytes = 64 << 10

// New builds the server and its routes.
func New(o Options) (*Server, error) {
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{store: o.Store, surveys: o.Surveys, log: o.Logger, secure: o.Secure, baseURL: o.BaseURL, now: o.Now, draftLifetime: o.DraftLifetime, pages: p, submitLimit: o.SubmitLimit}
	if s.draftLifetime <= 0 {
		s.draftLifetime = DefaultDraftLifetime
	}
	s.respondentTimeout, s.staffTimeout = cmp.Or(o.RespondentTimeout, DefaultRespondentTimeout), cmp.Or(o.StaffTimeout, DefaultStaffTimeout)
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	cfg := fiber.Config{
		AppName:               "iwtoolkit",
		DisableStartupMessage: true,
		BodyLimit:             MaxBodyBytes,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          s.handleError,
	}
	if len(o.TrustedProxies) > 0 {
		// c.IP() is then the first valid address in X-Forwarded-For, but
		// only on requests that come from one of these proxies.
		cfg.ProxyHeader, cfg.EnableTrustedProxyCheck, cfg.TrustedProxies, cfg.EnableIPValidation = fiber.HeaderXForwardedFor, true, o.TrustedProxies, true
	}
	s.app = fiber.New(cfg)
	s.routes()
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
		case err != nil && ctx.Err() == nil && !s.noteDamage(err):
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

// App is the Fiber app, for Listen, Listener and Shutdown.
func (s *Server) App() *fiber.App { return s.app }

// handleError is the one place that turns an error into a status and an
// error page. Store "not found" is a 404; the store failing is a 503 (see
// storeDown); anything else unexpected is a 500. 5xx are logged, with the
// request but never the answers.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	// Errors raised before any middleware ran (a body or header too large)
	// need the headers too.
	setSecurityHeaders(c)
	if storeFailed(err) {
		return s.storeDown(c, err) // unavailable.go
	}
	status := http.StatusInternalServerError
	message := "Sorry, there is a problem with the service. Try again later."
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		status = fe.Code
		message = fe.Message
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
		message = "Page not found"
	}
	if status >= 500 {
		s.log.Error("request failed", "request_id", c.Locals("requestid"), "method", c.Method(), "path", c.Path(), "status", status, "error", err)
	}
	return s.render(c, status, "error.html", errorPage{page: page{Title: message}, Status: status, Message: message})
}
