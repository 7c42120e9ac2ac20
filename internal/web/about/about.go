// Package about is the pages the law expects of a public body's service,
// linked from every page's footer: the accessibility statement
// (/accessibility, Public Sector Bodies Accessibility Regulations 2018),
// the privacy notice (/privacy) and the cookies page (/cookies). They are
// templates (web/templates/about-*.html): they hold only prose and need
// nothing from the store.
package about

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/web"
)

// Options are what the pages say about who runs the service.
type Options struct {
	// Organisation is the body that runs the service and answers for it,
	// named in the statements.
	Organisation string
	// Contact is the email address for questions about accessibility and
	// personal data; the pages ask people to contact the Organisation when
	// it is empty.
	Contact string
}

// Pages are the three pages.
type Pages struct {
	o     Options
	pages *web.Renderer
}

// New parses the pages.
func New(o Options) (*Pages, error) {
	if o.Organisation == "" {
		o.Organisation = DefaultOrganisation
	}
	r, err := web.NewRenderer([]string{"about-accessibility.html", "about-privacy.html", "about-cookies.html"}, nil)
	if err != nil {
		return nil, err
	}
	return &Pages{o: o, pages: r}, nil
}

// DefaultOrganisation names the body when the settings do not.
const DefaultOrganisation = "The Children's Trust partnership"

// Register adds the pages' routes, public.
func (p *Pages) Register(t *web.Routes) {
	t.Add("", nil,
		web.Get("/accessibility", auth.Public, p.show("about-accessibility.html", "Accessibility statement")),
		web.Get("/privacy", auth.Public, p.show("about-privacy.html", "Privacy notice")),
		web.Get("/cookies", auth.Public, p.show("about-cookies.html", "Cookies")),
	)
}

type page struct {
	web.Page
	Organisation, Contact string
	Cookies               []Cookie
}

// Cookie is one cookie the service sets, and why.
type Cookie struct{ Name, Purpose, Expires string }

// Cookies lists every cookie the service sets. All are strictly necessary
// for the service to work, so none needs consent; none is used to follow
// anyone, and the service has no analytics.
var Cookies = []Cookie{
	{"iwt_draft", "Keeps your unfinished answers to a survey, in this browser only, so that you can go from page to page. It holds a random code, never your answers.", "When you close the browser, send your answers or choose Stop"},
	{"iwt_sent", "Remembers that you sent your answers, so that going back shows that they were sent instead of an empty form.", "When you close the browser"},
	{"iwt_saved", "Shows you the code to carry on later again if you refresh the page where it was given.", "After 10 minutes"},
	{"iwt_lang", "Remembers the language you chose for a survey.", "After 1 year"},
	{"iwt_csrf", "Protects the forms you send from being sent by another website.", "After 1 year"},
	{"iwt_session", "Keeps staff signed in to the staff pages and reports.", "When they sign out, or after 8 hours"},
}

func (p *Pages) show(name, title string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return p.pages.Render(c, http.StatusOK, name, page{
			Page: web.Page{Title: title, CSRF: web.Token(c)}, Organisation: p.o.Organisation, Contact: p.o.Contact, Cookies: Cookies,
		})
	}
}
