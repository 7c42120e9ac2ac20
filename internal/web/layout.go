package web

import (
	"bytes"

	"iwtoolkit/internal/survey"
)

// The layout every page shares (head, header, language links, the way out,
// back link, error summary, footer) is written in Go around the page's
// content, for every audience's pages: as a template it cost 50 µs of
// reflection on every page, a tenth of the service's time under load. Its
// texts are escaped by Escape, and its links go through Href.

// layout holds the versioned addresses of the static files every page
// links to.
type layout struct {
	icon, govukCSS, appCSS, initJS, govukJS string
}

func newLayout(static func(string) (string, error)) (*layout, error) {
	l := &layout{}
	for path, to := range map[string]*string{
		"/static/app/icon.svg":                 &l.icon,
		"/static/govuk/govuk-frontend.min.css": &l.govukCSS,
		"/static/app/app.css":                  &l.appCSS,
		"/static/app/init.js":                  &l.initJS,
		"/static/govuk/govuk-frontend.min.js":  &l.govukJS,
	} {
		v, err := static(path)
		if err != nil {
			return nil, err
		}
		*to = v
	}
	return l, nil
}

// head writes the page up to its own additions to <head>, if any (a
// template's "head").
func (l *layout) head(w *bytes.Buffer, p *Page, service string) {
	lang := p.Language()
	w.WriteString(`<!DOCTYPE html>
<html lang="`)
	Escape(w, lang)
	w.WriteString(`" class="govuk-template">
<head>
  <meta charset="utf-8">
  <title>`)
	if len(p.Errors) > 0 {
		Escape(w, survey.Message(lang, "error"))
		w.WriteString(": ")
	}
	Escape(w, p.Title)
	w.WriteString(` – `)
	Escape(w, service)
	w.WriteString(`</title>
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
  <meta name="theme-color" content="#0b0c0c">
  <link rel="icon" href="`)
	Escape(w, l.icon)
	w.WriteString(`" type="image/svg+xml">
  <link rel="stylesheet" href="`)
	Escape(w, l.govukCSS)
	w.WriteString(`">
  <link rel="stylesheet" href="`)
	Escape(w, l.appCSS)
	w.WriteString(`">
  `)
	if p.Preview != "" {
		w.WriteString(`<meta name="robots" content="noindex, nofollow">
  `)
	}
}

// top writes the rest of the page before its content: the header, the
// language links and the way out, the back link and the error summary.
func (l *layout) top(w *bytes.Buffer, p *Page, service string) {
	lang := p.Language()
	w.WriteString(`
</head>
<body class="govuk-template__body">
  <script type="module" src="`)
	Escape(w, l.initJS)
	w.WriteString(`" data-govuk-frontend="`)
	Escape(w, l.govukJS)
	w.WriteString(`"></script>
  <a href="#main_content" class="govuk-skip-link" data-module="govuk-skip-link">`)
	Escape(w, survey.Message(lang, "skip"))
	w.WriteString(`</a>
  <header class="app-header" role="banner">
    <section aria-label="`)
	Escape(w, survey.Message(lang, "service-information"))
	w.WriteString(`" class="govuk-service-navigation" data-module="govuk-service-navigation">
      <div class="govuk-width-container">
        <div class="govuk-service-navigation__container">
          <span class="govuk-service-navigation__service-name">
            <a href="/" class="govuk-service-navigation__link">`)
	Escape(w, service)
	w.WriteString(`</a>
          </span>
        </div>
      </div>
    </section>
  </header>
  <div class="govuk-width-container">
`)
	if p.Preview != "" {
		previewBanner(w, p.Preview)
	}
	if p.ExitURL != "" {
		w.WriteString(`    <div class="govuk-exit-this-page" data-module="govuk-exit-this-page">
      <a href="`)
		Href(w, p.ExitURL)
		w.WriteString(`" role="button" draggable="false" class="govuk-button govuk-button--warning govuk-exit-this-page__button govuk-js-exit-this-page-button" data-module="govuk-button" rel="nofollow noreferrer">
        <span class="govuk-visually-hidden">`)
		Escape(w, survey.Message(lang, "emergency"))
		w.WriteString(`</span> `)
		Escape(w, survey.Message(lang, "exit-page"))
		w.WriteString(`
      </a>
    </div>
`)
	}
	if len(p.Languages) > 0 {
		w.WriteString(`    <div class="app-page-tools">
`)
		if len(p.Languages) > 0 {
			w.WriteString(`      <nav class="app-languages" aria-label="`)
			Escape(w, survey.Message(lang, "language"))
			w.WriteString(`">
        <ul class="govuk-list app-languages__list">
          `)
			for _, o := range p.Languages {
				if o.Current {
					w.WriteString(`<li><span class="app-languages__current" lang="`)
					Escape(w, o.Code)
					w.WriteString(`" aria-current="true">`)
					Escape(w, o.Label)
					w.WriteString(`</span></li>`)
					continue
				}
				w.WriteString(`<li><a class="govuk-link" href="`)
				Href(w, o.URL)
				w.WriteString(`" lang="`)
				Escape(w, o.Code)
				w.WriteString(`" hreflang="`)
				Escape(w, o.Code)
				w.WriteString(`">`)
				Escape(w, o.Label)
				w.WriteString(`</a></li>`)
			}
			w.WriteString(`
        </ul>
      </nav>
`)
		}
		w.WriteString(`    </div>
`)
	}
	if p.Back != "" {
		w.WriteString(`    <a href="`)
		Href(w, p.Back)
		w.WriteString(`" class="govuk-back-link">`)
		Escape(w, survey.Message(lang, "back"))
		w.WriteString(`</a>
`)
	}
	w.WriteString(`    <main class="govuk-main-wrapper" id="main_content">
`)
	if n := p.NotOffered; n.Text != "" {
		w.WriteString(`      <div class="govuk-inset-text" id="language-not-offered" lang="`)
		Escape(w, n.Lang)
		w.WriteString(`">`)
		Escape(w, n.Text)
		w.WriteString("</div>\n")
	}
	if len(p.Errors) > 0 {
		w.WriteString(`      <div class="govuk-error-summary" data-module="govuk-error-summary">
        <div role="alert">
          <h2 class="govuk-error-summary__title">`)
		Escape(w, survey.Message(lang, "problem"))
		w.WriteString(`</h2>
          <div class="govuk-error-summary__body">
            <ul class="govuk-list govuk-error-summary__list">
              `)
		for _, e := range p.Errors {
			w.WriteString(`<li>`)
			if e.Field != "" {
				w.WriteString(`<a href="#`)
				Escape(w, e.Field)
				w.WriteString(`">`)
				Escape(w, e.Message)
				w.WriteString(`</a>`)
			} else {
				Escape(w, e.Message)
			}
			w.WriteString(`</li>`)
		}
		w.WriteString(`
            </ul>
          </div>
        </div>
      </div>
`)
	}
}

