package server

import (
	"io/fs"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"iwtoolkit/internal/auth"
	"iwtoolkit/web"
)

// routes lists every route of the service.
func (s *Server) routes() {
	app := s.app
	app.Use(requestid.New()) // X-Request-ID, also in error log lines
	// A panic in a handler becomes a 500 page through handleError, not a crash.
	app.Use(recover.New())
	app.Use(securityHeaders)
	static, _ := fs.Sub(web.Static, "static") // the folder is embedded: Sub cannot fail
	app.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	app.Use(checkForm)
	app.Use(s.csrfProtect)

	app.Get("/", s.home)

	// The respondent flow of one round of one survey.
	app.Use("/s/", s.limitSubmissions)
	app.Get("/s/:survey/:round", s.inFlow(s.start))
	app.Get("/s/:survey/:round/privacy", s.answering(s.privacy))
	app.Get("/s/:survey/:round/tasks", s.answering(s.tasks))
	app.Get("/s/:survey/:round/stop", s.inFlow(s.stop))
	app.Get("/s/:survey/:round/resume", s.inFlow(s.resume))
	app.Post("/s/:survey/:round/resume", s.inFlow(s.resume))
	app.Get("/s/:survey/:round/section/:section", s.answering(s.sectionForm))
	app.Post("/s/:survey/:round/section/:section", s.answering(s.saveSection))
	app.Get("/s/:survey/:round/check", s.answering(s.checkAnswers))
	app.Post("/s/:survey/:round/check", s.answering(s.submit))
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
