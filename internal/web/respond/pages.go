package respond

import (
	"bytes"

	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/web"
)

// The respondent pages other than a part's page and the task list
// (markup.go), written in Go too, so that every respondent page is made
// one way. Texts go through web.Escape and links through web.Href.

// writers are the respondent pages, by name.
func writers(static func(string) (string, error)) map[string]web.Writer {
	return map[string]web.Writer{
		"form":  web.Writes(func(w *bytes.Buffer, p formPage) error { return writeForm(w, p, static) }),
		"tasks": web.Writes(func(w *bytes.Buffer, p taskListPage) error { writeTasks(w, p); return nil }),
		"start": web.Writes(func(w *bytes.Buffer, p startPage) error { writeStart(w, p); return nil }),
		"privacy": web.Writes(func(w *bytes.Buffer, p privacyPage) error {
			writePrivacy(w, p)
			return nil
		}),
		"stop":    web.Writes(func(w *bytes.Buffer, p stopPage) error { writeStop(w, p); return nil }),
		"check":   web.Writes(func(w *bytes.Buffer, p checkPage) error { writeCheck(w, p); return nil }),
		"done":    web.Writes(func(w *bytes.Buffer, p donePage) error { writeDone(w, p); return nil }),
		"profile": web.Writes(func(w *bytes.Buffer, p profilePage) error { writeProfile(w, p); return nil }),
		"saved":   web.Writes(func(w *bytes.Buffer, p savedPage) error { writeSaved(w, p); return nil }),
		"resume":  web.Writes(func(w *bytes.Buffer, p resumePage) error { writeResume(w, p); return nil }),
		"unsent":  web.Writes(func(w *bytes.Buffer, p unsentPage) error { writeUnsent(w, p); return nil }),
		"home":    web.Writes(func(w *bytes.Buffer, p homePage) error { writeHome(w, p); return nil }),
		"error":   web.Writes(func(w *bytes.Buffer, p errorPage) error { web.WriteError(w, p.ErrorPage); return nil }),
	}
}

const (
	columnStart = `
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
`
	columnEnd = `  </div>
</div>
`
)

// text writes s, escaped, between open and close.
func text(w *bytes.Buffer, open, s, close string) {
	w.WriteString(open)
	web.Escape(w, s)
	w.WriteString(close)
}

// paras writes each paragraph of s as a govuk-body paragraph.
func paras(w *bytes.Buffer, s string) {
	for _, p := range web.Paragraphs(s) {
		text(w, `    <p class="govuk-body">`, p, "</p>\n")
	}
}

// button writes a link styled as a button.
func button(w *bytes.Buffer, href, label, class string) {
	w.WriteString(`    <a href="`)
	web.Href(w, href)
	w.WriteString(`" role="button" draggable="false" class="govuk-button` + class + `" data-module="govuk-button">`)
	web.Escape(w, label)
	w.WriteString("</a>\n")
}

// csrfField writes a form's token field.
func csrfField(w *bytes.Buffer, token string) {
	w.WriteString(`      <input type="hidden" name="` + web.CSRFField + `" value="`)
	web.Escape(w, token)
	w.WriteString("\">\n")
}

// sendForm is the "Send your answers" button of check answers, and of the
// page saying the answers are not sent yet: a form posting to action.
func sendForm(w *bytes.Buffer, p web.Page, action string) {
	w.WriteString(`    <form method="post" action="`)
	web.Href(w, action)
	w.WriteString("\" novalidate>\n")
	csrfField(w, p.CSRF)
	text(w, `      <button type="submit" class="govuk-button" data-module="govuk-button" data-prevent-double-click="true">`, survey.Message(p.Language(), "send"), "</button>\n    </form>\n")
}

