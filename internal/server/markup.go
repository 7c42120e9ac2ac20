package server

import (
	"html/template"
	"strings"

	"iwtoolkit/internal/survey"
)

// The parts of pages that repeat, or that come back many times in a
// survey, are written in Go rather than template: html/template evaluates
// every action by reflection, and these were most of the cost of the
// pages that hold them (a grid's options; check answers' rows; the task
// list, shown after every part of a long survey). Every text goes through
// template.HTMLEscapeString, which escapes what html/template would in
// these quoted attributes and in text; markup_test.go checks it. Every
// address in them is one the service built.

// choices writes a fieldset of radios or checkboxes in the GOV.UK
// markup: its legend, hint and error, then each option with its label,
// face and hint, and "or" before Don't know and the like.
func choices(q question, static func(string) (string, error)) (template.HTML, error) {
	kind, input := "checkboxes", "checkbox"
	if q.Radios() {
		kind, input = "radios", "radio"
	}
	esc := template.HTMLEscapeString
	var b strings.Builder
	b.WriteString(`<div class="govuk-form-group`)
	if q.Error != "" {
		b.WriteString(` govuk-form-group--error`)
	}
	b.WriteString(`">` + "\n" + `<fieldset class="govuk-fieldset"`)
	if q.Hint != "" || q.Error != "" {
		var ids []string
		if q.Hint != "" {
			ids = append(ids, esc(q.ID)+"_hint")
		}
		if q.Error != "" {
			ids = append(ids, esc(q.ID)+"_error")
		}
		b.WriteString(` aria-describedby="` + strings.Join(ids, " ") + `"`)
	}
	b.WriteString(">\n" + `<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">` + esc(q.Legend))
	if q.Optional {
		b.WriteString(" " + esc(survey.Message(q.Lang, "optional")))
	}
	b.WriteString("</legend>\n")
	if q.Hint != "" {
		b.WriteString(`<div id="` + esc(q.ID) + `_hint" class="govuk-hint">` + esc(q.Hint) + "</div>\n")
	}
	if q.Error != "" {
		b.WriteString(`<p id="` + esc(q.ID) + `_error" class="govuk-error-message"><span class="govuk-visually-hidden">` + esc(survey.Message(q.Lang, "error")) + ":</span> " + esc(q.Error) + "</p>\n")
	}
	b.WriteString(`<div class="govuk-` + kind)
	if kind == "radios" && !q.Faces && len(q.Options) > 3 {
		b.WriteString(" govuk-radios--small")
	}
	if q.Faces {
		b.WriteString(" app-faces")
	}
	b.WriteString(`" data-module="govuk-` + kind + `">` + "\n")
	for _, o := range q.Options {
		if o.OrBefore {
			b.WriteString(`<div class="govuk-` + kind + `__divider">` + esc(survey.Message(q.Lang, "or")) + "</div>\n")
		}
		b.WriteString(`<div class="govuk-` + kind + `__item">` + "\n")
		b.WriteString(`<input class="govuk-` + kind + `__input" id="` + esc(o.ID) + `" name="` + esc(q.ID) + `" type="` + input + `" value="` + esc(o.Value) + `"`)
		if o.Checked {
			b.WriteString(" checked")
		}
		if o.Exclusive && kind == "checkboxes" {
			b.WriteString(` data-behaviour="exclusive"`)
		}
		if o.Hint != "" {
			b.WriteString(` aria-describedby="` + esc(o.ID) + `_item_hint"`)
		}
		b.WriteString(">\n")
		b.WriteString(`<label class="govuk-label govuk-` + kind + `__label" for="` + esc(o.ID) + `">`)
		if o.Face != "" {
			src, err := static("/static/app/face-" + o.Face + ".svg")
			if err != nil {
				return "", err
			}
			b.WriteString(`<img class="app-face" src="` + esc(src) + `" alt="" width="40" height="40">`)
		}
		b.WriteString(esc(o.Label) + "</label>\n")
		if o.Hint != "" {
			b.WriteString(`<div id="` + esc(o.ID) + `_item_hint" class="govuk-hint govuk-` + kind + `__hint">` + esc(o.Hint) + "</div>\n")
		}
		b.WriteString("</div>\n")
	}
	b.WriteString("</div>\n</fieldset>\n</div>\n")
	return template.HTML(b.String()), nil
}

// summaryRows writes check answers' rows for one part of a survey: each
// question or statement, the answer (a line each for several), or that
// none was given, and a link to change it.
func summaryRows(rows []checkRow, lang string) template.HTML {
	esc := template.HTMLEscapeString
	change := esc(survey.Message(lang, "change"))
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(`<div class="govuk-summary-list__row">` + "\n")
		b.WriteString(`<dt class="govuk-summary-list__key">` + esc(r.Key) + "</dt>\n")
		b.WriteString(`<dd class="govuk-summary-list__value">`)
		switch {
		case r.Value != "":
			for i, line := range strings.Split(r.Value, "\n") {
				if i > 0 {
					b.WriteString("<br>")
				}
				b.WriteString(esc(line))
			}
		case r.Optional:
			b.WriteString(esc(survey.Message(lang, "none-given")))
		default:
			b.WriteString(`<span class="app-not-answered">` + esc(survey.Message(lang, "not-answered")) + "</span>")
		}
		b.WriteString("</dd>\n")
		b.WriteString(`<dd class="govuk-summary-list__actions">` + "\n")
		b.WriteString(`<a class="govuk-link" href="` + esc(r.ChangeURL) + `">` + change + `<span class="govuk-visually-hidden"> ` + esc(r.Key) + "</span></a>\n")
		b.WriteString("</dd>\n</div>\n")
	}
	return template.HTML(b.String())
}

// taskItems writes the task list's items: each part, linked, with its
// status, as a tag until it is complete.
func taskItems(tasks []task) template.HTML {
	esc := template.HTMLEscapeString
	var b strings.Builder
	for _, t := range tasks {
		id := esc(t.ID) + "_status"
		b.WriteString(`<li class="govuk-task-list__item govuk-task-list__item--with-link">` + "\n")
		b.WriteString(`<div class="govuk-task-list__name-and-hint">` + "\n")
		b.WriteString(`<a class="govuk-link govuk-task-list__link" href="` + esc(t.URL) + `" aria-describedby="` + id + `">` + esc(t.Title) + "</a>\n</div>\n")
		b.WriteString(`<div class="govuk-task-list__status" id="` + id + `">`)
		switch {
		case t.Complete:
			b.WriteString(esc(t.Status))
		case t.Started:
			b.WriteString(`<strong class="govuk-tag govuk-tag--light-blue">` + esc(t.Status) + "</strong>")
		default:
			b.WriteString(`<strong class="govuk-tag govuk-tag--blue">` + esc(t.Status) + "</strong>")
		}
		b.WriteString("</div>\n</li>\n")
	}
	return template.HTML(b.String())
}
