package web

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
)

// Middleware every page shares. None looks at the request's path: each
// audience's package registers its routes with its own (a deadline, a
// limit, its error pages) through Routes.Add.

// RecoverPanic turns a panic in a handler into an error: a 500 page and a
// log line, not a crash.
func RecoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: panic: %v", ErrInternal, r)
		}
	}()
	return c.Next()
}

// ContentSecurityPolicy allows nothing inline: pages load their scripts and
// styles from /static, and charts take their options from data attributes.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the headers every answer carries.
func SecurityHeaders(c *fiber.Ctx) error {
	SetSecurityHeaders(c)
	return c.Next()
}

// SetSecurityHeaders sets them on an answer made outside the middleware (an
// error raised before any ran).
func SetSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", ContentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
}

// checkForm turns away a POST that is not a form, or whose fields are not
// valid UTF-8, before its handler reads it; multipart/form-data (a file
// upload) only on a route that takes one (Route.Upload).
func checkForm(multipart bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// The media type exactly, before any parameters: a prefix would
		// let through application/x-www-form-urlencodedanything.
		mediaType, _, _ := strings.Cut(string(c.Request().Header.ContentType()), ";")
		mediaType = strings.TrimSpace(mediaType)
		valid := true
		switch {
		case strings.EqualFold(mediaType, fiber.MIMEApplicationForm):
			c.Request().PostArgs().VisitAll(func(k, v []byte) {
				valid = valid && utf8.Valid(k) && utf8.Valid(v)
			})
		case strings.EqualFold(mediaType, fiber.MIMEMultipartForm) && multipart:
			form, err := c.MultipartForm()
			if err != nil {
				return fiber.NewError(fiber.StatusBadRequest, "The form could not be read")
			}
			for k, vs := range form.Value {
				for _, v := range vs {
					valid = valid && utf8.ValidString(k) && utf8.ValidString(v)
				}
			}
		default:
			return fiber.NewError(fiber.StatusUnsupportedMediaType, "This form must be sent as a web form")
		}
		if !valid {
			return fiber.NewError(fiber.StatusBadRequest, "The form contained characters that could not be read")
		}
		return c.Next()
	}
}

// Deadline gives every store call of a request one deadline: a store that
// does not answer costs a page that long, and no request waits for ever (a
// write waiting for a majority a replica set cannot give, say).
func Deadline(timeout time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), timeout)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// LongTimeout is for work that must not be cut off half done: downloads
// streamed after their handler returns, and a deletion with its audit
// entry (Detach).
const LongTimeout = time.Hour

// Detach gives the rest of a request its own deadline, LongTimeout, in
// place of the request's: a deletion cut off by the request's deadline
// could leave responses deleted with no audit entry (on MongoDB a deletion
// also recounts the round's tallies, which takes longer the bigger the
// round).
func Detach(c *fiber.Ctx) context.CancelFunc {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), LongTimeout)
	c.SetUserContext(ctx)
	return cancel
}
