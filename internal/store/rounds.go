package store

import (
	"context"
	"time"

	"iwtoolkit/internal/survey"
)

// RoundState is what staff have set for one round of one survey. A survey
// file declares its rounds; its `open:` is only their state until staff
// first change it. Rounds that staff add (Added) are not in the file.
type RoundState struct {
	SurveyID string
	Round    string
	Label    string // the label of a round staff added; empty for a round in the file
	Added    bool   // added by staff, not declared in the survey file
	// Open with no schedule is open now. With OpensAt or ClosesAt set, the
	// round is open from OpensAt (when set) until ClosesAt (when set), and
	// only if Open is true.
	Open     bool
	Practice bool // a practice round is kept out of comparisons
	OpensAt  time.Time
	ClosesAt time.Time
	// Reminders is when reminders by email go out in this round.
	Reminders Reminders
	Created   time.Time
	Updated   time.Time
}

// Reminders is a round's schedule of email reminders to the people whose
// invitation has not been used. Until staff set one (Set), a round has
// its survey file's (see package rounds).
type Reminders struct {
	Set bool
	// Days are when reminders go, in days after each person's invitation,
	// ascending: one reminder for each.
	Days []int
	// Most is the most reminders one person is sent in the round, on the
	// schedule and on demand together.
	Most int
}

// OpenAt reports whether the round is open at now.
func (r RoundState) OpenAt(now time.Time) bool {
	if !r.Open {
		return false
	}
	if !r.OpensAt.IsZero() && now.Before(r.OpensAt) {
		return false
	}
	return r.ClosesAt.IsZero() || now.Before(r.ClosesAt)
}

// Admin is the part of the contract behind the administrators' pages:
// running rounds, erasure and retention, exporting everything, and
// changing accounts.
type Admin interface {
	// SetRoundState creates or replaces the state of a round.
	SetRoundState(ctx context.Context, r RoundState) error
	// AddRound stores the state of a new round. If the survey already has a
	// stored state for that round id it returns ErrConflict.
	AddRound(ctx context.Context, r RoundState) error
	// RoundStates returns the stored round states of a survey, or of every
	// survey when surveyID is empty, oldest first.
	RoundStates(ctx context.Context, surveyID string) ([]RoundState, error)
	// CountResponses counts the responses to one round of a survey.
	CountResponses(ctx context.Context, surveyID, round string) (int, error)

	// DeleteResponse deletes the response with the given reference (the
	// right to erasure), or returns ErrNotFound. The invitation it came
	// through stays used, so that the link cannot be used again, and the
	// mail it raised (its safeguarding alert, which holds no answer) stays
	// queued or sent.
	DeleteResponse(ctx context.Context, reference string) error
	// DeleteResponses deletes every response to one round of a survey (a
	// retention date passed) and says how many it deleted.
	DeleteResponses(ctx context.Context, surveyID, round string) (int, error)

	// AllResponses calls fn for every stored response, to every survey,
	// oldest first, and stops at the first error fn returns.
	AllResponses(ctx context.Context, fn func(survey.Response) error) error
	// AllInvitations calls fn for every invitation, with whether a
	// response came through it, oldest first.
	AllInvitations(ctx context.Context, fn func(inv survey.Invitation, used bool) error) error
	// AllAudit calls fn for every entry of the audit log, oldest first.
	AllAudit(ctx context.Context, fn func(AuditEntry) error) error

	// SetAccountDisabled disables or enables an account, or returns
	// ErrNotFound.
	SetAccountDisabled(ctx context.Context, id string, disabled bool) error
	// SetPasswordHash replaces an account's password hash, or returns
	// ErrNotFound.
	SetPasswordHash(ctx context.Context, id, hash string) error
}