// help writes where to get help: Childline for children and young people,
// then the survey's own contacts.
func help(w *bytes.Buffer, lang, helpText string, contacts []helpContact) {
	if len(contacts) == 0 {
		return
	}
	text(w, `    <h2 class="govuk-heading-m">`, survey.Message(lang, "help-title"), "</h2>\n")
	paras(w, helpText)
	for _, c := range contacts {
		w.WriteString(`    <div class="app-contact">` + "\n")
		text(w, `      <h3 class="govuk-heading-s">`, c.Name, "</h3>\n")
		if c.Description != "" {
			text(w, `      <p class="govuk-body">`, c.Description, "</p>\n")
		}
		if c.Phone != "" {
			text(w, `      <p class="govuk-body">`, survey.Message(lang, "phone"), `: <a class="govuk-link" href="`)
			web.Href(w, "tel:"+c.PhoneLink)
			text(w, `">`, c.Phone, "</a></p>\n")
		}
		if c.Website != "" {
			w.WriteString(`      <p class="govuk-body"><a class="govuk-link" href="`)
			web.Href(w, c.Website)
			text(w, `" rel="noreferrer noopener">`, c.Website, "</a></p>\n")
		}
		w.WriteString("    </div>\n")
	}
}

func writeStart(w *bytes.Buffer, p startPage) {
	lang := p.Language()
	w.WriteString(columnStart)
	text(w, `    <span class="govuk-caption-l">`, p.Round.Label, "</span>\n")
	text(w, `    <h1 class="govuk-heading-xl">`, p.Survey.Title, "</h1>\n")
	paras(w, p.Survey.Introduction)
	if t := p.Survey.TimeToComplete; t != "" {
		text(w, `    <p class="govuk-body">`, survey.Message(lang, "it-takes", t), "</p>\n")
	}
	text(w, `    <h2 class="govuk-heading-m">`, survey.Message(lang, "how-used"), "</h2>\n")
	paras(w, p.Survey.HowAnswersAreUsed)
	if p.OneDevice {
		text(w, `    <div class="govuk-inset-text">`, survey.Message(lang, "one-device"), "")
		if p.Survey.TaskList {
			text(w, " ", survey.Message(lang, "one-device-save"), "")
		}
		w.WriteString("</div>\n")
	}
	if p.Invited {
		w.WriteString(`    <a href="`)
		web.Href(w, p.StartURL)
		w.WriteString(`" role="button" draggable="false" class="govuk-button govuk-button--start" data-module="govuk-button">
      `)
		web.Escape(w, survey.Message(lang, "start-now"))
		w.WriteString(`
      <svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
        <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
      </svg>
    </a>
`)
	} else {
		text(w, `    <div class="govuk-inset-text">`, survey.Message(lang, "invitation-only"), "</div>\n")
	}
	if p.Survey.TaskList {
		w.WriteString(`    <p class="govuk-body"><a class="govuk-link" href="`)
		web.Href(w, p.ResumeURL)
		text(w, `">`, survey.Message(lang, "resume-link"), "</a></p>\n")
	}
	if p.YouSaidURL != "" {
		w.WriteString(`    <p class="govuk-body" id="you_said_link"><a class="govuk-link" href="`)
		web.Href(w, p.YouSaidURL)
		text(w, `">`, survey.Message(lang, "you-said-link"), "</a></p>\n")
	}
	w.WriteString(columnEnd)
}

func writePrivacy(w *bytes.Buffer, p privacyPage) {
	lang := p.Language()
	w.WriteString(columnStart)
	text(w, `    <span class="govuk-caption-l">`, p.Survey.Title, "</span>\n")
	text(w, `    <h1 class="govuk-heading-l">`, p.Title, "</h1>\n")
	paras(w, p.Survey.PrivacyNotice)
	text(w, `    <p class="govuk-body">`, survey.Message(lang, "stop-any-time"), "</p>\n")
	button(w, p.NextURL, survey.Message(lang, "continue"), "")
	w.WriteString(columnEnd)
}

func writeStop(w *bytes.Buffer, p stopPage) {
	lang := p.Language()
	w.WriteString(columnStart)
	text(w, `    <h1 class="govuk-heading-l">`, p.Title, "</h1>\n")
	text(w, `    <p class="govuk-body">`, survey.Message(lang, "stop-body"), "</p>\n")
	help(w, lang, p.HelpText, p.Help)
	w.WriteString(columnEnd)
}

