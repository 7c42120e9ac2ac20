package server

import (
	"html/template"
	"strings"

	"iwtoolkit/internal/survey"
)

// choiceItems writes the inputs of a fieldset of radios or checkboxes: the
// GOV.UK markup of each option, its label, face and hint, with "or" before
// Don't know and the like. It is Go rather than template because a grid
// has dozens of options, and html/template evaluating them by reflection
// was most of the cost of a page. Every text goes through
// template.HTMLEscapeString, which escapes what html/template would in
// these quoted attributes and in text; TestHostileTextIsEscaped checks it.
func choiceItems(q question, static func(string) (string, error)) (template.HTML, error) {
	kind, input := "checkboxes", "checkbox"
	if q.Radios() {
		kind, input = "radios", "radio"
	}
	esc := template.HTMLEscapeString
	var b strings.Builder
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
	return template.HTML(b.String()), nil
}
