package server

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
)

// The pages and parts of pages that every respondent loads many times are
// written in Go rather than template: a part's page, with its questions
// and a grid's options; the task list, shown after every part of a long
// survey; check answers' rows; and the layout around every page
// (layout.go). html/template evaluates every action by a reflective call,
// and that was most of the service's time under load. Every text goes
// through escape, which escapes what html/template would in these quoted
// attributes and in text; markup_test.go checks it. Every address in them
// is one the service built.

// escape writes s with the characters that could end a quoted attribute
// or start a tag or entity escaped, as template.HTMLEscapeString does,
// without making a copy when there are none.
func escape(w *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var to string
		switch s[i] {
		case '"':
			to = "&#34;"
		case '\'':
			to = "&#39;"
		case '&':
			to = "&amp;"
		case '<':
			to = "&lt;"
		case '>':
			to = "&gt;"
		case 0:
			to = "\uFFFD"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(to)
		last = i + 1
	}
	w.WriteString(s[last:])
}

// writeForm writes a part's page: its caption, heading and introduction,
// what the scale's levels mean, and the form with every question.
func writeForm(w *bytes.Buffer, p formPage, static func(string) (string, error)) error {
	lang := p.Language()
	w.WriteString(`
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    <span class="govuk-caption-l">`)
	escape(w, p.Caption)
	w.WriteString(`</span>
    <h1 class="govuk-heading-l">`)
	escape(w, p.Title)
	w.WriteString("</h1>\n")
	for _, para := range paragraphs(p.Description) {
		w.WriteString(`    <p class="govuk-body">`)
		escape(w, para)
		w.WriteString("</p>\n")
	}
	if sc := p.Scale; sc != nil {
		w.WriteString(`    <details class="govuk-details">
      <summary class="govuk-details__summary"><span class="govuk-details__summary-text">`)
		escape(w, survey.Message(lang, "what-ratings-mean"))
		w.WriteString(`</span></summary>
      <div class="govuk-details__text">
        <dl class="govuk-summary-list">
`)
		for _, l := range sc.Levels {
			w.WriteString(`          <div class="govuk-summary-list__row">
            <dt class="govuk-summary-list__key">`)
			w.WriteString(strconv.Itoa(l.Value))
			w.WriteString(" – ")
			escape(w, l.Label)
			w.WriteString(`</dt>
            <dd class="govuk-summary-list__value">`)
			escape(w, l.Descriptor)
			w.WriteString(`</dd>
          </div>
`)
		}
		w.WriteString("        </dl>\n")
		if sc.DontKnow || sc.NotApplicable {
			w.WriteString(`        <p class="govuk-body">`)
			escape(w, survey.Message(lang, "dont-know-explained"))
			w.WriteString("</p>\n")
		}
		w.WriteString(`      </div>
    </details>
`)
	}
	w.WriteString(`    <form method="post" action="`)
	escape(w, p.Action)
	w.WriteString(`" novalidate>
      <input type="hidden" name="csrf_token" value="`)
	escape(w, p.CSRF)
	w.WriteString("\">\n")
	for _, q := range p.Questions {
		if err := writeQuestion(w, q, static); err != nil {
			return err
		}
	}
	w.WriteString(`      <div class="govuk-button-group">
        <button type="submit" class="govuk-button" data-module="govuk-button" name="next_step" value="continue">`)
	if p.CanSave {
		escape(w, survey.Message(lang, "save-and-continue"))
		w.WriteString(`</button>
        <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button" name="next_step" value="later">`)
		escape(w, survey.Message(lang, "save-and-return"))
	} else {
		escape(w, survey.Message(lang, "continue"))
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
	case q.Type == survey.TypeGrid:
		w.WriteString(`<h2 class="govuk-heading-m">`)
		escape(w, q.Legend)
		w.WriteString("</h2>\n")
		if q.Hint != "" {
			w.WriteString(`<p class="govuk-hint">`)
			escape(w, q.Hint)
			w.WriteString("</p>\n")
		}
		for _, row := range q.Rows {
			if err := choices(w, row, static); err != nil {
				return err
			}
		}
	case q.Radios() || q.Type == survey.TypeMultiple:
		return choices(w, q, static)
	default:
		input(w, q)
	}
	return nil
}