func writeCheck(w *bytes.Buffer, p checkPage) {
	lang := p.Language()
	w.WriteString(columnStart)
	text(w, `    <span class="govuk-caption-l">`, p.Survey.Title, "</span>\n")
	text(w, `    <h1 class="govuk-heading-l">`, p.Title, "</h1>\n")
	noAnswer := p.Survey.Word("none-given")
	for _, g := range p.Groups {
		w.WriteString(`    <h2 class="govuk-heading-m" id="`)
		web.Escape(w, g.ID)
		text(w, `">`, g.Title, "</h2>\n")
		w.WriteString(`    <dl class="govuk-summary-list govuk-!-margin-bottom-9">` + "\n")
		checkRows(w, g.Rows, lang, noAnswer)
		w.WriteString("    </dl>\n")
	}
	text(w, `    <h2 class="govuk-heading-m">`, survey.Message(lang, "now-send"), "</h2>\n")
	text(w, `    <p class="govuk-body">`, survey.Message(lang, "send-agree"), "</p>\n")
	sendForm(w, p.Page, p.Action)
	w.WriteString(columnEnd)
}

func writeUnsent(w *bytes.Buffer, p unsentPage) {
	w.WriteString(columnStart)
	text(w, `    <span class="govuk-caption-l">`, p.Survey.Title, "</span>\n")
	text(w, `    <h1 class="govuk-heading-l">`, p.Title, "</h1>\n")
	text(w, `    <p class="govuk-body">`, survey.Message(p.Language(), "not-sent"), "</p>\n")
	sendForm(w, p.Page, p.Action)
	w.WriteString(columnEnd)
}

func writeDone(w *bytes.Buffer, p donePage) {
	lang := p.Language()
	w.WriteString(columnStart)
	w.WriteString(`    <div class="govuk-panel govuk-panel--confirmation">` + "\n")
	text(w, `      <h1 class="govuk-panel__title">`, p.Title, "</h1>\n")
	// Children and young people are told in their words: a number they
	// need not keep, and that no one will know which answers are theirs.
	young := p.Survey.ForYoungPeople()
	label, part, keep := "your-reference", survey.Message(lang, "done-part-of", p.Survey.Title, p.Round.Label), "keep-reference"
	if young {
		label, part, keep = "your-number", survey.Message(lang, "done-part-of-young"), "keep-number"
	}
	text(w, `      <div class="govuk-panel__body">`, survey.Message(lang, label), "<br><strong>")
	web.Escape(w, p.Reference)
	w.WriteString("</strong></div>\n    </div>\n")
	text(w, `    <h2 class="govuk-heading-m">`, survey.Message(lang, "what-next"), "</h2>\n")
	text(w, `    <p class="govuk-body">`, part, "</p>\n")
	text(w, `    <p class="govuk-body">`, survey.Message(lang, keep), "</p>\n")
	// Every confirmation of the survey says it, flagged or not: the page
	// must not tell anyone looking over a child's shoulder that an answer
	// was flagged.
	if notice := web.Paragraphs(p.Survey.SafeguardingNotice); len(notice) > 0 {
		w.WriteString(`    <div class="govuk-inset-text" id="who-reads">` + "\n")
		for _, para := range notice {
			text(w, `      <p class="govuk-body">`, para, "</p>\n")
		}
		w.WriteString("    </div>\n")
	}
	if p.Profile != "" { // profile.go
		w.WriteString(`    <p class="govuk-body" id="profile-link"><a class="govuk-link" href="`)
		web.Href(w, p.Profile)
		text(w, `">`, survey.Message(lang, "profile-link"), "</a></p>\n")
	}
	help(w, lang, p.HelpText, p.Help)
	// The list of surveys holds the staff ones too: nothing there for a
	// child, who is done here.
	if !young {
		text(w, `    <p class="govuk-body"><a class="govuk-link" href="/">`, survey.Message(lang, "back-to-list"), "</a></p>\n")
	}
	w.WriteString(columnEnd)
}

