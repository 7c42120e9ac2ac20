package web

import (
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
)

// MaxBodyBytes bounds the body of every route but an upload's: the
// longest form, a strand page with its comment box, is a few kilobytes.
const MaxBodyBytes = 64 << 10

// Route is one route of the service and who may use it. Each audience's
// package lists its routes in one table (its routes function) and
// registers them with Routes.Add, so that no route exists without a
// permission, and none takes a body larger than it says.
type Route struct {
	Method string
	Path   string // under the audience's prefix
	Allow  auth.Permission
	// MaxBody is the largest body the route reads, MaxBodyBytes unless
	// the route takes a file (Upload).
	MaxBody   int
	Multipart bool // the route takes multipart/form-data (Upload)
	Handler   fiber.Handler
}

// Get is a GET route (and its HEAD) for those allow lets in.
func Get(path string, allow auth.Permission, h fiber.Handler) Route {
	return Route{Method: fiber.MethodGet, Path: path, Allow: allow, MaxBody: MaxBodyBytes, Handler: h}
}

// Post is a form's POST route for those allow lets in.
func Post(path string, allow auth.Permission, h fiber.Handler) Route {
	return Route{Method: fiber.MethodPost, Path: path, Allow: allow, MaxBody: MaxBodyBytes, Handler: h}
}

// Upload makes a POST route one that takes a file: multipart/form-data, and
// a body of at most max bytes.
func (r Route) Upload(max int) Route {
	r.MaxBody, r.Multipart = max, true
	return r
}

// Guard refuses a request that a permission does not allow, before the
// handler runs; session.Sessions.Guard is the one the service uses.
type Guard func(auth.Permission) fiber.Handler

// Routes is the service's route table: every route is added through it,
// with its permission and its body limit, and it keeps the list, which a
// test walks against the app's own (server.TestEveryRouteAsEveryRole).
type Routes struct {
	app   *fiber.App
	guard Guard
	list  []Route
}

// NewRoutes is the route table of app, whose routes guard refuses to those
// their permission does not allow.
func NewRoutes(app *fiber.App, guard Guard) *Routes { return &Routes{app: app, guard: guard} }

// Add registers an audience's routes under prefix. Each route runs, in
// order: the audience's middleware mw, the body limit, the permission
// (for any route not Public; the guard asks for signing in), and for a
// POST the form's check and its token, then its handler. The middleware
// is given to each route, not to a group: Fiber runs a group's middleware
// on every path under its prefix, so the reports' would run on the Board
// pack's routes too. A route without a permission stops start-up.
func (t *Routes) Add(prefix string, mw []fiber.Handler, routes ...Route) {
	for _, r := range routes {
		r.Path = prefix + r.Path
		if r.Allow.IsZero() {
			panic(fmt.Sprintf("web: route %s %s has no permission", r.Method, r.Path))
		}
		hs := append(slices.Clone(mw), limitBody(r.MaxBody))
		if !r.Allow.IsPublic() {
			hs = append(hs, t.guard(r.Allow))
		}
		if r.Method == fiber.MethodPost {
			hs = append(hs, checkForm(r.Multipart), checkToken)
		}
		hs = append(hs, r.Handler)
		if r.Method == fiber.MethodGet {
			t.app.Get(r.Path, hs...) // and HEAD
		} else {
			t.app.Add(r.Method, r.Path, hs...)
		}
		t.list = append(t.list, r)
	}
}

// List is every route added, with its full path.
func (t *Routes) List() []Route { return slices.Clone(t.list) }

// limitBody refuses a body over max bytes before it is read. The service
// streams request bodies (fiber.Config.StreamRequestBody, server.New):
// only the body's first bytes have been read when a route's handlers
// start, so a declared length over max is refused at once, and a chunked
// body is read up to max and no further. A compressed body is refused: no browser sends
// one, and it could hold far more than it declares.
func limitBody(max int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		if len(req.Header.Peek(fiber.HeaderContentEncoding)) > 0 {
			return fiber.NewError(http.StatusUnsupportedMediaType, "This form must be sent as a web form")
		}
		switch n := req.Header.ContentLength(); {
		case n > max:
			return fiber.ErrRequestEntityTooLarge
		case n == -1 && req.IsBodyStream(): // chunked: length unknown
			body, err := io.ReadAll(io.LimitReader(c.Context().RequestBodyStream(), int64(max)+1))
			if err != nil {
				return fiber.NewError(http.StatusBadRequest, "The form could not be read")
			}
			if len(body) > max {
				return fiber.ErrRequestEntityTooLarge
			}
			req.SetBody(body)
		}
		return c.Next()
	}
}

// CloseUnreadBody closes the connection after an answer given without
// reading all of the request's body (a refusal before the handler: too
// large, not signed in): the rest of the body, perhaps still arriving, is
// then never read, nor taken for the next request on the connection.
func CloseUnreadBody(c *fiber.Ctx) error {
	err := c.Next()
	if c.Request().IsBodyStream() {
		c.Context().SetConnectionClose()
	}
	return err
}
