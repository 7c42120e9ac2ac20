package web

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"iwtoolkit/internal/survey"
)

// The GOV.UK Design System components the service uses, written in Go
// once for every page: the respondent pages call them directly, and
// templates call choices (render.go). Every text is escaped by Escape.

// Field is one form field as a page shows it: a fieldset of radios or
// checkboxes, or a labelled input. Every name and element id the pages
// make up contains an underscore, which IDs in survey files cannot, so
// that none can clash with a question's.
type Field struct {
	ID, Legend, Hint, Error string
	Kind                    string   // KindRadios, KindCheckboxes, KindText, KindNumber or KindTextarea
	Options                 []Option // radios or checkboxes
	Value                   string   // a number or text
	Max                     int      // a text's length limit
	Optional                bool
	Faces                   bool   // the options show smiley faces
	Lang                    string // for the service's own words
	// OptionalText and LimitText are a survey's own words for
	// "(optional)" and the length limit, when it has them
	// (survey.Definition.Word); empty for the service's.
	OptionalText, LimitText string
}

// optional is the words after an optional question's label.
func (q Field) optional() string {
	if q.OptionalText != "" {
		return q.OptionalText
	}
	return survey.Message(q.Lang, "optional")
}

// The kinds of field.
const (
	KindRadios     = "radios"
	KindCheckboxes = "checkboxes"
	KindText       = "text"
	KindNumber     = "number"
	KindTextarea   = "textarea"
)

// Option is one radio or checkbox.
type Option struct {
	ID, Value, Label, Hint string
	Face                   string
	Checked                bool
	OrBefore               bool // Don't know, Not applicable, None of these come after an "or"
	Exclusive              bool // unticks the other checkboxes (a "none of these")
}

// Options are a field's inputs, with ids made from the field's and the
// chosen ones checked. The first input's id is the field's, so that the
// error summary's link lands on it.
func Options(field string, choices []Option, chosen []string) []Option {
	out := make([]Option, len(choices))
	copy(out, choices)
	for i := range out {
		out[i].ID = field
		if i > 0 {
			out[i].ID = field + "_" + strconv.Itoa(i+1)
		}
		for _, c := range chosen {
			if c == out[i].Value {
				out[i].Checked = true
			}
		}
	}
	return out
}