// paragraphs splits text on blank lines, for introductions written in
// survey files.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// input writes a number, a text or a long text, with its label, hint and
// error.
func input(w *bytes.Buffer, q question) {
	id := func(suffix string) {
		escape(w, q.ID)
		w.WriteString(suffix)
	}
	long := q.Type == survey.TypeLongText
	w.WriteString(`<div class="govuk-form-group`)
	if long {
		w.WriteString(` govuk-character-count`)
	}
	if q.Error != "" {
		w.WriteString(` govuk-form-group--error`)
	}
	w.WriteString(`"`)
	if long {
		w.WriteString(` data-module="govuk-character-count" data-maxlength="`)
		w.WriteString(strconv.Itoa(q.Max))
		w.WriteString(`"`)
	}
	w.WriteString(">\n" + `<label class="govuk-label govuk-label--s" for="`)
	id(`">`)
	escape(w, q.Legend)
	if q.Optional {
		w.WriteString(" ")
		escape(w, survey.Message(q.Lang, "optional"))
	}
	w.WriteString("</label>\n")
	hintAndError(w, q)
	switch {
	case long:
		w.WriteString(`<textarea class="govuk-textarea govuk-js-character-count`)
		if q.Error != "" {
			w.WriteString(` govuk-textarea--error`)
		}
		w.WriteString(`" id="`)
		id(`" name="`)
		id(`" rows="5"`)
		describedBy(w, q, "_info")
		w.WriteString(`>`)
		escape(w, q.Value)
		w.WriteString("</textarea>\n" + `<div id="`)
		id(`_info" class="govuk-hint govuk-character-count__message">`)
		escape(w, survey.Message(q.Lang, "up-to-chars", q.Max))
		w.WriteString("</div>\n")
	default:
		w.WriteString(`<input class="govuk-input`)
		if q.Type == survey.TypeNumber {
			w.WriteString(` govuk-input--width-5`)
		}
		if q.Error != "" {
			w.WriteString(` govuk-input--error`)
		}
		w.WriteString(`" id="`)
		id(`" name="`)
		id(`" type="text"`)
		if q.Type == survey.TypeNumber {
			w.WriteString(` inputmode="numeric" spellcheck="false"`)
		} else {
			w.WriteString(` maxlength="`)
			w.WriteString(strconv.Itoa(q.Max))
			w.WriteString(`"`)
		}
		w.WriteString(` value="`)
		escape(w, q.Value)
		w.WriteString(`"`)
		describedBy(w, q, "")
		w.WriteString(">\n")
	}
	w.WriteString("</div>\n")
}

// hintAndError writes a question's hint and error message, if it has
// them, with the ids describedBy names.
func hintAndError(w *bytes.Buffer, q question) {
	if q.Hint != "" {
		w.WriteString(`<div id="`)
		escape(w, q.ID)
		w.WriteString(`_hint" class="govuk-hint">`)
		escape(w, q.Hint)
		w.WriteString("</div>\n")
	}
	if q.Error != "" {
		w.WriteString(`<p id="`)
		escape(w, q.ID)
		w.WriteString(`_error" class="govuk-error-message"><span class="govuk-visually-hidden">`)
		escape(w, survey.Message(q.Lang, "error"))
		w.WriteString(":</span> ")
		escape(w, q.Error)
		w.WriteString("</p>\n")
	}
}

// describedBy writes a question's aria-describedby: the element with the
// id suffix first, if one is given (a character count's message), then
// its hint and its error; nothing when there are none.
func describedBy(w *bytes.Buffer, q question, first string) {
	sep := ` aria-describedby="`
	for _, part := range []struct {
		on     bool
		suffix string
	}{{first != "", first}, {q.Hint != "", "_hint"}, {q.Error != "", "_error"}} {
		if part.on {
			w.WriteString(sep)
			escape(w, q.ID)
			w.WriteString(part.suffix)
			sep = " "
		}
	}
	if sep == " " {
		w.WriteString(`"`)
	}
}

// choiceMarkup is the markup that differs between radios and checkboxes.
type choiceMarkup struct{ open, module, divider, item, typ, label, hint string }

var radios, checkboxes = newChoiceMarkup("radios", "radio"), newChoiceMarkup("checkboxes", "checkbox")

func newChoiceMarkup(kind, input string) choiceMarkup {
	return choiceMarkup{
		open:    `<div class="govuk-` + kind,
		module:  `" data-module="govuk-` + kind + `">` + "\n",
		divider: `<div class="govuk-` + kind + `__divider">`,
		item:    `<div class="govuk-` + kind + `__item">` + "\n" + `<input class="govuk-` + kind + `__input" id="`,
		typ:     `" type="` + input + `" value="`,
		label:   ">\n" + `<label class="govuk-label govuk-` + kind + `__label" for="`,
		hint:    `_item_hint" class="govuk-hint govuk-` + kind + `__hint">`,
	}
}

