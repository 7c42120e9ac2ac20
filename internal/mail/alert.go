package mail

import (
	"context"
	"fmt"
	"strings"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// A safeguarding alert tells a survey's safeguarding lead, at once, that
// a child's answer was flagged (survey.Definition.Flagged). It goes
// through the queue like any message, so it is retried and sent by one
// instance of many, but it has no contact: its address is the survey's
// safeguarding_lead, or the service's (Worker.Safeguarding). It holds no
// answer and nothing about who wrote it, only where to sign in and read
// it, because email is forwarded, read on phones and kept for years.

// AlertPrefix begins the id of a response's alert: one alert per
// response, however often its sending is repeated.
const AlertPrefix = "alert/"

// Alert is the queued alert for a response just stored.
func Alert(r survey.Response) store.MailMessage {
	return store.MailMessage{
		ID: AlertPrefix + r.Reference, SurveyID: r.SurveyID, Round: r.Round, Kind: store.MailAlert,
		NextAttempt: r.Submitted, Created: r.Submitted,
	}
}

// AlertReference is the response reference an alert is about.
func AlertReference(m store.MailMessage) string { return strings.TrimPrefix(m.ID, AlertPrefix) }

// reasonNoLead: neither the survey nor the service names an address.
const reasonNoLead = "not sent: no safeguarding address is set (the survey's safeguarding_lead or IWT_SAFEGUARDING_EMAIL)"

// SafeguardingPath is the staff page where flagged answers are read.
const SafeguardingPath = "/staff/safeguarding"

// alertTo is the address an alert about survey d goes to, and whose it
// is, in words for the audit log (which never holds an address).
func (w *Worker) alertTo(d *survey.Definition) (to, whose string) {
	if d != nil && d.SafeguardingLead != "" {
		return d.SafeguardingLead, "the survey's safeguarding lead"
	}
	if w.Safeguarding != "" {
		return w.Safeguarding, "the service's safeguarding address"
	}
	return "", ""
}

// sendAlert sends an alert, whether or not its round is still open: a
// child's answer does not stop needing a read when the round closes.
func (w *Worker) sendAlert(ctx context.Context, m store.MailMessage) (string, error) {
	d, _ := w.Surveys.Survey(m.SurveyID)
	to, _ := w.alertTo(d)
	if to == "" {
		w.log().Error("mail: a safeguarding alert cannot be sent: set safeguarding_lead in the survey file or IWT_SAFEGUARDING_EMAIL", "survey", m.SurveyID)
		return reasonNoLead, nil
	}
	subject, body := ComposeAlert(d, m, w.Links.Page(SafeguardingPath))
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return "", w.Sender.Send(sendCtx, Message{ID: m.ID, To: to, Subject: subject, Body: body})
}

// ComposeAlert is the subject and body of an alert: the survey, the
// round and the day, and the link to sign in. Nothing a respondent wrote
// or chose is in it, nor the response's reference.
func ComposeAlert(d *survey.Definition, m store.MailMessage, link string) (subject, body string) {
	title, round := m.SurveyID, m.Round
	if d != nil {
		title = d.Title
		if r, ok := d.Round(m.Round); ok {
			round = r.Label
		}
	}
	when := m.Created.In(rounds.London)
	subject = "Safeguarding: an answer to read in " + title
	body = fmt.Sprintf(`An answer to the survey "%s" (%s), sent on %s at %s (UK time), contains a word on the survey's safeguarding list.

Please sign in and read it as soon as you can:

%s

This email holds no answer and nothing about who wrote it. The service only flags answers for a person to read: it makes no judgement.
`, title, round, survey.Date("en", when), when.Format("15:04"), link)
	return subject, body
}

// auditAlert records an alert that was sent or given up, by reference,
// and to whom in words, never the address.
func (w *Worker) auditAlert(ctx context.Context, m store.MailMessage) {
	d, _ := w.Surveys.Survey(m.SurveyID)
	_, whose := w.alertTo(d)
	action := "sent safeguarding alert"
	target := fmt.Sprintf("%s/%s %s to %s", m.SurveyID, m.Round, AlertReference(m), whose)
	if m.State == store.MailFailed {
		action = "safeguarding alert not sent"
		target = fmt.Sprintf("%s/%s %s: %s", m.SurveyID, m.Round, AlertReference(m), m.Reason)
	}
	if err := w.Store.Audit(context.WithoutCancel(ctx), store.AuditEntry{At: w.now(), Action: action, Target: target}); err != nil {
		w.log().Error("mail: audit", "error", err)
	}
}
