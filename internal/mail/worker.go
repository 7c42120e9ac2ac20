package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Worker takes messages from the store's queue and sends them. Several
// workers, in one instance or many, share one queue: each message is
// leased to one of them at a time (store.Contacts.ClaimMail). A worker
// that stops mid-send leaves its messages leased; when the lease runs
// out another sends them, so nothing is lost. (A worker stopped after the
// mail server took a message but before it recorded so would have it
// sent again: the lease is far longer than a send may take, so only a
// crash in that moment does it.)
type Worker struct {
	Store   Store
	Sender  Sender
	Surveys *survey.Catalogue
	Links   *Links
	Log     *slog.Logger
	// Safeguarding is the service's address for safeguarding alerts, for
	// a survey that names no safeguarding lead (IWT_SAFEGUARDING_EMAIL).
	Safeguarding string
	// Organisation runs the service (IWT_ORGANISATION) and Contact is
	// its address (IWT_CONTACT_EMAIL): who is asking, and whom to ask,
	// in emails whose survey names neither.
	Organisation, Contact string
	Owner                 string           // unique per worker: host, process and a random part
	Now                   func() time.Time // the clock; time.Now when nil
	// Lease is how long a claimed message is the worker's alone;
	// DefaultLease when zero. It must be well over a send's timeout.
	Lease time.Duration
	// Batch is how many messages one claim takes; 10 when zero.
	Batch int
	// MaxAttempts is how many times a message is tried before it is given
	// up; DefaultMaxAttempts when zero.
	MaxAttempts int
	// Backoff is how long to wait after the n-th failed attempt;
	// DefaultBackoff when nil.
	Backoff func(n int) time.Duration

	wakeOnce sync.Once
	wake     chan struct{} // Wake's: one pass asked for, at most
}

// Defaults of a Worker.
const (
	DefaultLease       = 10 * time.Minute
	DefaultMaxAttempts = 8
	sendTimeout        = 2 * time.Minute
)

// DefaultBackoff waits one minute after the first failure, doubling to at
// most an hour: eight attempts span about four hours, long enough for a
// mail server's restart or a night's maintenance.
func DefaultBackoff(n int) time.Duration {
	d := time.Minute << min(n-1, 6)
	return min(d, time.Hour)
}

// NewOwner makes a worker name from a prefix (a host name) and a random
// part, so that two processes never share one.
func NewOwner(prefix string) string { return prefix + "-" + randomHex(6) }

// Result counts what one pass did.
type Result struct{ Sent, Failed, Retried int }

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

// Once claims a batch of due messages and handles each: sent, retried
// later, or given up with a reason. It returns when the batch is done.
func (w *Worker) Once(ctx context.Context) (Result, error) {
	var res Result
	lease, batch, maxAttempts, backoff := w.Lease, w.Batch, w.MaxAttempts, w.Backoff
	if lease == 0 {
		lease = DefaultLease
	}
	if batch == 0 {
		batch = 10
	}
	if maxAttempts == 0 {
		maxAttempts = DefaultMaxAttempts
	}
	if backoff == nil {
		backoff = DefaultBackoff
	}
	msgs, err := w.Store.ClaimMail(ctx, w.Owner, w.now(), lease, batch)
	if err != nil {
		return res, err
	}
	for _, m := range msgs {
		reason, sendErr := w.send(ctx, m)
		switch {
		case sendErr == nil && reason == "":
			m.State = store.MailSent
			res.Sent++
		case sendErr == nil:
			m.State, m.Reason = store.MailFailed, reason
			res.Failed++
		case errors.Is(sendErr, ErrRejected):
			m.State, m.Reason = store.MailFailed, store.ReasonRefused+sendErr.Error()
			res.Failed++
		case m.Attempts >= maxAttempts:
			m.State, m.Reason = store.MailFailed, fmt.Sprintf(reasonGaveUp+"%d attempts: %v", m.Attempts, sendErr)
			res.Failed++
		default:
			m.State, m.Reason, m.NextAttempt = store.MailQueued, sendErr.Error(), w.now().Add(backoff(m.Attempts))
			res.Retried++
		}
		if ctx.Err() != nil && m.State != store.MailSent {
			return res, ctx.Err() // stopping: the lease runs out and another worker sends it
		}
		finish, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := w.Store.FinishMail(finish, m, w.now())
		cancel()
		if errors.Is(err, store.ErrConflict) {
			w.log().Warn("mail: a message's lease ran out while it was sent; it may be sent twice", "message", m.ID)
			continue
		}
		if err != nil {
			return res, err
		}
		if m.Kind == store.MailAlert && m.State != store.MailQueued {
			w.auditAlert(ctx, m)
		}
	}
	if res != (Result{}) {
		w.log().Info("mail: sent a batch", "sent", res.Sent, "failed", res.Failed, "retried", res.Retried)
		w.audit(ctx, msgs, res)
	}
	return res, nil
}

