package mail

import (
	"strings"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Default wording, in plain words, when a survey file's email: block
// leaves a field out.
const (
	DefaultAsking          = "Your Children's Trust"
	DefaultSubject         = "Please answer: {title}"
	DefaultReminderSubject = "Reminder: {title}"
	DefaultBody            = `Hello{name},

{asking} is asking you to answer "{title}".

Your own link is below. Please do not pass it on: it works once, for you.

{link}

{closes}

How your answers are used:
{used}

You were sent this because your organisation gave us your email address for this survey. We do not put your name or email address with your answers. To stop emails about this survey, open this link:
{opt_out}
`
	DefaultReminderBody = `Hello{name},

This is a reminder. {asking} asked you to answer "{title}", and your link has not been used yet. If you have answered already on another link, you can ignore this email.

{link}

{closes}

To stop emails about this survey, open this link:
{opt_out}
`
)

// Fill is what a message's wording is filled with.
type Fill struct {
	Name   string // the contact's name, or empty
	Closes string // "The survey closes on 31 January 2027 17:00.", or empty
	Link   string
	OptOut string
}

// Compose makes the subject and body of a message of kind to a contact,
// from the survey's email wording or the defaults.
func Compose(d *survey.Definition, kind string, f Fill) (subject, body string) {
	var e survey.Email
	if d.Email != nil {
		e = *d.Email
	}
	subject, body = or(e.Subject, DefaultSubject), or(e.Body, DefaultBody)
	if kind == store.MailReminder {
		subject, body = or(e.ReminderSubject, DefaultReminderSubject), or(e.ReminderBody, DefaultReminderBody)
	}
	name := ""
	if f.Name != "" {
		name = " " + f.Name
	}
	r := strings.NewReplacer(
		"{title}", d.Title, "{asking}", or(e.Asking, DefaultAsking), "{name}", name,
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