// choices writes a fieldset of radios or checkboxes in the GOV.UK
// markup: its legend, hint and error, then each option with its label,
// face and hint, and "or" before Don't know and the like.
func choices(w *bytes.Buffer, q question, static func(string) (string, error)) error {
	k := &checkboxes
	if q.Radios() {
		k = &radios
	}
	w.WriteString(`<div class="govuk-form-group`)
	if q.Error != "" {
		w.WriteString(` govuk-form-group--error`)
	}
	w.WriteString(`">` + "\n" + `<fieldset class="govuk-fieldset"`)
	describedBy(w, q, "")
	w.WriteString(">\n" + `<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">`)
	escape(w, q.Legend)
	if q.Optional {
		w.WriteString(" ")
		escape(w, survey.Message(q.Lang, "optional"))
	}
	w.WriteString("</legend>\n")
	hintAndError(w, q)
	w.WriteString(k.open)
	if k == &radios && !q.Faces && len(q.Options) > 3 {
		w.WriteString(" govuk-radios--small")
	}
	if q.Faces {
		w.WriteString(" app-faces")
	}
	w.WriteString(k.module)
	for _, o := range q.Options {
		if o.OrBefore {
			w.WriteString(k.divider)
			escape(w, survey.Message(q.Lang, "or"))
			w.WriteString("</div>\n")
		}
		w.WriteString(k.item)
		escape(w, o.ID)
		w.WriteString(`" name="`)
		escape(w, q.ID)
		w.WriteString(k.typ)
		escape(w, o.Value)
		w.WriteString(`"`)
		if o.Checked {
			w.WriteString(" checked")
		}
		if o.Exclusive && k == &checkboxes {
			w.WriteString(` data-behaviour="exclusive"`)
		}
		if o.Hint != "" {
			w.WriteString(` aria-describedby="`)
			escape(w, o.ID)
			w.WriteString(`_item_hint"`)
		}
		w.WriteString(k.label)
		escape(w, o.ID)
		w.WriteString(`">`)
		if o.Face != "" {
			src, err := static("/static/app/face-" + o.Face + ".svg")
			if err != nil {
				return err
			}
			w.WriteString(`<img class="app-face" src="`)
			escape(w, src)
			w.WriteString(`" alt="" width="40" height="40">`)
		}
		escape(w, o.Label)
		w.WriteString("</label>\n")
		if o.Hint != "" {
			w.WriteString(`<div id="`)
			escape(w, o.ID)
			w.WriteString(k.hint)
			escape(w, o.Hint)
			w.WriteString("</div>\n")
		}
		w.WriteString("</div>\n")
	}
	w.WriteString("</div>\n</fieldset>\n</div>\n")
	return nil
}

// summaryRows writes check answers' rows for one part of a survey: each
// question or statement, the answer (a line each for several), or that
// none was given, and a link to change it.
func summaryRows(rows []checkRow, lang string) template.HTML {
	var w bytes.Buffer
	for _, r := range rows {
		w.WriteString(`<div class="govuk-summary-list__row">` + "\n" + `<dt class="govuk-summary-list__key">`)
		escape(&w, r.Key)
		w.WriteString("</dt>\n" + `<dd class="govuk-summary-list__value">`)
		switch {
		case r.Value != "":
			for i, line := range strings.Split(r.Value, "\n") {
				if i > 0 {
					w.WriteString("<br>")
				}
				escape(&w, line)
			}
		case r.Optional:
			escape(&w, survey.Message(lang, "none-given"))
		default:
			w.WriteString(`<span class="app-not-answered">`)
			escape(&w, survey.Message(lang, "not-answered"))
			w.WriteString("</span>")
		}
		w.WriteString("</dd>\n" + `<dd class="govuk-summary-list__actions">` + "\n" + `<a class="govuk-link" href="`)
		escape(&w, r.ChangeURL)
		w.WriteString(`">`)
		escape(&w, survey.Message(lang, "change"))
		w.WriteString(`<span class="govuk-visually-hidden"> `)
		escape(&w, r.Key)
		w.WriteString("</span></a>\n</dd>\n</div>\n")
	}
	return template.HTML(w.String())
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
	escape(w, p.Title)
	w.WriteString(`</h1>
    <p class="govuk-body">`)
	escape(w, survey.Message(lang, "tasks-done", p.Done, len(p.Tasks)))
	w.WriteString(`</p>
    <ul class="govuk-task-list">
`)
	for _, t := range p.Tasks {
		w.WriteString(`<li class="govuk-task-list__item govuk-task-list__item--with-link">` + "\n" + `<div class="govuk-task-list__name-and-hint">` + "\n" + `<a class="govuk-link govuk-task-list__link" href="`)
		escape(w, t.URL)
		w.WriteString(`" aria-describedby="`)
		escape(w, t.ID)
		w.WriteString(`_status">`)
		escape(w, t.Title)
		w.WriteString("</a>\n</div>\n" + `<div class="govuk-task-list__status" id="`)
		escape(w, t.ID)
		w.WriteString(`_status">`)
		switch {
		case t.Complete:
			escape(w, t.Status)
		case t.Started:
			w.WriteString(`<strong class="govuk-tag govuk-tag--light-blue">`)
			escape(w, t.Status)
			w.WriteString("</strong>")
		default:
			w.WriteString(`<strong class="govuk-tag govuk-tag--blue">`)
			escape(w, t.Status)
			w.WriteString("</strong>")
		}
		w.WriteString("</div>\n</li>\n")
	}
	w.WriteString("    </ul>\n")
	if p.CheckURL != "" {
		w.WriteString(`    <a href="`)
		escape(w, p.CheckURL)
		w.WriteString(`" role="button" draggable="false" class="govuk-button" data-module="govuk-button">`)
		escape(w, survey.Message(lang, "check-and-send"))
		w.WriteString("</a>\n")
	} else {
		w.WriteString(`    <p class="govuk-body">`)
		escape(w, survey.Message(lang, "tasks-then-send"))
		w.WriteString("</p>\n")
	}
	w.WriteString(`  </div>
</div>
`)
}
