package web

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
)

// Page is what every page has. Every page's model embeds it; a handler
// makes it with NewPage, which sets the form token and the language.
type Page struct {
	Title  string              // the page's <title> before the service name
	Errors []survey.FieldError // the error summary; "Error: " is added to the title
	Back   string              // the back link, if any
	CSRF   string              // the csrf_token field's value: see Token
	// Lang is the page's language ("en" when empty), and Languages the
	// links to the page in each language the survey is written in.
	Lang      string
	Languages []LanguageLink
	// StopURL is the way out shown on every page of a survey for children
	// and young people.
	StopURL string
	// ExitURL is where GOV.UK's "Exit this page" button leads, at the top
	// of every page of a survey for children and young people: a neutral
	// page the survey file names.
	ExitURL string
	// NotOffered says, in the language asked for, that the survey is not
	// written in it and which language it is shown in instead.
	NotOffered NotOffered
	// Preview, when set, is the banner at the top of every page of staff's
	// preview of a survey (respond.Preview), saying that nothing entered
	// is kept or sent; the page is also marked not to be indexed.
	Preview string
}

// NotOffered is a notice in a language the page is not in.
type NotOffered struct{ Lang, Text string }

// DefaultServiceName is the name in every page's header and title when
// the Trust sets none (IWT_SERVICE_NAME).
const DefaultServiceName = "Integrated Working Toolkit"

const serviceLocal = "service-name"

// ServiceName gives every page of a request the service's name, as a
// Trust calls it, for the header and title.
func ServiceName(name string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(serviceLocal, name)
		return c.Next()
	}
}

// ServiceNameOf is the service's name for a request's page.
func ServiceNameOf(c *fiber.Ctx) string {
	if name, ok := c.Locals(serviceLocal).(string); ok && name != "" {
		return name
	}
	return DefaultServiceName
}

// LanguageLink is a link to the page in another language.
type LanguageLink struct {
	Code, Label, URL string
	Current          bool
}

// PageOf is the page, for the layout, in any model that embeds it.
func (p Page) PageOf() *Page { return &p }

// Language is the page's language.
func (p Page) Language() string {
	if p.Lang == "" {
		return "en"
	}
	return p.Lang
}

// ErrorFor is the error message for a field, for the inline error above
// it.
func (p Page) ErrorFor(field string) string { return FieldMessage(p.Errors, field) }

// FieldMessage is the message of the first error about a field.
func FieldMessage(errs []survey.FieldError, field string) string {
	for _, e := range errs {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// ErrorPage is an error page's model.
type ErrorPage struct {
	Page
	Status  int
	Message string
	Detail  string // what to do, when the status's usual words do not fit
}

// WriteError writes the one error page, for respondents and staff alike,
// in the page's language: what happened, and what to do about it.
func WriteError(w *bytes.Buffer, p ErrorPage) {
	lang := p.Language()
	w.WriteString("\n<div class=\"govuk-grid-row\">\n  <div class=\"govuk-grid-column-two-thirds\">\n")
	w.WriteString(`    <h1 class="govuk-heading-l">`)
	Escape(w, p.Message)
	w.WriteString("</h1>\n")
	detail := p.Detail
	switch {
	case detail != "":
	case p.Status == 404:
		detail = survey.Message(lang, "error-404")
	case p.Status == 410:
		detail = survey.Message(lang, "error-410")
	case p.Status >= 500:
		detail = survey.Message(lang, "error-500")
	default:
		detail = survey.Message(lang, "error-other")
	}
	w.WriteString(`    <p class="govuk-body">`)
	Escape(w, detail)
	w.WriteString("</p>\n")
	w.WriteString(`    <p class="govuk-body"><a class="govuk-link" href="/">`)
	Escape(w, survey.Message(lang, "go-to-list"))
	w.WriteString("</a></p>\n  </div>\n</div>\n")
}

// ErrorPages is a renderer of the error page alone, as "error".
func ErrorPages() (*Renderer, error) {
	return NewRenderer(nil, map[string]Writer{"error": Writes(func(w *bytes.Buffer, p ErrorPage) error { WriteError(w, p); return nil })})
}
