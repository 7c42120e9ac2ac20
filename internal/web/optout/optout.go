// Package optout is the page behind the link in every invitation and
// reminder email that stops further emails for that round: /o/{id}-{mac}.
// It is public (no sign-in: the link is the key), asks with one button in
// a POST form (a mail scanner that follows links does not opt anyone out),
// works without JavaScript, and records the opt-out without a reason.
package optout

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/mail"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// Store is what the page needs of a store.
type Store interface {
	Contact(ctx context.Context, id string) (store.Contact, error)
	OptOut(ctx context.Context, id string, now time.Time) error
}

// Options are what the pages are made from.
type Options struct {
	Store   Store
	Surveys *survey.Catalogue
	Links   *mail.Links
	Now     func() time.Time
	Timeout time.Duration
}

// Pages are the opt-out pages.
type Pages struct {
	o     Options
	pages *web.Renderer
}

// New makes the pages.
func New(o Options) (*Pages, error) {
	r, err := web.NewRenderer([]string{"optout.html"}, nil)
	if err != nil {
		return nil, err
	}
	return &Pages{o: o, pages: r}, nil
}

// Register adds /o/:key, public.
func (p *Pages) Register(t *web.Routes) {
	t.Add("/o", []fiber.Handler{web.Deadline(p.o.Timeout)},
		web.Get("/:key", auth.Public, p.form),
		web.Post("/:key", auth.Public, p.optOut),
	)
}

// page is the opt-out page, in the language of the contact's emails.
type page struct {
	web.Page
	Key                   string
	Done                  bool
	Heading, Body, Button string
	DoneHeading, DoneBody string
}

// contact finds the link's contact, or answers 404 for a link that is
// wrong or whose contact list was deleted.
func (p *Pages) contact(c *fiber.Ctx) (store.Contact, page, error) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	key := c.Params("key")
	id, ok, err := p.o.Links.CheckOptOut(c.UserContext(), key)
	if err != nil {
		return store.Contact{}, page{}, err
	}
	notFound := fiber.NewError(http.StatusNotFound, "Page not found")
	if !ok {
		return store.Contact{}, page{}, notFound
	}
	ct, err := p.o.Store.Contact(c.UserContext(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Contact{}, page{}, notFound
	}
	if err != nil {
		return store.Contact{}, page{}, err
	}
	lang, title := "en", "this survey"
	if d, ok := p.o.Surveys.Survey(ct.SurveyID); ok {
		d = d.In(ct.Language)
		lang, title = d.Lang, d.Title
	}
	w := func(key string, args ...any) string { return survey.Message(lang, key, args...) }
	pg := page{Page: web.Page{Title: w("optout-title", title), CSRF: web.Token(c), Lang: lang}, Key: key, Done: ct.OptedOut,
		Heading: w("optout-title", title), Body: w("optout-body"), Button: w("optout-button"),
		DoneHeading: w("optout-done-title"), DoneBody: w("optout-done-body", title)}
	return ct, pg, nil
}

func (p *Pages) form(c *fiber.Ctx) error {
	_, pg, err := p.contact(c)
	if err != nil {
		return err
	}
	return p.pages.Render(c, http.StatusOK, "optout.html", pg)
}

func (p *Pages) optOut(c *fiber.Ctx) error {
	ct, pg, err := p.contact(c)
	if err != nil {
		return err
	}
	if !ct.OptedOut {
		if err := p.o.Store.OptOut(c.UserContext(), ct.ID, p.o.Now()); err != nil {
			return err
		}
	}
	pg.Done = true
	return p.pages.Render(c, http.StatusOK, "optout.html", pg)
}