// previewBanner writes the banner of every preview page: a GOV.UK phase
// banner, in English whatever the survey's language (staff read it), with
// the way back to the staff pages.
func previewBanner(w *bytes.Buffer, text string) {
	w.WriteString(`    <div class="govuk-phase-banner app-preview-banner" id="preview-banner" lang="en">
      <p class="govuk-phase-banner__content">
        <strong class="govuk-tag govuk-phase-banner__content__tag">Preview</strong>
        <span class="govuk-phase-banner__text">`)
	Escape(w, text)
	w.WriteString(` <a class="govuk-link" href="/staff/surveys">Leave the preview</a></span>
      </p>
    </div>
`)
}

// bottom writes the page after its content.
//
// The one way out at the top is GOV.UK's "Exit this page": quick, to a
// neutral page. Stopping calmly, which forgets the answers and shows where
// to get help, is a link at the foot of the page, not a second red button
// beside the first.
func (l *layout) bottom(w *bytes.Buffer, p *Page, service string) {
	lang := p.Language()
	if p.StopURL != "" {
		w.WriteString(`      <p class="govuk-body app-stop"><a class="govuk-link" href="`)
		Href(w, p.StopURL)
		w.WriteString(`">`)
		Escape(w, survey.Message(lang, "stop"))
		w.WriteString(`</a></p>
`)
	}
	w.WriteString(`
    </main>
  </div>
  <footer class="govuk-footer">
    <div class="govuk-width-container">
      <div class="govuk-footer__meta">
        <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
          <h2 class="govuk-visually-hidden">`)
	Escape(w, survey.Message(lang, "support-links"))
	w.WriteString(`</h2>
          <ul class="govuk-footer__inline-list">
`)
	for _, l := range [][2]string{{"/accessibility", "accessibility"}, {"/privacy", "privacy"}, {"/cookies", "cookies"}} {
		w.WriteString(`            <li class="govuk-footer__inline-list-item"><a class="govuk-footer__link" href="`)
		Href(w, l[0])
		w.WriteString(`">`)
		Escape(w, survey.Message(lang, l[1]))
		w.WriteString("</a></li>\n")
	}
	w.WriteString(`          </ul>
          <p class="govuk-body-s">`)
	Escape(w, service) // not through Message's Sprintf: no allocation on every page
	w.WriteString(": ")
	Escape(w, survey.Message(lang, "footer"))
	w.WriteString(`</p>
        </div>
      </div>
    </div>
  </footer>
</body>
</html>`)
}
