package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
	"iwtoolkit/web"
)

// pages are the parsed templates, one set per page, parsed once at
// start-up; the pages written in Go instead (markup.go); and the layout
// around them all (layout.go).
type pages struct {
	byName  map[string]*template.Template
	written map[string]func(w *bytes.Buffer, data any) error
	layout  *layout
}

// assetVersions holds a short hash of each static file, so that pages link
// to /static/app/app.css?v=1a2b3c4d and a browser fetches a file again as
// soon as a new release changes it, whatever it has cached.
func assetVersions() (map[string]string, error) {
	versions := map[string]string{}
	err := fs.WalkDir(web.Static, "static", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Static, path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		versions["/"+path] = hex.EncodeToString(sum[:4])
		return nil
	})
	return versions, err
}

// templateFuncs are the functions templates may call.
func templateFuncs(versions map[string]string) template.FuncMap {
	// static links to a static file with its version.
	static := func(path string) (string, error) {
		v, ok := versions[path]
		if !ok {
			return "", fmt.Errorf("no static file %s", path)
		}
		return path + "?v=" + v, nil
	}
	return template.FuncMap{
		"static": static,
		// summaryRows are check answers' rows: markup.go.
		"summaryRows": summaryRows,
		"paragraphs":  paragraphs,
		"decimal":     func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"signed":      func(f float64) string { return fmt.Sprintf("%+.2f", f) },
		"add":         func(a, b int) int { return a + b },
		// msg is the service's wording in a language: {{msg .Language "continue"}}.
		"msg": survey.Message,
		// lines splits an answer of several lines or choices.
		"lines": func(s string) []string { return strings.Split(s, "\n") },
	}
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(web.Templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	versions, err := assetVersions()
	if err != nil {
		return nil, fmt.Errorf("server: static files: %w", err)
	}
	funcs := templateFuncs(versions)
	static := funcs["static"].(func(string) (string, error))
	l, err := newLayout(static)
	if err != nil {
		return nil, fmt.Errorf("server: static files: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}, layout: l, written: map[string]func(*bytes.Buffer, any) error{
		"form": writes(func(w *bytes.Buffer, p formPage) error { return writeForm(w, p, static) }),
		"tasks": writes(func(w *bytes.Buffer, p taskListPage) error {
			writeTasks(w, p)
			return nil
		}),
	}}
	for _, name := range names {
		base := strings.TrimPrefix(name, "templates/")
		t, err := template.New(base).Funcs(funcs).ParseFS(web.Templates, "templates/partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("server: parse template %s: %w", base, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("server: template %s has no content", base)
		}
		p.byName[base] = t
	}
	return p, nil
}

// render writes a page. The page is rendered into a buffer first, so that a
// template error becomes a clean 500 rather than half a page.
func (s *Server) render(c *fiber.Ctx, status int, name string, data any) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer keep(buf)
	buf.Reset()
	if err := s.pages.write(buf, name, withCSRF(data, csrfToken(c))); err != nil {
		return fmt.Errorf("%w: %w", errInternal, err)
	}
	c.Type("html", "utf-8")
	c.Status(status).Response().SetBody(buf.Bytes()) // a copy: buf goes back to the pool
	return nil
}

// writes is a Go-written page's content, for a model of type T.
func writes[T any](content func(*bytes.Buffer, T) error) func(*bytes.Buffer, any) error {
	return func(w *bytes.Buffer, data any) error {
		m, ok := data.(T)
		if !ok {
			return fmt.Errorf("the model is a %T, not a %T", data, m)
		}
		return content(w, m)
	}
}

// buffers are render's, kept between requests: a respondent's page is 10
// to 60 KB.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// keep puts a buffer back in the pool, unless a page of many megabytes (a
// staff page listing every comment) grew it: the pool would keep that size
// for every page after.
func keep(buf *bytes.Buffer) {
	if buf.Cap() <= 256<<10 {
		buffers.Put(buf)
	}
}

// write writes a page: the layout with the template's "head", if it has
// one, and its "content", or the page written in Go. Every page's model
// embeds page.
func (p *pages) write(w *bytes.Buffer, name string, data any) error {
	t, isTemplate := p.byName[name]
	written, isWritten := p.written[name]
	if !isTemplate && !isWritten {
		return fmt.Errorf("no page %s", name)
	}
	m, ok := data.(interface{ layoutPage() *page })
	if !ok {
		return fmt.Errorf("render %s: %T does not embed page", name, data)
	}
	pg := m.layoutPage()
	p.layout.head(w, pg)
	if isTemplate && t.Lookup("head") != nil {
		if err := t.ExecuteTemplate(w, "head", data); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
	}
	p.layout.top(w, pg)
	var err error
	if isWritten {
		err = written(w, data)
	} else {
		err = t.ExecuteTemplate(w, "content", data)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	p.layout.bottom(w, pg)
	return nil
}

// page is what every page has.
type page struct {
	Title  string              // the page's <title> before the service name
	Errors []survey.FieldError // the error summary; "Error: " is added to the title
	Back   string              // the back link, if any
	CSRF   string              // the csrf_token field's value; render sets it (see withCSRF)
	// Lang is the page's language ("en" when empty), and Languages the
	// links to the page in each language the survey is written in.
	Lang      string
	Languages []languageLink
	// StopURL is the way out shown on every page of a survey for children
	// and young people.
	StopURL string
}

type languageLink struct {
	Code, Label, URL string
	Current          bool
}

// layoutPage is the page, for the layout, in any model that embeds it.
func (p page) layoutPage() *page { return &p }

// Language is the page's language.
func (p page) Language() string {
	if p.Lang == "" {
		return "en"
	}
	return p.Lang
}

type errorPage struct {
	page
	Status  int
	Message string
	Detail  string // what to do, when the status's usual words do not fit
}
