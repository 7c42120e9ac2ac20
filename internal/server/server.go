// Package server is the web service: the respondent flow, the reports and
// the static assets, on Fiber. Every route is listed in routes.go.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Store is what the server needs of a store; both stores have it.
type Store interface {
	staffStore
	SaveDraft(ctx context.Context, d survey.Draft) error
	Draft(ctx context.Context, key string) (survey.Draft, error)
	Submit(ctx context.Context, r survey.Response) (survey.Response, error)
	Response(ctx context.Context, reference string) (survey.Response, error)
	SubmittedResponse(ctx context.Context, submissionKey string) (survey.Response, error)
	EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
}

// Options are what a server is made from.
type Options struct {
	Store   Store
	Surveys *survey.Catalogue
	Logger  *slog.Logger
	Secure  bool             // people reach the service over https: cookies are marked Secure
	Now     func() time.Time // the clock; time.Now when nil
}

// Server is the web service.
type Server struct {
	store   Store
	surveys *survey.Catalogue
	log     *slog.Logger
	secure  bool
	now     func() time.Time
	pages   *pages
	app     *fiber.App
	staff   staffState
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
	s := &Server{store: o.Store, surveys: o.Surveys, log: o.Logger, secure: o.Secure, now: o.Now, pages: p}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "iwtoolkit",
		DisableStartupMessage: true,
		BodyLimit:             MaxBodyBytes,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          s.handleError,
	})
	s.routes()
	return s, nil
}

// App is the Fiber app, for Listen, Listener and Shutdown.
func (s *Server) App() *fiber.App { return s.app }

// handleError is the one place that turns an error into a status and an
// error page. Store "not found" is a 404; anything unexpected is a 500 and
// is logged, with the request but never the answers.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
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
	// Errors raised before any middleware ran (a body or header too large)
	// need the headers too.
	setSecurityHeaders(c)
	return s.render(c, status, "error.html", errorPage{page: page{Title: message}, Status: status, Message: message})
}