// Paragraphs splits text on blank lines, for introductions written in
// survey files.
func Paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Input writes a number, a text or a long text (a textarea with a
// character count), with its label, hint and error.
func Input(w *bytes.Buffer, q Field) {
	id := func(suffix string) {
		Escape(w, q.ID)
		w.WriteString(suffix)
	}
	long := q.Kind == KindTextarea
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
	Escape(w, q.Legend)
	if q.Optional {
		w.WriteString(" ")
		Escape(w, q.optional())
	}
	w.WriteString("</label>\n")
	HintAndError(w, q)
	switch {
	case long:
		w.WriteString(`<textarea class="govuk-textarea govuk-js-character-count`)
		if q.Error != "" {
			w.WriteString(` govuk-textarea--error`)
		}
		w.WriteString(`" id="`)
		id(`" name="`)
		id(`" rows="5"`)
		DescribedBy(w, q, "_info")
		w.WriteString(`>`)
		Escape(w, q.Value)
		w.WriteString("</textarea>\n" + `<div id="`)
		id(`_info" class="govuk-hint govuk-character-count__message">`)
		if q.LimitText != "" {
			Escape(w, q.LimitText)
		} else {
			Escape(w, survey.Message(q.Lang, "up-to-chars", q.Max))
		}
		w.WriteString("</div>\n")
	default:
		w.WriteString(`<input class="govuk-input`)
		if q.Kind == KindNumber {
			w.WriteString(` govuk-input--width-5`)
		}
		if q.Error != "" {
			w.WriteString(` govuk-input--error`)
		}
		w.WriteString(`" id="`)
		id(`" name="`)
		id(`" type="text"`)
		if q.Kind == KindNumber {
			w.WriteString(` inputmode="numeric" spellcheck="false"`)
		} else {
			w.WriteString(` maxlength="`)
			w.WriteString(strconv.Itoa(q.Max))
			w.WriteString(`"`)
		}
		w.WriteString(` value="`)
		Escape(w, q.Value)
		w.WriteString(`"`)
		DescribedBy(w, q, "")
		w.WriteString(">\n")
	}
	w.WriteString("</div>\n")
}

// HintAndError writes a question's hint and error message, if it has
// them, with the ids describedBy names.
func HintAndError(w *bytes.Buffer, q Field) {
	if q.Hint != "" {
		w.WriteString(`<div id="`)
		Escape(w, q.ID)
		w.WriteString(`_hint" class="govuk-hint">`)
		Escape(w, q.Hint)
		w.WriteString("</div>\n")
	}
	if q.Error != "" {
		w.WriteString(`<p id="`)
		Escape(w, q.ID)
		w.WriteString(`_error" class="govuk-error-message"><span class="govuk-visually-hidden">`)
		Escape(w, survey.Message(q.Lang, "error"))
		w.WriteString(":</span> ")
		Escape(w, q.Error)
		w.WriteString("</p>\n")
	}
}

// DescribedBy writes a question's aria-describedby: the element with the
// id suffix first, if one is given (a character count's message), then
// its hint and its error; nothing when there are none.
func DescribedBy(w *bytes.Buffer, q Field, first string) {
	sep := ` aria-describedby="`
	for _, part := range []struct {
		on     bool
		suffix string
	}{{first != "", first}, {q.Hint != "", "_hint"}, {q.Error != "", "_error"}} {
		if part.on {
			w.WriteString(sep)
			Escape(w, q.ID)
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

// Choices writes a fieldset of radios or checkboxes in the GOV.UK
// markup: its legend, hint and error, then each option with its label,
// face and hint, and "or" before Don't know and the like.
func Choices(w *bytes.Buffer, q Field, static func(string) (string, error)) error {
	k := q.markup()
	choicesHead(w, q, k)
	for _, o := range q.Options {
		choiceStart(w, q, k, o)
		if o.Checked {
			w.WriteString(" checked")
		}
		choiceMiddle(w, k, o)
		if err := face(w, o.Face, static); err != nil {
			return err
		}
		choiceEnd(w, k, o)
	}
	w.WriteString(choicesEnd)
	return nil
}

func (q Field) markup() *choiceMarkup {
	if q.Kind == KindRadios {
		return &radios
	}
	return &checkboxes
}

const choicesEnd = "</div>\n</fieldset>\n</div>\n"

// choicesHead writes a fieldset's markup before its first option.
func choicesHead(w *bytes.Buffer, q Field, k *choiceMarkup) {
	w.WriteString(`<div class="govuk-form-group`)
	if q.Error != "" {
		w.WriteString(` govuk-form-group--error`)
	}
	w.WriteString(`">` + "\n" + `<fieldset class="govuk-fieldset"`)
	DescribedBy(w, q, "")
	w.WriteString(">\n" + `<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">`)
	Escape(w, q.Legend)
	if q.Optional {
		w.WriteString(" ")
		Escape(w, q.optional())
	}
	w.WriteString("</legend>\n")
	HintAndError(w, q)
	w.WriteString(k.open)
	if k == &radios && !q.Faces && len(q.Options) > 3 {
		w.WriteString(" govuk-radios--small")
	}
	if q.Faces {
		w.WriteString(" app-faces")
	}
	w.WriteString(k.module)
}

// choiceStart writes an option's markup up to where it is checked.
func choiceStart(w *bytes.Buffer, q Field, k *choiceMarkup, o Option) {
	if o.OrBefore {
		w.WriteString(k.divider)
		Escape(w, survey.Message(q.Lang, "or"))
		w.WriteString("</div>\n")
	}
	w.WriteString(k.item)
	Escape(w, o.ID)
	w.WriteString(`" name="`)
	Escape(w, q.ID)
	w.WriteString(k.typ)
	Escape(w, o.Value)
	w.WriteString(`"`)
}

// choiceMiddle writes an option's markup after where it is checked and
// before its face.
func choiceMiddle(w *bytes.Buffer, k *choiceMarkup, o Option) {
	if o.Exclusive && k == &checkboxes {
		w.WriteString(` data-behaviour="exclusive"`)
	}
	if o.Hint != "" {
		w.WriteString(` aria-describedby="`)
		Escape(w, o.ID)
		w.WriteString(`_item_hint"`)
	}
	w.WriteString(k.label)
	Escape(w, o.ID)
	w.WriteString(`">`)
}

// face writes an option's smiley face, if it has one.
func face(w *bytes.Buffer, face string, static func(string) (string, error)) error {
	if face == "" {
		return nil
	}
	src, err := static("/static/app/face-" + face + ".svg")
	if err != nil {
		return err
	}
	w.WriteString(`<img class="app-face" src="`)
	Escape(w, src)
	w.WriteString(`" alt="" width="40" height="40">`)
	return nil
}

// choiceEnd writes the rest of an option: its label and hint.
func choiceEnd(w *bytes.Buffer, k *choiceMarkup, o Option) {
	Escape(w, o.Label)
	w.WriteString("</label>\n")
	if o.Hint != "" {
		w.WriteString(`<div id="`)
		Escape(w, o.ID)
		w.WriteString(k.hint)
		Escape(w, o.Hint)
		w.WriteString("</div>\n")
	}
	w.WriteString("</div>\n")
}

// ChoicesMarkup is a fieldset of radios or checkboxes written once, for
// the pages that show the same question again and again (a survey's, once
// per definition and language): only the error and which options are
// checked are filled in on each page. What Write writes is what Choices
// writes for the same field with that error and those options checked
// (TestChoicesMarkupIsChoices).
type ChoicesMarkup struct {
	field Field  // without an error, and nothing checked
	head  string // the markup before the first option, without an error
	opts  []optionMarkup
}

// optionMarkup is one option's markup, split where it is checked and
// where its face goes: the face's address is the static files' (the
// caller's), looked up as each page is written.
type optionMarkup struct {
	value, start, middle, end, face string
}

// NewChoicesMarkup writes q's fieldset once, without its error and with
// nothing checked.
func NewChoicesMarkup(q Field) *ChoicesMarkup {
	q.Error = ""
	m := &ChoicesMarkup{field: q, opts: make([]optionMarkup, len(q.Options))}
	k := q.markup()
	var b bytes.Buffer
	choicesHead(&b, q, k)
	m.head = b.String()
	for i, o := range q.Options {
		op := &m.opts[i]
		op.value, op.face = o.Value, o.Face
		b.Reset()
		choiceStart(&b, q, k, o)
		op.start = b.String()
		b.Reset()
		choiceMiddle(&b, k, o)
		op.middle = b.String()
		b.Reset()
		choiceEnd(&b, k, o)
		op.end = b.String()
	}
	return m
}

// Write writes the fieldset with the error message (if any) and the
// options whose values are chosen checked.
func (m *ChoicesMarkup) Write(w *bytes.Buffer, errMsg string, chosen []string, static func(string) (string, error)) error {
	if errMsg == "" {
		w.WriteString(m.head)
	} else {
		q := m.field
		q.Error = errMsg
		choicesHead(w, q, q.markup())
	}
	for _, o := range m.opts {
		w.WriteString(o.start)
		if slices.Contains(chosen, o.value) {
			w.WriteString(" checked")
		}
		w.WriteString(o.middle)
		if err := face(w, o.face, static); err != nil {
			return err
		}
		w.WriteString(o.end)
	}
	w.WriteString(choicesEnd)
	return nil
}
