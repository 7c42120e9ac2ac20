package store

import (
	"context"
	"strconv"
	"time"

	"iwtoolkit/internal/survey"
)

// Contact is one person on a round's contact list: the only place the
// service keeps an email address of someone invited. Contacts are kept
// apart from responses (their own table or collection), are never logged
// and are deleted with the round's responses when its retention passes,
// or by an administrator at any time.
type Contact struct {
	ID           string // random; also the message ids' prefix (MailID)
	SurveyID     string
	Round        string
	Organisation string
	Email        string // as NormaliseEmail gives it
	Name         string // optional
	// Language is the code of the language the contact's emails are
	// written in (see survey.Languages); empty for English.
	Language string
	// InvitationKey is the key of the contact's invitation (its token's
	// hash), so that whether it was used can be known without answers.
	InvitationKey string
	OptedOut      bool // no further email for this round; no reason is kept
	Created       time.Time
}

// ContactState is a contact and what its invitation and messages say.
type ContactState struct {
	Contact
	Used      bool // a response came through the contact's invitation
	Reminders int  // reminder messages made for the contact, in any state
	Pending   bool // a message to the contact is still queued
	// Refused: a message to the contact failed because the mail server
	// refused the address for good (its reason begins ReasonRefused), so
	// no reminder is worth sending.
	Refused bool
}

// ReasonOptedOut is the reason of a message not sent because its contact
// opted out: the store's, for those queued when they did, and the
// sender's, for one claimed just before.
const ReasonOptedOut = "opted out"

// ReasonRefused begins the reason of a message the mail server refused
// for good (a 5xx answer), as the sender records it.
const ReasonRefused = "refused for good: "

// A mail message's states.
const (
	MailQueued = "queued" // waiting to be sent, or being sent under a lease
	MailSent   = "sent"
	MailFailed = "failed" // given up, with a reason
)

// A mail message's kinds.
const (
	MailInvitation = "invitation"
	MailReminder   = "reminder"
	// MailAlert tells a survey's safeguarding lead that an answer was
	// flagged for review. It has no contact (ContactID is empty): the
	// worker reads the address from the survey or the service's setting
	// when it sends, and the message holds no answer.
	MailAlert = "safeguarding alert"
)

// MailMessage is one email in the queue. It holds no address: the worker
// reads the contact when it sends, so a contact deleted or opted out is
// not written to. An alert (MailAlert) has no contact.
type MailMessage struct {
	ID           string // MailID: one id per contact and number, so a message is queued once
	ContactID    string
	SurveyID     string
	Round        string
	Organisation string
	Kind         string // MailInvitation or MailReminder
	State        string
	Attempts     int       // claims so far
	NextAttempt  time.Time // not claimed before this
	LeasedUntil  time.Time // claimed by Owner until this
	Owner        string    // the worker that holds the lease
	Reason       string    // why the last attempt failed, or why the message failed
	Created      time.Time
	Finished     time.Time // when it was sent or failed
}

// MailID is the id of a contact's n-th message: 0 the invitation, 1 the
// first reminder and so on. Ids made this way make a second queueing of
// the same message (two instances, two clicks) store nothing.
func MailID(contactID string, n int) string {
	return contactID + "/" + strconv.Itoa(n)
}

// MailCount is how many messages of a kind are in a state, per
// organisation, and, unless sent, per reason: why they failed, or why
// the last attempt at those waiting failed (empty when none has).
type MailCount struct {
	Organisation, Kind, State, Reason string
	N                                 int
}

// Contacts is the part of the contract that keeps contact lists and the
// mail queue.
type Contacts interface {
	// AddContacts stores contacts with their invitations and first
	// messages, all or none.
	AddContacts(ctx context.Context, cs []Contact, invs []survey.Invitation, msgs []MailMessage) error
	// Contact returns the contact with the given id, or ErrNotFound.
	Contact(ctx context.Context, id string) (Contact, error)
	// RoundContacts calls fn for each contact of a round, oldest first.
	RoundContacts(ctx context.Context, surveyID, round string, fn func(ContactState) error) error
	// OptOut marks a contact as wanting no more email for its round and
	// fails its queued messages (ReasonOptedOut), or returns ErrNotFound.
	OptOut(ctx context.Context, id string, now time.Time) error
	// QueueMail adds messages to the queue and says how many it added. A
	// message whose id is queued already, or whose contact opted out or is
	// gone, is not added; one with no contact (an alert) needs none.
	QueueMail(ctx context.Context, msgs []MailMessage) (int, error)
	// ClaimMail leases up to limit queued messages due at now to owner
	// until now+lease, counting an attempt for each, and returns them. A
	// message is claimed by one caller at a time, from any number of
	// instances; one whose lease ran out may be claimed again. The mail
	// stored with responses (Submit) is among those it claims.
	ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]MailMessage, error)
	// FinishMail records the outcome of an attempt: m.State MailSent or
	// MailFailed (with m.Reason), or MailQueued again to be retried at
	// m.NextAttempt (with the failure in m.Reason). It returns ErrConflict
	// if m.Owner no longer holds the message's lease.
	FinishMail(ctx context.Context, m MailMessage, now time.Time) error
	// MailCounts counts a round's messages to its contacts (not alerts)
	// by organisation, kind, state and reason (empty for those sent), in
	// that order.
	MailCounts(ctx context.Context, surveyID, round string) ([]MailCount, error)
	// DeleteContacts deletes a round's contacts of one organisation (all
	// organisations when organisation is empty) with their messages (and,
	// for all organisations, the round's alerts), and
	// says how many contacts it deleted. Their invitations stay, so that
	// links already sent keep working until the round closes.
	DeleteContacts(ctx context.Context, surveyID, round, organisation string) (int, error)
	// AllContacts calls fn for every contact, oldest first (the export).
	AllContacts(ctx context.Context, fn func(Contact) error) error
}
