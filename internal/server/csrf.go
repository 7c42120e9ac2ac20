package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"reflect"
	"strings"
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

// csrfProtect gives every browser its cookie, makes the matching token
// available to templates, and refuses a POST without the right token.
func (s *Server) csrfProtect(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/static/") || c.Path() == "/healthz" || c.Path() == "/readyz" {
		return c.Next()
	}
	key, err := s.secret(c.UserContext(), "csrf")
	if err != nil {
		return err
	}
	post := c.Method() == fiber.MethodPost
	check := post
	cookie := c.Cookies(csrfCookie)
	if !wellFormedToken(cookie) {
		if check {
			return fiber.NewError(http.StatusForbidden, csrfRefused)
		}
		cookie = auth.NewToken()
		c.Cookie(&fiber.Cookie{
			Name: csrfCookie, Value: cookie, Path: "/",
			HTTPOnly: true, Secure: s.secure, SameSite: fiber.CookieSameSiteLaxMode,
			// A year: it identifies nobody, and a shorter life would only
			// break forms left open.
			Expires: s.now().Add(365 * 24 * time.Hour),
		})
	}
	token := csrfTokenFor(key, cookie)
	c.Locals(csrfLocal, token)
	if check && subtle.ConstantTimeCompare([]byte(c.FormValue(csrfField)), []byte(token)) != 1 {
		return fiber.NewError(http.StatusForbidden, csrfRefused)
	}
	return c.Next()
}

func csrfTokenFor(key []byte, cookie string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(cookie))
	return hex.EncodeToString(m.Sum(nil))
}

// wellFormedToken: 32 bytes in URL-safe base64, as auth.NewToken makes.
func wellFormedToken(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// csrfToken is the token for the form fields of this request's page.
func csrfToken(c *fiber.Ctx) string {
	t, _ := c.Locals(csrfLocal).(string)
	return t
}

// withCSRF returns data with its CSRF field set to token.
//
// Why reflection: every page model embeds page and is passed to render by
// value, so render cannot set a field through an interface without every
// handler passing a pointer, and template functions are bound when the
// templates are parsed, not per request (cloning the templates per request
// would escape them again every time). Setting page.CSRF here on a copy
// means no handler has to remember the token, and the respondent pages get
// it with no change to their handlers: their templates only need
// {{template "csrf_field" .}}. A model without a CSRF string field is
// passed through unchanged.
func withCSRF(data any, token string) any {
	v := reflect.ValueOf(data)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return data
		}
		if f := v.Elem().FieldByName("CSRF"); f.IsValid() && f.Kind() == reflect.String && f.CanSet() {
			f.SetString(token)
		}
		return data
	}
	if v.Kind() != reflect.Struct {
		return data
	}
	cp := reflect.New(v.Type()).Elem()
	cp.Set(v)
	f := cp.FieldByName("CSRF")
	if !f.IsValid() || f.Kind() != reflect.String || !f.CanSet() {
		return data
	}
	f.SetString(token)
	return cp.Interface()
}
