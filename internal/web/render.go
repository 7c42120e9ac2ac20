package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/report"
	"iwtoolkit/internal/stats"
	"iwtoolkit/internal/survey"
	assets "iwtoolkit/web"
)

// Renderer writes one audience's pages inside the layout: pages from
// templates (web/templates, parsed once at start-up with the partials) or
// pages written in Go. An audience's package uses one of the two for all
// its pages: the respondent pages are written in Go (a part's page renders
// in about 20 µs, as a template in about 300), every staff page is a
// template.
type Renderer struct {
	templates map[string]*template.Template
	written   map[string]Writer
	layout    *layout
}

// Writer writes a Go-written page's content for its model.
type Writer func(w *bytes.Buffer, data any) error

// Writes is a Go-written page's content, for a model of type T.
func Writes[T any](content func(*bytes.Buffer, T) error) Writer {
	return func(w *bytes.Buffer, data any) error {
		m, ok := data.(T)
		if !ok {
			return fmt.Errorf("the model is a %T, not a %T", data, m)
		}
		return content(w, m)
	}
}

// Paged is a page's model: it embeds Page.
type Paged interface{ PageOf() *Page }

// NewRenderer parses the named templates and takes the Go-written pages.
func NewRenderer(templates []string, written map[string]Writer) (*Renderer, error) {
	static, err := Static()
	if err != nil {
		return nil, err
	}
	l, err := newLayout(static)
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	r := &Renderer{templates: map[string]*template.Template{}, written: written, layout: l}
	funcs := templateFuncs(static)
	for _, name := range templates {
		t, err := template.New(name).Funcs(funcs).ParseFS(assets.Templates, "templates/partials/*.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: parse template %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: template %s has no content", name)
		}
		r.templates[name] = t
		claimed.Store(name, true)
	}
	return r, nil
}

// claimed are the templates some renderer parsed: see Unclaimed.
var claimed sync.Map

// Unclaimed lists the page templates in web/templates that no renderer
// made so far has parsed: a page added as a file but not to its
// audience's list, which would fail only when first shown. The server's
// tests ask it once every audience's renderer is made.
func Unclaimed() ([]string, error) {
	names, err := fs.Glob(assets.Templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if _, ok := claimed.Load(path.Base(n)); !ok {
			out = append(out, path.Base(n))
		}
	}
	return out, nil
}

// Block renders one named block of a page's template, for a page that
// chooses its body by its data (a report view): see Has.
func (r *Renderer) Block(name, block string, data any) (template.HTML, error) {
	t, ok := r.templates[name]
	if !ok || t.Lookup(block) == nil {
		return "", fmt.Errorf("no block %s in %s", block, name)
	}
	b := blocks.Get().(*bytes.Buffer)
	defer blocks.Put(b)
	b.Reset()
	if err := t.ExecuteTemplate(b, block, data); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", block, name, err)
	}
	return template.HTML(b.String()), nil
}

// blocks are the buffers blocks are rendered into, kept grown: a report
// view's block is up to about 150 KB, and a new buffer doubling up to that
// allocated twice the block again on every view.
var blocks = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Has says whether the page's template defines the block: a package
// checks at start-up that every block it will ask for is there.
func (r *Renderer) Has(name, block string) bool {
	t, ok := r.templates[name]
	return ok && t.Lookup(block) != nil
}

// templateFuncs are the functions templates may call.
func templateFuncs(static func(string) (string, error)) template.FuncMap {
	return template.FuncMap{
		"static":     static,
		"paragraphs": Paragraphs,
		// decimal and signed are stats' one rounding for every figure.
		"decimal": stats.Figure,
		"signed":  stats.Signed,
		"add":     func(a, b int) int { return a + b },
		// percent and signedPercent write a share, and a change of one,
		// as whole percentages: "42%", "+7%".
		"percent":       report.SharePercent,
		"signedPercent": func(x float64) string { return stats.Signed(100*x) + " points" },
		// msg is the service's wording in a language: {{msg .Language "continue"}}.
		"msg": survey.Message,
		// lines splits an answer of several lines or choices.
		"lines": func(s string) []string { return strings.Split(s, "\n") },
		// choices writes a fieldset of radios or checkboxes, the same
		// component the respondent pages use: {{choices .RoleField}}.
		"choices": func(f Field) (template.HTML, error) {
			var b bytes.Buffer
			err := Choices(&b, f, static)
			return template.HTML(b.String()), err
		},
	}
}

