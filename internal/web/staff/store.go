package staff

import (
	"context"
	"iwtoolkit/internal/mail"
	"time"

	"iwtoolkit/internal/publish"
	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
	"iwtoolkit/internal/versions"
)

// Store is what the staff pages need of a store.
type Store interface {
	rounds.States
	versions.Store // survey versions: see surveyversions.go
	publish.Completions
	// Accounts and signing in.
	CreateAccount(ctx context.Context, a store.Account) error
	Account(ctx context.Context, id string) (store.Account, error)
	AccountByEmail(ctx context.Context, email string) (store.Account, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	SetAccountDisabled(ctx context.Context, id string, disabled bool) error
	SetPasswordHash(ctx context.Context, id, hash string) error
	DeleteOtherSessions(ctx context.Context, accountID, keep string) error
	Increment(ctx context.Context, key string, now, expires time.Time) (int64, error)
	Count(ctx context.Context, key string, now time.Time) (int64, error)
	AuditLog(ctx context.Context, limit int) ([]store.AuditEntry, error)
	// Rounds, erasure and retention.
	SetRoundState(ctx context.Context, r store.RoundState) error
	AddRound(ctx context.Context, r store.RoundState) error
	CountResponses(ctx context.Context, surveyID, round string) (int, error)
	Response(ctx context.Context, reference string) (survey.Response, error)
	DeleteResponse(ctx context.Context, reference string) error
	DeleteResponses(ctx context.Context, surveyID, round string) (int, error)
	// Invitations, the safeguarding review and the export.
	CreateInvitations(ctx context.Context, invs []survey.Invitation) error
	Invitations(ctx context.Context, surveyID, round string, fn func(survey.Invitation) error) error
	EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error
	AllResponses(ctx context.Context, fn func(survey.Response) error) error
	AllInvitations(ctx context.Context, fn func(inv survey.Invitation, used bool) error) error
	AllAudit(ctx context.Context, fn func(store.AuditEntry) error) error
	Ping(ctx context.Context) error
	// Contact lists and the mail queue (contacts.go), and what sending
	// needs besides.
	mail.Store
}
