package server

import (
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"iwtoolkit/internal/auth"
	"iwtoolkit/web"
)

// The respondent flow's routes that storeDown tells apart.
const (
	flowRoute    = "/s/:survey/:round" // and every route under it
	sectionRoute = flowRoute + "/section/:section"
	checkRoute   = flowRoute + "/check"
)

// routes lists every route of the service.
func (s *Server) routes() {
	app := s.app
	app.Use(requestid.New()) // X-Request-ID, also in error log lines
	app.Use(recoverPanic)
	app.Use(securityHeaders)
	static, _ := fs.Sub(web.Static, "static") // the folder is embedded: Sub cannot fail
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	app.Use(s.requestDeadline) // unavailable.go
	app.Use(checkForm)
	app.Use(s.csrfProtect)

	app.Get("/", s.home)

	// The respondent flow of one round of one survey.
	app.Use("/s/", s.limitSubmissions)
	app.Get(flowRoute, s.inFlow(s.start))
	app.Get("/s/:survey/:round/privacy", s.answering(s.privacy))
	app.Get("/s/:survey/:round/tasks", s.answering(s.tasks))
	app.Get("/s/:survey/:round/stop", s.inFlow(s.stop))
	app.Get("/s/:survey/:round/resume", s.inFlow(s.resume))
	app.Post("/s/:survey/:round/resume", s.inFlow(s.resume))
	app.Get(sectionRoute, s.answering(s.sectionForm))
	app.Post(sectionRoute, s.answering(s.saveSection))
	app.Get(checkRoute, s.answering(s.checkAnswers))
	app.Post(checkRoute, s.answering(s.submit))
	app.Get("/s/:survey/:round/done", s.inFlow(s.done))

	app.Get("/i/:token", s.invitation)

	app.Get("/r/:survey", s.staffOnly(auth.User.CanSeeReports, s.viewReport))
	app.Get("/r/:survey/responses.csv", s.staffOnly(auth.User.CanSeeRawResponses, s.responsesCSV))
	app.Get("/r/:survey/aggregates.csv", s.staffOnly(auth.User.CanSeeReports, s.aggregatesCSV))
	app.Get("/r/:survey/views/:view", s.staffOnly(auth.User.CanSeeReports, s.reportViewPage))
	app.Get("/r/:survey/comments", s.staffOnly(auth.User.CanSeeFreeText, s.comments))
	app.Get("/api/surveys/:survey/report", s.staffOnly(auth.User.CanSeeReports, s.reportAPI))
	s.staffRoutes(app)
	s.adminRoutes(app)
	s.invitationRoutes(app)
	s.boardRoutes(app) // board.go

	app.Use(func(c *fiber.Ctx) error { return fiber.NewError(http.StatusNotFound, "Page not found") })
}

// recoverPanic turns a panic in a handler into an error for handleError: a
// 500 page and a log line, not a crash. A panic is the service's own fault
// (errInternal), never taken for the store being down.
func recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic: %v", errInternal, r)
		}
	}()
	return c.Next()
}

// contentSecurityPolicy allows nothing inline: pages load their scripts and
// styles from /static, and charts take their options from data attributes.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(c *fiber.Ctx) error {
	setSecurityHeaders(c)
	return c.Next()
}

func setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
}

// checkForm turns away a POST that is not a form, or whose fields are not
// valid UTF-8, before any handler reads it.
func checkForm(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost {
		return c.Next()
	}
	// The media type exactly, before any parameters: a prefix would let
	// through application/x-www-form-urlencodedanything.
	mediaType, _, _ := strings.Cut(string(c.Request().Header.ContentType()), ";")
	if !strings.EqualFold(strings.TrimSpace(mediaType), fiber.MIMEApplicationForm) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "This form must be sent as a web form")
	}
	valid := true
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		valid = valid && utf8.Valid(k) && utf8.Valid(v)
	})
	if !valid {
		return fiber.NewError(fiber.StatusBadRequest, "The form contained characters that could not be read")
	}
	return c.Next()
}