// audit records a batch's counts per round, never an address.
func (w *Worker) audit(ctx context.Context, msgs []store.MailMessage, res Result) {
	byRound := map[string]int{}
	var order []string
	for _, m := range msgs {
		k := m.SurveyID + "/" + m.Round
		if byRound[k] == 0 {
			order = append(order, k)
		}
		byRound[k]++
	}
	target := fmt.Sprintf("%d sent, %d failed, %d to retry:", res.Sent, res.Failed, res.Retried)
	for _, k := range order {
		target += fmt.Sprintf(" %s (%d)", k, byRound[k])
	}
	if err := w.Store.Audit(context.WithoutCancel(ctx), store.AuditEntry{At: w.now(), Action: "sent email", Target: target}); err != nil {
		w.log().Error("mail: audit", "error", err)
	}
}

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}

// Why a message was not sent, as the queue keeps it.
const (
	reasonDeleted  = "not sent: the contact was deleted"
	reasonNoSurvey = "not sent: the survey is no longer served"
	reasonClosed   = "not sent: the round is closed"
	reasonUsed     = "not sent: the invitation was used"
	reasonGaveUp   = "gave up after "
)

// ReasonInWords is a message's reason (store.MailMessage.Reason) in a few
// plain groups, which staff of any organisation may read: the mail
// server's own words can name hosts and addresses inside the council's
// network, and differ from message to message.
func ReasonInWords(reason string) string {
	switch {
	case reason == "":
		return ""
	case reason == store.ReasonOptedOut:
		return "The person asked for no more emails"
	case reason == reasonDeleted:
		return "The contact list was deleted"
	case reason == reasonNoSurvey:
		return "The survey is no longer served"
	case reason == reasonClosed:
		return "The round closed first"
	case reason == reasonUsed:
		return "Not needed: their link has been used"
	case strings.HasPrefix(reason, reasonGaveUp):
		return "The mail server could not be reached, or kept refusing, so it was given up"
	case reason == reasonNoLead:
		return "No safeguarding address is set"
	case strings.HasPrefix(reason, store.ReasonRefused):
		return "The mail server refused the address"
	}
	return "The mail server could not be reached, or refused for now"
}

// send sends one message. It returns a reason when the message is not to
// be sent at all (the contact opted out or is gone, the round closed, a
// reminder to someone who has answered), or the transport's error.
func (w *Worker) send(ctx context.Context, m store.MailMessage) (string, error) {
	if m.Kind == store.MailAlert {
		return w.sendAlert(ctx, m)
	}
	c, err := w.Store.Contact(ctx, m.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return reasonDeleted, nil
	}
	if err != nil {
		return "", err
	}
	if c.OptedOut {
		return store.ReasonOptedOut, nil
	}
	d, ok := w.Surveys.Survey(m.SurveyID)
	if !ok {
		return reasonNoSurvey, nil
	}
	r, ok, err := rounds.One(ctx, w.Store, d, m.Round, w.now())
	if err != nil {
		return "", err
	}
	if !ok || !r.Open {
		return reasonClosed, nil
	}
	if m.Kind == store.MailReminder {
		_, used, err := w.Store.Invitation(ctx, c.InvitationKey)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if used {
			return reasonUsed, nil
		}
	}
	link, err := w.Links.Invitation(ctx, c.ID)
	if err != nil {
		return "", err
	}
	optOut, err := w.Links.OptOut(ctx, c.ID)
	if err != nil {
		return "", err
	}
	// The email, and the survey its link opens, are in the contact's
	// language: the import took only languages the survey is written in.
	d = d.In(c.Language)
	if d.Lang != "en" {
		link += "?lang=" + d.Lang
	}
	closes := ""
	if t := r.State.ClosesAt; !t.IsZero() {
		t = t.In(rounds.London)
		closes = survey.Message(d.Lang, "email-closes", survey.Date(d.Lang, t), t.Format("15:04"))
	}
	fill := Fill{Name: c.Name, Closes: closes, Link: link, OptOut: optOut, Organisation: w.Organisation, Contact: w.Contact}
	subject, body := Compose(d, m.Kind, fill)
	sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	return "", w.Sender.Send(sendCtx, Message{ID: m.ID, To: c.Email, ToName: c.Name, FromName: From(d, fill), Subject: subject, Body: body})
}

// Wake asks Run for a pass now rather than at its next interval: a
// safeguarding alert was just stored, and must not wait. It never blocks;
// asked again before the pass begins, it asks for that one pass.
func (w *Worker) Wake() {
	select {
	case w.woken() <- struct{}{}:
	default:
	}
}

func (w *Worker) woken() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Run sends until ctx is done: a pass every interval, at once when woken
// (Wake), and at once again after a full batch; due scheduled reminders
// are queued every pass.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	wake := w.woken()
	for {
		if _, err := ScheduledReminders(ctx, w.Store, w.Surveys, w.now()); err != nil && ctx.Err() == nil {
			w.log().Error("mail: scheduled reminders", "error", err)
		}
		for ctx.Err() == nil {
			res, err := w.Once(ctx)
			if err != nil && ctx.Err() == nil {
				w.log().Error("mail: send", "error", err)
			}
			if err != nil || res.Sent+res.Failed+res.Retried == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}
