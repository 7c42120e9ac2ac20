package server

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
)

// The parts of pages that repeat, or that come back many times in a
// survey, are written in Go rather than template: html/template evaluates
// every action by reflection, and these were most of the cost of the
// pages that hold them (a part's questions and a grid's options; check
// answers' rows; the task list, shown after every part of a long survey;
// the layout, layout.go). Every text goes through escape, which escapes
// what html/template would in these quoted attributes and in text;
// markup_test.go checks it. Every address in them is one the service
// built.

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

// questions writes a part's questions by type. A grid is a heading and a
// fieldset of radios for each statement; radios and checkboxes are a
// fieldset (choices); a number or a text is a label and an input, and a
// long text a textarea with a character count.
func questions(qs []question, static func(string) (string, error)) (template.HTML, error) {
	w := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(w)
	w.Reset()
	for _, q := range qs {
		var err error
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
				if err = choices(w, row, static); err != nil {
					break
				}
			}
		case q.Radios() || q.Type == survey.TypeMultiple:
			err = choices(w, q, static)
		default:
			input(w, q)
		}
		if err != nil {
			return "", err
		}
	}
	return template.HTML(w.String()), nil
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
	if q.Hint != "" {
		w.WriteString(`<div id="`)
		id(`_hint" class="govuk-hint">`)
		escape(w, q.Hint)
		w.WriteString("</div>\n")
	}
	if q.Error != "" {
		w.WriteString(`<p id="`)
		id(`_error" class="govuk-error-message"><span class="govuk-visually-hidden">`)
		escape(w, survey.Message(q.Lang, "error"))
		w.WriteString(":</span> ")
		escape(w, q.Error)
		w.WriteString("</p>\n")
	}
	// described lists the hint's and the error's ids, after the
	// character count's.
	described := func(first bool) {
		for _, part := range []struct {
			on     bool
			suffix string
		}{{q.Hint != "", "_hint"}, {q.Error != "", "_error"}} {
			if part.on {
				if !first {
					w.WriteString(" ")
				}
				id(part.suffix)
				first = false
			}
		}
	}
	switch {
	case long:
		w.WriteString(`<textarea class="govuk-textarea govuk-js-character-count`)
		if q.Error != "" {
			w.WriteString(` govuk-textarea--error`)
		}
		w.WriteString(`" id="`)
		id(`" name="`)
		id(`" rows="5" aria-describedby="`)
		id(`_info`)
		described(false)
		w.WriteString(`">`)
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
		if q.Hint != "" || q.Error != "" {
			w.WriteString(` aria-describedby="`)
			described(true)
			w.WriteString(`"`)
		}
		w.WriteString(">\n")
	}
	w.WriteString("</div>\n")
}

// choices writes a fieldset of radios or checkboxes in the GOV.UK
// markup: its legend, hint and error, then each option with its label,
// face and hint, and "or" before Don't know and the like.
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
	if q.Hint != "" || q.Error != "" {
		w.WriteString(` aria-describedby="`)
		if q.Hint != "" {
			escape(w, q.ID)
			w.WriteString("_hint")
		}
		if q.Error != "" {
			if q.Hint != "" {
				w.WriteString(" ")
			}
			escape(w, q.ID)
			w.WriteString("_error")
		}
		w.WriteString(`"`)
	}
	w.WriteString(">\n" + `<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">`)
	escape(w, q.Legend)
	if q.Optional {
		w.WriteString(" ")
		escape(w, survey.Message(q.Lang, "optional"))
	}
	w.WriteString("</legend>\n")
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

// taskItems writes the task list's items: each part, linked, with its
// status, as a tag until it is complete.
func taskItems(tasks []task) template.HTML {
	var w bytes.Buffer
	for _, t := range tasks {
		w.WriteString(`<li class="govuk-task-list__item govuk-task-list__item--with-link">` + "\n" + `<div class="govuk-task-list__name-and-hint">` + "\n" + `<a class="govuk-link govuk-task-list__link" href="`)
		escape(&w, t.URL)
		w.WriteString(`" aria-describedby="`)
		escape(&w, t.ID)
		w.WriteString(`_status">`)
		escape(&w, t.Title)
		w.WriteString("</a>\n</div>\n" + `<div class="govuk-task-list__status" id="`)
		escape(&w, t.ID)
		w.WriteString(`_status">`)
		switch {
		case t.Complete:
			escape(&w, t.Status)
		case t.Started:
			w.WriteString(`<strong class="govuk-tag govuk-tag--light-blue">`)
			escape(&w, t.Status)
			w.WriteString("</strong>")
		default:
			w.WriteString(`<strong class="govuk-tag govuk-tag--blue">`)
			escape(&w, t.Status)
			w.WriteString("</strong>")
		}
		w.WriteString("</div>\n</li>\n")
	}
	return template.HTML(w.String())
}