func writeSaved(w *bytes.Buffer, p savedPage) {
	lang := p.Language()
	w.WriteString(columnStart)
	w.WriteString(`    <div class="govuk-panel govuk-panel--confirmation">` + "\n")
	text(w, `      <h1 class="govuk-panel__title">`, p.Title, "</h1>\n")
	text(w, `      <div class="govuk-panel__body">`, survey.Message(lang, "your-resume-code"), `<br><strong class="app-code">`)
	web.Escape(w, p.Code)
	w.WriteString("</strong></div>\n    </div>\n")
	text(w, `    <p class="govuk-body">`, survey.Message(lang, "saved-body", p.Expires), "</p>\n")
	w.WriteString(`    <div class="govuk-warning-text">
      <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
      <strong class="govuk-warning-text__text"><span class="govuk-visually-hidden">`)
	web.Escape(w, survey.Message(lang, "warning"))
	text(w, "</span> ", survey.Message(lang, "saved-once"), "</strong>\n    </div>\n")
	text(w, `    <p class="govuk-body">`, survey.Message(lang, "saved-link"), "</p>\n")
	w.WriteString(`    <p class="govuk-body app-break"><a class="govuk-link" href="`)
	web.Href(w, p.ResumeURL)
	text(w, `">`, p.ResumeURL, "</a></p>\n")
	w.WriteString(columnEnd)
}

func writeResume(w *bytes.Buffer, p resumePage) {
	lang := p.Language()
	message := ""
	for _, e := range p.Errors {
		message = e.Message
	}
	w.WriteString(columnStart)
	w.WriteString(`    <form method="post" action="`)
	web.Href(w, p.Action)
	w.WriteString("\" novalidate>\n")
	csrfField(w, p.CSRF)
	w.WriteString(`      <div class="govuk-form-group`)
	if message != "" {
		w.WriteString(" govuk-form-group--error")
	}
	text(w, "\">\n"+`        <h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" for="resume_code">`, p.Title, "</label></h1>\n")
	text(w, `        <div id="resume_code_hint" class="govuk-hint">`, survey.Message(lang, "resume-hint"), "</div>\n")
	if message != "" {
		text(w, `        <p id="resume_code_error" class="govuk-error-message"><span class="govuk-visually-hidden">`, survey.Message(lang, "error"), ":</span> ")
		web.Escape(w, message)
		w.WriteString("</p>\n")
	}
	w.WriteString(`        <input class="govuk-input govuk-input--width-20`)
	if message != "" {
		w.WriteString(" govuk-input--error")
	}
	w.WriteString(`" id="resume_code" name="code" type="text" autocomplete="off" spellcheck="false" value="`)
	web.Escape(w, p.Code)
	w.WriteString(`" aria-describedby="resume_code_hint`)
	if message != "" {
		w.WriteString(" resume_code_error")
	}
	w.WriteString("\">\n      </div>\n")
	text(w, `      <button type="submit" class="govuk-button" data-module="govuk-button">`, survey.Message(lang, "continue"), "</button>\n    </form>\n")
	w.WriteString(columnEnd)
}

func writeHome(w *bytes.Buffer, p homePage) {
	w.WriteString(`
<h1 class="govuk-heading-xl">Surveys</h1>
<p class="govuk-body-l">Self-assessments and consultations of the Children's Trust partnership.</p>
`)
	for _, d := range p.Surveys {
		text(w, `<h2 class="govuk-heading-m">`, d.Title, "</h2>\n<ul class=\"govuk-list\">\n")
		for _, r := range d.Rounds {
			if r.Open {
				w.WriteString(`  <li><a class="govuk-link" href="`)
				web.Href(w, "/s/"+d.ID+"/"+r.ID)
				text(w, `">`, r.Label, `</a> <strong class="govuk-tag govuk-tag--green">Open</strong></li>`+"\n")
			} else {
				text(w, "  <li>", r.Label, ` <strong class="govuk-tag govuk-tag--grey">Closed</strong></li>`+"\n")
			}
		}
		w.WriteString(`  <li><a class="govuk-link" href="`)
		web.Href(w, "/r/"+d.ID)
		text(w, `">Report: `, d.Title, "</a></li>\n</ul>\n")
	}
}
