package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
	"iwtoolkit/web"
)

// pages are the parsed templates, one set per page, parsed once at start-up.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	// paragraphs splits text on blank lines, for introductions written in
	// survey files.
	"paragraphs": func(s string) []string {
		var out []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"decimal": func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"signed":  func(f float64) string { return fmt.Sprintf("%+.2f", f) },
	"add":     func(a, b int) int { return a + b },
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range names {
		base := strings.TrimPrefix(name, "templates/")
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(web.Templates, "templates/layout.html", "templates/partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("server: parse template %s: %w", base, err)
		}
		p.byName[base] = t
	}
	return p, nil
}

// render writes a page. The page is rendered into a buffer first, so that a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	t, ok := s.pages.byName[name]
	if !ok {
		return fmt.Errorf("server: no template %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	c.Type("html", "utf-8")
	return c.Status(status).Send(buf.Bytes())
}

// page is what every page has.
type page struct {
	Title  string              // the page's <title> before the service name
	Errors []survey.FieldError // the error summary; "Error: " is added to the title
	Back   string              // the back link, if any
}

type errorPage struct {
	page
	Status  int
	Message string
}
