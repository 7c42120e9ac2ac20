package mail

import (
	"strings"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// The default wording, when a survey file's email: block leaves a field
// out, is the service's own words in the contact's language (the
// email-* keys of survey/words).

// Fill is what a message's wording is filled with.
type Fill struct {
	Name   string // the contact's name, or empty
	Closes string // "The survey closes on 31 January 2027 at 17:00 (UK time).", or empty
	Link   string
	OptOut string
}

// Compose makes the subject and body of a message of kind to a contact,
// from the survey's email wording or the defaults, in d's language.
func Compose(d *survey.Definition, kind string, f Fill) (subject, body string) {
	var e survey.Email
	if d.Email != nil {
		e = *d.Email
	}
	word := func(key string) string { return survey.Message(d.Lang, key) }
	subject, body = or(e.Subject, word("email-subject")), or(e.Body, word("email-body"))
	if kind == store.MailReminder {
		subject, body = or(e.ReminderSubject, word("email-reminder-subject")), or(e.ReminderBody, word("email-reminder-body"))
	}
	name := ""
	if f.Name != "" {
		name = " " + f.Name
	}
	r := strings.NewReplacer(
		"{title}", d.Title, "{asking}", or(e.Asking, word("email-asking")), "{name}", name,
		"{closes}", f.Closes, "{link}", f.Link, "{opt_out}", f.OptOut,
		"{used}", strings.TrimSpace(d.HowAnswersAreUsed),
	)
	// A subject is one line, whatever a survey file says.
	subject = strings.Join(strings.Fields(r.Replace(subject)), " ")
	return subject, r.Replace(body)
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
