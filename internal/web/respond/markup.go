package respond

import (
	"bytes"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// The pages every respondent loads many times: a part's page, with its
// questions and a grid's options, and the task list, shown after every part
// of a long survey; the rest of the respondent pages are in pages.go. Every
// text goes through web.Escape, which escapes what html/template would in
// these quoted attributes and in text (markup_test.go checks it), and every
// link through web.Href.

// writeForm writes a part's page: its caption, heading and introduction,
// what the scale's levels mean, and the form with every question.
func writeForm(w *bytes.Buffer, p formPage, static func(string) (string, error)) error {
	lang := p.Language()
	w.WriteString(`
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    <span class="govuk-caption-l">`)
	web.Escape(w, p.Caption)
	w.WriteString(`</span>
    <h1 class="govuk-heading-l">`)
	web.Escape(w, p.Title)
	w.WriteString("</h1>\n")
	for _, para := range web.Paragraphs(p.Description) {
		w.WriteString(`    <p class="govuk-body">`)
		web.Escape(w, para)
		w.WriteString("</p>\n")
	}
	if sc := p.Scale; sc != nil {
		w.WriteString(`    <details class="govuk-details">
      <summary class="govuk-details__summary"><span class="govuk-details__summary-text">`)
		web.Escape(w, survey.Message(lang, "what-ratings-mean"))
		w.WriteString(`</span></summary>
      <div class="govuk-details__text">
        <dl class="govuk-summary-list">
`)
		for _, l := range sc.Levels {
			w.WriteString(`          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">`)
			w.WriteString(strconv.Itoa(l.Value))
			w.WriteString(" – ")
			web.Escape(w, l.Label)
			w.WriteString(`</dt>
            <dd class="govuk-summary-list__value">`)
			web.Escape(w, l.Descriptor)
			w.WriteString(`</dd>
          </div>
`)
		}
		w.WriteString("        </dl>\n")
		if sc.DontKnow || sc.NotApplicable {
			w.WriteString(`        <p class="govuk-body">`)
			web.Escape(w, survey.Message(lang, "dont-know-explained"))
			w.WriteString("</p>\n")
		}
		w.WriteString(`      </div>
    </details>
`)
	}
	w.WriteString(`    <form method="post" action="`)
	web.Href(w, p.Action)
	w.WriteString(`" novalidate>
      <input type="hidden" name="csrf_token" value="`)
	web.Escape(w, p.CSRF)
	w.WriteString("\">\n")
	for _, q := range p.Questions {
		if q.ID == p.Revealed && q.ID != "" {
			// Where the reloaded page opens (#revealed): without
			// JavaScript, Continue that opened a question on this page
			// would otherwise look as if it did nothing.
			w.WriteString(`      <div class="govuk-inset-text" id="revealed">`)
			web.Escape(w, survey.Message(lang, "revealed"))
			w.WriteString("</div>\n")
		}
		if q.RevealOn != "" {
			// A question an answer above reveals: hidden until then, and
			// shown at once by the page's script (init.js).
			w.WriteString(`      <div class="app-reveal" id="reveal-`)
			web.Escape(w, q.ID)
			w.WriteString(`" data-reveal-on="`)
			web.Escape(w, q.RevealOn)
			w.WriteString(`" data-reveal-values="`)
			web.Escape(w, strings.Join(q.RevealValues, " "))
			w.WriteString(`"`)
			if q.Hidden {
				w.WriteString(` hidden`)
			}
			w.WriteString(">\n")
		}
		if err := writeQuestion(w, q, static); err != nil {
			return err
		}
		if q.RevealOn != "" {
			w.WriteString("      </div>\n")
		}
	}
	w.WriteString(`      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" data-module="govuk-button" name="next_step" value="continue">`)
	if p.CanSave {
		web.Escape(w, survey.Message(lang, "save-and-continue"))
		w.WriteString(`</button>
        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" name="next_step" value="later">`)
		web.Escape(w, survey.Message(lang, "save-and-return"))
	} else {
		web.Escape(w, survey.Message(lang, "continue"))
	}
	w.WriteString(`</button>
      </div>
    </form>
  </div>
</div>
`)
	return nil
}

// writeQuestion writes a question by type. A grid is a heading and a
// fieldset of radios for each statement; radios and checkboxes are a
// fieldset (choices); a number or a text is a label and an input, and a
// long text a textarea with a character count.
func writeQuestion(w *bytes.Buffer, q question, static func(string) (string, error)) error {
	switch {
	case q.Fixed != "":
		w.WriteString(`<div class="govuk-form-group">` + "\n" + `<h2 class="govuk-heading-s govuk-!-margin-bottom-1">`)
		web.Escape(w, q.Legend)
		w.WriteString("</h2>\n" + `<p class="govuk-body govuk-!-margin-bottom-1">`)
		web.Escape(w, q.Fixed)
		w.WriteString("</p>\n" + `<p class="govuk-hint">`)
		web.Escape(w, survey.Message(q.Lang, "from-invitation"))
		w.WriteString("</p>\n</div>\n")
	case q.Grid:
		w.WriteString(`<h2 class="govuk-heading-m">`)
		web.Escape(w, q.Legend)
		w.WriteString("</h2>\n")
		if q.Hint != "" {
			w.WriteString(`<p class="govuk-hint">`)
			web.Escape(w, q.Hint)
			w.WriteString("</p>\n")
		}
		for _, row := range q.Rows {
			if err := writeChoices(w, row, static); err != nil {
				return err
			}
		}
	case q.Kind == web.KindRadios || q.Kind == web.KindCheckboxes:
		return writeChoices(w, q, static)
	default:
		web.Input(w, q.Field)
	}
	return nil
}

// writeChoices writes a question's radios or checkboxes: from the
// markup written once, with its answer checked, or from its options.
func writeChoices(w *bytes.Buffer, q question, static func(string) (string, error)) error {
	if q.choices == nil {
		return web.Choices(w, q.Field, static)
	}
	if q.split {
		return q.choices.Write(w, q.Error, survey.Choices(q.answer), static)
	}
	one := [1]string{q.answer}
	return q.choices.Write(w, q.Error, one[:], static)
}

// checkRows writes check answers' rows for one part of a survey: each
// question or statement, the answer (a line each for several), or that
// none was given, and a link to change it.
func checkRows(w *bytes.Buffer, rows []checkRow, lang, noAnswer string) {
	for _, r := range rows {
		if r.ChangeURL == "" {
			w.WriteString(`<div class="govuk-summary-list__row govuk-summary-list__row--no-actions">` + "\n" + `<dt class="govuk-summary-list__key">`)
		} else {
			w.WriteString(`<div class="govuk-summary-list__row">` + "\n" + `<dt class="govuk-summary-list__key">`)
		}
		web.Escape(w, r.Key)
		w.WriteString("</dt>\n" + `<dd class="govuk-summary-list__value">`)
		switch {
		case r.Value != "":
			for i, line := range strings.Split(r.Value, "\n") {
				if i > 0 {
					w.WriteString("<br>")
				}
				web.Escape(w, line)
			}
		case r.Optional:
			web.Escape(w, noAnswer)
		default:
			w.WriteString(`<span class="app-not-answered">`)
			web.Escape(w, survey.Message(lang, "not-answered"))
			w.WriteString("</span>")
		}
		if r.ChangeURL == "" {
			w.WriteString("</dd>\n</div>\n")
			continue
		}
		w.WriteString("</dd>\n" + `<dd class="govuk-summary-list__actions">` + "\n" + `<a class="govuk-link" href="`)
		web.Href(w, r.ChangeURL)
		w.WriteString(`">`)
		web.Escape(w, survey.Message(lang, "change"))
		w.WriteString(`<span class="govuk-visually-hidden"> `)
		web.Escape(w, r.Key)
		w.WriteString("</span></a>\n</dd>\n</div>\n")
	}
}

// writeTasks writes the task list page: how many parts are done, each
// part, linked, with its status (a tag until it is complete), and the way
// on to check answers once every part is.
func writeTasks(w *bytes.Buffer, p taskListPage) {
	lang := p.Language()
	w.WriteString(`
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    <h1 class="govuk-heading-l">`)
	web.Escape(w, p.Title)
	w.WriteString(`</h1>
    <p class="govuk-body">`)
	web.Escape(w, survey.Message(lang, "tasks-done", p.Done, len(p.Tasks)))
	w.WriteString(`</p>
    <ul class="govuk-task-list">
`)
	for _, t := range p.Tasks {
		w.WriteString(`<li class="govuk-task-list__item govuk-task-list__item--with-link">` + "\n" + `<div class="govuk-task-list__name-and-hint">` + "\n" + `<a class="govuk-link govuk-task-list__link" href="`)
		web.Href(w, t.URL)
		w.WriteString(`" aria-describedby="`)
		web.Escape(w, t.ID)
		w.WriteString(`_status">`)
		web.Escape(w, t.Title)
		w.WriteString("</a>\n</div>\n" + `<div class="govuk-task-list__status" id="`)
		web.Escape(w, t.ID)
		w.WriteString(`_status">`)
		switch {
		case t.Complete:
			web.Escape(w, t.Status)
		case t.Started:
			w.WriteString(`<strong class="govuk-tag govuk-tag--light-blue">`)
			web.Escape(w, t.Status)
			w.WriteString("</strong>")
		default:
			w.WriteString(`<strong class="govuk-tag govuk-tag--blue">`)
			web.Escape(w, t.Status)
			w.WriteString("</strong>")
		}
		w.WriteString("</div>\n</li>\n")
	}
	w.WriteString("    </ul>\n")
	if p.CheckURL != "" {
		w.WriteString(`    <a href="`)
		web.Href(w, p.CheckURL)
		w.WriteString(`" role="button" draggable="false" class="govuk-button" data-module="govuk-button">`)
		web.Escape(w, survey.Message(lang, "check-and-send"))
		w.WriteString("</a>\n")
	} else {
		w.WriteString(`    <p class="govuk-body">`)
		web.Escape(w, survey.Message(lang, "tasks-then-send"))
		w.WriteString("</p>\n")
	}
	w.WriteString(`  </div>
</div>
`)
}