var (
	staticOnce     sync.Once
	staticVersions map[string]string
	staticErr      error
)

// Static returns the function that links to a static file with its
// version (a short hash of it), so that a browser fetches a file again as
// soon as a release changes it, whatever it has cached:
// /static/app/app.css?v=1a2b3c4d.
func Static() (func(string) (string, error), error) {
	staticOnce.Do(func() {
		staticVersions = map[string]string{}
		staticErr = fs.WalkDir(assets.Static, "static", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(assets.Static, path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			staticVersions["/"+path] = hex.EncodeToString(sum[:4])
			return nil
		})
	})
	if staticErr != nil {
		return nil, fmt.Errorf("web: static files: %w", staticErr)
	}
	return func(path string) (string, error) {
		v, ok := staticVersions[path]
		if !ok {
			return "", fmt.Errorf("no static file %s", path)
		}
		return path + "?v=" + v, nil
	}, nil
}

// Render writes a page. It is rendered into a buffer first, so that a
// template error becomes a clean 500 rather than half a page.
//
// The buffer is sent as it is, not copied into the response: it is the
// response's body stream, with its length, and fasthttp closes the stream
// once it has written it (or when the response is reset or released
// unsent), which puts the buffer back in the pool.
func (r *Renderer) Render(c *fiber.Ctx, status int, name string, data Paged) error {
	p := pages.Get().(*pooledPage)
	p.buf.Reset()
	if err := r.write(&p.buf, name, data, ServiceNameOf(c)); err != nil {
		p.Close()
		return fmt.Errorf("%w: %w", ErrInternal, err)
	}
	// A form without its token would be refused when sent: the tests'
	// browsers check every page they open for one (testenv.FormsWithoutToken),
	// so that no response pays for a scan of the page.
	c.Type("html", "utf-8")
	p.body.Reset(p.buf.Bytes())
	c.Status(status).Response().SetBodyStream(p, p.buf.Len())
	return nil
}

// pooledPage is a rendered page and the reader that sends it.
type pooledPage struct {
	buf  bytes.Buffer
	body bytes.Reader
}

func (p *pooledPage) Read(b []byte) (int, error)         { return p.body.Read(b) }
func (p *pooledPage) WriteTo(w io.Writer) (int64, error) { return p.body.WriteTo(w) }

// Close puts the page back in the pool, unless a page of many megabytes
// (a staff page listing every comment) grew it: the pool would keep that
// size for every page after. fasthttp closes a body stream once.
func (p *pooledPage) Close() error {
	p.body.Reset(nil)
	if p.buf.Cap() <= 256<<10 {
		pages.Put(p)
	}
	return nil
}

// pages are Render's, kept between requests: a respondent's page is 10 to
// 60 KB.
var pages = sync.Pool{New: func() any { return new(pooledPage) }}

// Write writes a page: the layout with the template's "head", if it has
// one, and its "content", or the page written in Go, under the default
// service name.
func (r *Renderer) Write(w *bytes.Buffer, name string, data Paged) error {
	return r.write(w, name, data, DefaultServiceName)
}

func (r *Renderer) write(w *bytes.Buffer, name string, data Paged, service string) error {
	t, isTemplate := r.templates[name]
	written, isWritten := r.written[name]
	if !isTemplate && !isWritten {
		return fmt.Errorf("no page %s", name)
	}
	pg := data.PageOf()
	r.layout.head(w, pg, service)
	if isTemplate && t.Lookup("head") != nil {
		if err := t.ExecuteTemplate(w, "head", data); err != nil {
			return fmt.Errorf("render %s: %w", name, err)
		}
	}
	r.layout.top(w, pg, service)
	var err error
	if isWritten {
		err = written(w, data)
	} else {
		err = t.ExecuteTemplate(w, "content", data)
	}
	if err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	r.layout.bottom(w, pg, service)
	return nil
}
