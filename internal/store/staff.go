package store

import (
	"context"
	"strings"
	"time"
)

// Account is a member of staff who signs in: an administrator, an analyst,
// a board viewer or an organisation's co-ordinator. What a role may do is
// package auth's business; the store keeps the role as text.
type Account struct {
	ID           string // random, chosen by the caller; never shown in addresses that others guess
	Email        string // kept in lower case (NormaliseEmail) and unique
	Name         string
	Role         string
	Organisation string // the co-ordinator's organisation; empty for the other roles
	PasswordHash string // argon2id in PHC string format, never the password
	Created      time.Time
	Disabled     bool
}

// NormaliseEmail is the form in which an email address is stored and looked
// up, so that Jo.Bloggs@Example.org and jo.bloggs@example.org are one account.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Session is a signed-in browser. The browser holds a random token; the
// store holds only its SHA-256 (TokenHash), so a copy of the database does
// not let anyone sign in as someone else.
type Session struct {
	TokenHash string
	AccountID string
	Created   time.Time
	Expires   time.Time
}

// AuditEntry records one staff action: who did what, to what, when. It
// never holds answers or anything a respondent wrote.
type AuditEntry struct {
	At     time.Time
	Actor  string // the account's email, or empty for the service itself
	Action string // for example "signed in", "created user"
	Target string // what the action was on, for example an email or a survey id
}

// Staff is the part of the contract that keeps staff accounts and what
// protects them. Several instances of the service on one MongoDB share all
// of it: sessions, counters and secrets included.
type Staff interface {
	// CreateAccount stores a new account. If another account has the same
	// email it returns ErrConflict.
	CreateAccount(ctx context.Context, a Account) error
	// Account returns the account with the given id, or ErrNotFound.
	Account(ctx context.Context, id string) (Account, error)
	// AccountByEmail returns the account with the given email (in any
	// case), or ErrNotFound.
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// Accounts returns every account, ordered by email.
	Accounts(ctx context.Context) ([]Account, error)

	// CreateSession stores a session.
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with the given token hash, or
	// ErrNotFound. It may return a session past its expiry, which the
	// caller must refuse: expired sessions are removed in the background.
	Session(ctx context.Context, tokenHash string) (Session, error)
	// DeleteSession removes a session; removing one that is not there is
	// not an error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteOtherSessions signs an account out everywhere but the session
	// kept (none when keep is ""), after its password changes.
	DeleteOtherSessions(ctx context.Context, accountID, keep string) error

	// Increment adds one to the counter with the given key, creating it
	// with the given expiry if it is absent or expired at now, and returns
	// its new value. It is atomic, so that instances sharing a store count
	// together. Callers build fixed windows by putting the window's start
	// in the key.
	Increment(ctx context.Context, key string, now, expires time.Time) (int64, error)
	// Count returns the value of a counter, or 0 if it is absent or
	// expired at now.
	Count(ctx context.Context, key string, now time.Time) (int64, error)

	// Audit appends an entry to the audit log.
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns the newest entries of the audit log, newest first,
	// at most limit of them.
	AuditLog(ctx context.Context, limit int) ([]AuditEntry, error)

	// Secret returns the random 32-byte value called name, creating it the
	// first time any instance asks. Instances that ask at the same time
	// get the same value.
	Secret(ctx context.Context, name string) ([]byte, error)
}
