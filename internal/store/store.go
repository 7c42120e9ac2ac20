// Package store holds the storage contract that both stores meet: MongoDB
// (package store/mongo), the production store, and the embedded SQLite store
// (package store/sqlite), the default. The contract test suite in
// store/storetest runs against both.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"iwtoolkit/internal/survey"
)

// Errors the stores return, whatever the database underneath.
var (
	// ErrNotFound: no record has that key.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a unique value (a response reference) is already taken.
	ErrConflict = errors.New("conflict")
	// ErrInvitationUsed: a response came through the invitation already.
	ErrInvitationUsed = errors.New("invitation used")
	// ErrUnavailable: the fault is the store's, not the request's. The
	// database cannot be reached, or cannot write just now: the disk is
	// full or read-only, an I/O error, the database busy past its timeout.
	// Errors that match it keep the database's own message in their chain,
	// for the log. The call may not have taken effect; trying it again later
	// is safe where the call is idempotent, as Submit and SaveDraft are.
	ErrUnavailable = errors.New("the store cannot be reached or cannot write just now; try again")
	// ErrDamaged: the store's data is damaged (a database file with a
	// broken page). Trying again does not help: it must be restored from
	// a backup or repaired (docs/deployment.md). Errors that match it also
	// match ErrUnavailable.
	ErrDamaged = errors.New("the store's data is damaged: restore it from a backup or repair it")
)

// ErrBulkInvitation: SubmitMany was given a response that came through an
// invitation, which only Submit takes (it marks the invitation used).
var ErrBulkInvitation = errors.New("a response through an invitation cannot be stored in bulk")

// CheckBulk checks that SubmitMany can take rs: none came through an
// invitation.
func CheckBulk(rs []survey.Response) error {
	for _, r := range rs {
		if r.Invitation != "" {
			return fmt.Errorf("response %s: %w", r.Reference, ErrBulkInvitation)
		}
	}
	return nil
}

// Store is the storage contract. Times are kept to the millisecond and
// come back in UTC.
type Store interface {
	Staff
	Admin
	Definitions
	SurveyVersions // survey files and which is live: see surveyversions.go
	Board          // the Board pack: see board.go
	Contacts       // contact lists and the mail queue: see contacts.go
	// SaveDraft creates or replaces the draft with d.Key.
	SaveDraft(ctx context.Context, d survey.Draft) error
	// Draft returns the draft with the given key, or ErrNotFound. A draft
	// past its Expires time may still be returned until it is deleted:
	// callers check Expires.
	Draft(ctx context.Context, key string) (survey.Draft, error)
	// DeleteExpiredDrafts deletes every draft whose Expires is before t and
	// says how many it deleted.
	DeleteExpiredDrafts(ctx context.Context, t time.Time) (int, error)
	// Submit stores r whole or not at all and deletes the draft whose key is
	// r.SubmissionKey. If a response with the same SubmissionKey is already
	// stored, Submit stores nothing and returns that response, so a submit
	// repeated for any reason stores one response. If r.Reference is taken by
	// another response it returns ErrConflict and the caller picks another.
	// If r came through an invitation (r.Invitation) that another response
	// came through, it stores nothing and returns ErrInvitationUsed.
	//
	// Once r is durably stored, Submit returns it, whatever happens after:
	// ctx ending, or the work that follows (deleting the draft, counting
	// the response) failing, which is done to a deadline of its own or left
	// for catch-up. An error means nothing was stored (or, where the store
	// cannot tell, nothing it could find: a repeat then returns the stored
	// response). See Stored.
	//
	// queue is the mail r raises (its safeguarding alert), stored in the
	// same write as r: once r is stored its messages are queued, or will
	// be, and ClaimMail claims each once (ids as QueueMail takes them, one
	// per response); if r is not stored, neither are they. A repeated
	// submit queues nothing new. The embedded store puts them in the queue
	// in r's transaction; MongoDB, which has no transactions, keeps them
	// in r's document, and ClaimMail moves them into the queue before it
	// claims, as often as it runs and from any number of instances, each
	// message once (a message id queued already is not queued again).
	Submit(ctx context.Context, r survey.Response, queue ...MailMessage) (survey.Response, error)
	// SubmitMany stores responses in bulk, for seeding and imports, and
	// says how many it stored: each as Submit stores it and counted in the
	// tallies as Submit counts it, but no draft is deleted, and a response
	// that came through an invitation is refused (CheckBulk). A response
	// whose SubmissionKey is stored already (or comes earlier in rs) is
	// skipped, so repeating a call is safe. A reference taken by another
	// response is ErrConflict. The embedded store stores all of rs or none;
	// MongoDB, which has no transactions, may have stored some of rs when
	// it fails, each of them counted or pending and counted by the next
	// read, as after a Submit cut short.
	SubmitMany(ctx context.Context, rs []survey.Response) (int, error)
	// Response returns the response with the given reference, or ErrNotFound.
	Response(ctx context.Context, reference string) (survey.Response, error)
	// SubmittedResponse returns the response stored from the draft with the
	// given key, or ErrNotFound: a respondent who sends the same draft again
	// after it was stored is shown the first confirmation.
	SubmittedResponse(ctx context.Context, submissionKey string) (survey.Response, error)
	// EachResponse calls fn for every response to the survey in the given
	// rounds (all rounds when rounds is empty), oldest first, and stops at
	// the first error fn returns.
	EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
	// EachAnswers is EachResponse giving, of each response, only its
	// answers to keys (values[i] the answer to keys[i], "" for none; the
	// slice is the caller's only until fn returns) and not its Answers or
	// Reference: what the paired comparison reads (report.EachAnswers).
	// Stores read them from each response's closed answers, kept as it is
	// stored (SummaryOf), a tenth of its whole answers.
	EachAnswers(ctx context.Context, surveyID string, rounds []string, keys []string, fn func(r survey.Response, values []string) error) error
	// CreateInvitations stores new invitations.
	CreateInvitations(ctx context.Context, invs []survey.Invitation) error
	// Invitation returns the invitation with the given key, and whether a
	// response came through it, or ErrNotFound.
	Invitation(ctx context.Context, key string) (inv survey.Invitation, used bool, err error)
	// Invitations calls fn for each invitation to a round, oldest first.
	Invitations(ctx context.Context, surveyID, round string, fn func(survey.Invitation) error) error
	// Completion counts a round's invitations and the responses that came
	// through them, by organisation.
	Completion(ctx context.Context, surveyID, round string) ([]survey.Completion, error)
	Tallier      // counts kept as responses are stored: see tally.go
	Publications // what reports show of each round: see publications.go
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close(ctx context.Context) error
}

// storedHook is the context key of OnStored's function.
type storedHook struct{}

// OnStored returns a context under which Submit calls fn at the moment the
// response is stored, before the work that follows it. The contract tests
// use it to end a request's context at the worst moment, which no timing
// could hit reliably; the service never sets it.
func OnStored(ctx context.Context, fn func()) context.Context {
	return context.WithValue(ctx, storedHook{}, fn)
}

// Stored is what a store's Submit calls once the response is stored (in
// its transaction, for a store that has them): it runs OnStored's function,
// if ctx has one.
func Stored(ctx context.Context) {
	if fn, ok := ctx.Value(storedHook{}).(func()); ok {
		fn()
	}
}
