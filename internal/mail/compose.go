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
	// Organisation runs the service (IWT_ORGANISATION): who is asking,
	// and the sender's name, when the survey's email: block names no one.
	Organisation string
	// Contact is whom to ask about the survey when its email: block
	// names no one (IWT_CONTACT_EMAIL); empty for none.
	Contact string
}

// From is the name a message from the survey comes from, beside the
// service's address: who is asking (the survey's email.asking, else the
// organisation that runs the service), so that nobody gets an email from
// a bare address.
func From(d *survey.Definition, f Fill) string {
	if d.Email != nil && strings.TrimSpace(d.Email.Asking) != "" {
		return strings.TrimSpace(d.Email.Asking)
	}
	return strings.TrimSpace(f.Organisation)
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
	takes, ask := "", ""
	if t := strings.TrimSpace(d.TimeToComplete); t != "" {
		takes = survey.Message(d.Lang, "email-takes", t)
	}
	if who := or(e.Contact, f.Contact); strings.TrimSpace(who) != "" {
		ask = survey.Message(d.Lang, "email-ask", strings.TrimSpace(who))
	}
	r := strings.NewReplacer(
		"{title}", d.Title, "{asking}", or(e.Asking, or(f.Organisation, word("email-asking"))), "{name}", name,
		"{takes}", takes, "{ask}", ask,
		"{closes}", f.Closes, "{link}", f.Link, "{opt_out}", f.OptOut,
		"{used}", strings.TrimSpace(d.HowAnswersAreUsed),
	)
	// A subject is one line, whatever a survey file says.
	subject = strings.Join(strings.Fields(r.Replace(subject)), " ")
	// A sentence left empty (no time given, no one to ask) leaves no
	// gap of its own.
	body = r.Replace(body)
	for strings.Contains(body, "\n\n\n") {
		body = strings.ReplaceAll(body, "\n\n\n", "\n\n")
	}
	return subject, body
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
