package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"iwtoolkit/internal/store"
)

// staffSchema is the migration that adds staff accounts, sessions, counters,
// the audit log and secrets.
const staffSchema = `
CREATE TABLE accounts (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	role          TEXT NOT NULL,
	organisation  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created       INTEGER NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created    INTEGER NOT NULL,
	expires    INTEGER NOT NULL
);
CREATE INDEX sessions_by_expires ON sessions (expires);
CREATE TABLE counters (
	key     TEXT PRIMARY KEY,
	n       INTEGER NOT NULL,
	expires INTEGER NOT NULL
);
CREATE INDEX counters_by_expires ON counters (expires);
CREATE TABLE audit (
	id     INTEGER PRIMARY KEY,
	at     INTEGER NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL
);
CREATE INDEX audit_by_at ON audit (at);
CREATE TABLE secrets (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
`

// CreateAccount stores a new account; a taken email is ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	_, err := s.write.ExecContext(ctx, `
INSERT INTO accounts (id, email, name, role, organisation, password_hash, created, disabled)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, store.NormaliseEmail(a.Email), a.Name, a.Role, a.Organisation, a.PasswordHash, a.Created.UnixMilli(), a.Disabled)
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return errorf("sqlite: create account %s: %w", store.NormaliseEmail(a.Email), store.ErrConflict)
	}
	if err != nil {
		return errorf("sqlite: create account: %w", err)
	}
	return nil
}

const accountColumns = `id, email, name, role, organisation, password_hash, created, disabled`

// Account returns an account by id.
func (s *Store) Account(ctx context.Context, id string) (store.Account, error) {
	a, err := scanAccount(s.read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	if err != nil {
		return store.Account{}, errorf("sqlite: account: %w", err)
	}
	return a, nil
}

// AccountByEmail returns an account by email, in any case.
func (s *Store) AccountByEmail(ctx context.Context, email string) (store.Account, error) {
	a, err := scanAccount(s.read.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE email = ?`, store.NormaliseEmail(email)))
	if err != nil {
		return store.Account{}, errorf("sqlite: account by email: %w", err)
	}
	return a, nil
}

// Accounts returns every account by email.
func (s *Store) Accounts(ctx context.Context) ([]store.Account, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY email`)
	if err != nil {
		return nil, errorf("sqlite: accounts: %w", err)
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, errorf("sqlite: accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: accounts: %w", err)
	}
	return out, nil
}

func scanAccount(row interface{ Scan(...any) error }) (store.Account, error) {
	var a store.Account
	var created int64
	err := row.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.Organisation, &a.PasswordHash, &created, &a.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Account{}, store.ErrNotFound
	}
	if err != nil {
		return store.Account{}, err
	}
	a.Created = time.UnixMilli(created).UTC()
	return a, nil
}

// CreateSession stores a session, and clears out sessions that have
// expired, so that the table does not grow without end.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires < ?`, sess.Created.UnixMilli()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, account_id, created, expires) VALUES (?, ?, ?, ?)`,
			sess.TokenHash, sess.AccountID, sess.Created.UnixMilli(), sess.Expires.UnixMilli())
		return err
	})
	if err != nil {
		return errorf("sqlite: create session: %w", err)
	}
	return nil
}

// Session returns a session by its token hash.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	sess := store.Session{TokenHash: tokenHash}
	var created, expires int64
	err := s.read.QueryRowContext(ctx, `SELECT account_id, created, expires FROM sessions WHERE token_hash = ?`, tokenHash).
		Scan(&sess.AccountID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, errorf("sqlite: session: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Session{}, errorf("sqlite: session: %w", err)
	}
	sess.Created, sess.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return sess, nil
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// DeleteOtherSessions deletes an account's sessions but one.
func (s *Store) DeleteOtherSessions(ctx context.Context, accountID, keep string) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ? AND token_hash != ?`, accountID, keep); err != nil {
		return errorf("sqlite: delete other sessions: %w", err)
	}
	return nil
}

// Increment clears expired counters and adds one to a counter, in one
// transaction: one of a group, as every respondent's post counts one
// (batch.go). Counted twice when a caller gives up just as it commits is
// harmless to a limit.
func (s *Store) Increment(ctx context.Context, key string, now, expires time.Time) (int64, error) {
	var n int64
	err := s.batch.do(ctx, nil, func(ctx context.Context, tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM counters WHERE expires <= ?`, now.UnixMilli()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `
INSERT INTO counters (key, n, expires) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET n = n + 1
RETURNING n`, key, expires.UnixMilli()).Scan(&n)
	})
	if err != nil {
		return 0, errorf("sqlite: increment: %w", err)
	}
	return n, nil
}

// Count returns a counter's value, or 0 when it is absent or expired.
func (s *Store) Count(ctx context.Context, key string, now time.Time) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT n FROM counters WHERE key = ? AND expires > ?`, key, now.UnixMilli()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, errorf("sqlite: count: %w", err)
	}
	return n, nil
}

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e store.AuditEntry) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO audit (at, actor, action, target) VALUES (?, ?, ?, ?)`,
		e.At.UnixMilli(), e.Actor, e.Action, e.Target)
	if err != nil {
		return errorf("sqlite: audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT at, actor, action, target FROM audit ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, errorf("sqlite: audit log: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var at int64
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Target); err != nil {
			return nil, errorf("sqlite: audit log: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, errorf("sqlite: audit log: %w", err)
	}
	return out, nil
}

// Secret returns a named random value, creating it if it is absent: the
// insert does nothing when another caller got there first, and the read
// that follows sees whichever value won.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	v := make([]byte, 32)
	rand.Read(v)
	if _, err := s.write.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, v); err != nil {
		return nil, errorf("sqlite: secret %s: %w", name, err)
	}
	var got []byte
	if err := s.write.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&got); err != nil {
		return nil, errorf("sqlite: secret %s: %w", name, err)
	}
	return got, nil
}
