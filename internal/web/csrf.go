package web

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
)

// CSRF protection, one mechanism for every form, staff and public.
//
// Each browser gets a random cookie, iwt_csrf (HttpOnly, SameSite=Lax,
// Secure over https). Every form carries a hidden field, csrf_token, whose
// value is the HMAC-SHA256 of that cookie under a server key. A POST whose
// field does not match its cookie is refused with a 403 before any handler
// runs, so nothing is stored. Another site can make a browser send the
// cookie, but cannot read it or the page, so it cannot forge the field.
//
// The key is kept in the store (Secret "csrf"), so every instance on one
// store accepts the tokens of every other, and a restart does not
// invalidate forms that are open in browsers.
const (
	csrfCookie = "iwt_csrf"
	csrfField  = "csrf_token"
	csrfLocal  = "csrf"
	// csrfRefused is what a refused form says.
	csrfRefused = "Your session has expired or the form was changed. Go back, reload the page and try again."
)

// CSRFField is the name of a form's token field.
const CSRFField = csrfField

// CSRF is the protection's middleware: it gives every browser its cookie
// and makes the matching token available to pages (Token). Each form's
// route checks the token it was sent (checkToken, added by Routes.Add)
// once the body has passed the route's limit. It is registered after the
// static files and the health checks, which need none.
func CSRF(secrets *Secrets, secure bool, now func() time.Time) fiber.Handler {
	return func(c *fiber.Ctx) error { return csrfToken(c, secrets, secure, now) }
}

func csrfToken(c *fiber.Ctx, secrets *Secrets, secure bool, now func() time.Time) error {
	cookie := c.Cookies(csrfCookie)
	if !wellFormedToken(cookie) {
		if c.Method() == fiber.MethodPost {
			return c.Next() // no token: checkToken refuses the form
		}
		cookie = auth.NewToken()
		c.Cookie(&fiber.Cookie{
			Name: csrfCookie, Value: cookie, Path: "/",
			HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode,
			// A year: it identifies nobody, and a shorter life would only
			// break forms left open.
			Expires: now().Add(365 * 24 * time.Hour),
		})
	}
	token, err := csrfTokenOf(c.UserContext(), secrets, cookie)
	if err != nil {
		return err
	}
	c.Locals(csrfLocal, token)
	return c.Next()
}

// checkToken refuses a form whose csrf_token field does not match its
// cookie, before its handler runs.
func checkToken(c *fiber.Ctx) error {
	token := Token(c)
	if token == "" || subtle.ConstantTimeCompare([]byte(c.FormValue(csrfField)), []byte(token)) != 1 {
		return fiber.NewError(http.StatusForbidden, csrfRefused)
	}
	return c.Next()
}

// csrfTokenOf is the form token for a browser's cookie: the HMAC of the
// cookie under the "csrf" secret, in hex.
func csrfTokenOf(ctx context.Context, secrets *Secrets, cookie string) (string, error) {
	sum, err := secrets.HMAC(ctx, "csrf", cookie)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// wellFormedToken: 32 bytes in URL-safe base64, as auth.NewToken makes.
func wellFormedToken(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// Token is the token for the form fields of this request's page: every
// page model is given it (NewPage), and every form writes it in its
// csrf_token field.
func Token(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfLocal).(string)
	return t
}
