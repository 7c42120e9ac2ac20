package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// contactsSchema is migration 10: contact lists, kept in a table of their
// own away from responses, and the mail queue. A message holds no
// address; its contact's row does, and deleting the contacts deletes
// their messages.
const contactsSchema = `
CREATE TABLE contacts (
	id             TEXT PRIMARY KEY,
	survey_id      TEXT NOT NULL,
	round          TEXT NOT NULL,
	organisation   TEXT NOT NULL,
	email          TEXT NOT NULL,
	name           TEXT NOT NULL,
	invitation_key TEXT NOT NULL,
	opted_out      INTEGER NOT NULL DEFAULT 0,
	created        INTEGER NOT NULL
);
CREATE INDEX contacts_by_round ON contacts (survey_id, round, created);
CREATE TABLE mail (
	id            TEXT PRIMARY KEY,
	contact_id    TEXT NOT NULL,
	survey_id     TEXT NOT NULL,
	round         TEXT NOT NULL,
	organisation  TEXT NOT NULL,
	kind          TEXT NOT NULL,
	state         TEXT NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	next_attempt  INTEGER NOT NULL,
	leased_until  INTEGER NOT NULL DEFAULT 0,
	owner         TEXT NOT NULL DEFAULT '',
	reason        TEXT NOT NULL DEFAULT '',
	created       INTEGER NOT NULL,
	finished      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_due ON mail (state, next_attempt);
CREATE INDEX mail_by_contact ON mail (contact_id);
CREATE INDEX mail_by_round ON mail (survey_id, round);
`

// AddContacts stores contacts, invitations and messages in one transaction.
func (s *Store) AddContacts(ctx context.Context, cs []store.Contact, invs []survey.Invitation, msgs []store.MailMessage) error {
	err := s.inTx(ctx, func(tx *txn) error {
		for _, inv := range invs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (key, survey_id, round, organisation, respondent_key, created) VALUES (?, ?, ?, ?, ?, ?)`,
				inv.Key, inv.SurveyID, inv.Round, inv.Organisation, inv.RespondentKey, inv.Created.UnixMilli()); err != nil {
				return err
			}
		}
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (`+contactColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				c.ID, c.SurveyID, c.Round, c.Organisation, c.Email, c.Name, c.Language, c.InvitationKey, c.OptedOut, millis(c.Created)); err != nil {
				return err
			}
		}
		for _, m := range msgs {
			if _, err := insertMail(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return errorf("sqlite: add contacts: %w", err)
	}
	return nil
}

// insertMail adds a message unless its id is taken or its contact opted
// out or is gone; an alert has no contact.
func insertMail(ctx context.Context, tx *txn, m store.MailMessage) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO mail (id, contact_id, survey_id, round, organisation, kind, state, next_attempt, created)
SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE ? = '' OR EXISTS (SELECT 1 FROM contacts WHERE id = ? AND opted_out = 0)
ON CONFLICT (id) DO NOTHING`,
		m.ID, m.ContactID, m.SurveyID, m.Round, m.Organisation, m.Kind, store.MailQueued, millis(m.NextAttempt), millis(m.Created), m.ContactID, m.ContactID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

const contactColumns = `id, survey_id, round, organisation, email, name, language, invitation_key, opted_out, created`

// contactLanguageSchema adds the language of a contact's emails.
const contactLanguageSchema = `ALTER TABLE contacts ADD COLUMN language TEXT NOT NULL DEFAULT '';`

func scanContact(row interface{ Scan(...any) error }, extra ...any) (store.Contact, error) {
	var c store.Contact
	var created int64
	err := row.Scan(append([]any{&c.ID, &c.SurveyID, &c.Round, &c.Organisation, &c.Email, &c.Name, &c.Language, &c.InvitationKey, &c.OptedOut, &created}, extra...)...)
	c.Created = fromMillis(created)
	return c, err
}

// Contact returns a contact by id.
func (s *Store) Contact(ctx context.Context, id string) (store.Contact, error) {
	c, err := scanContact(s.read.QueryRowContext(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Contact{}, errorf("sqlite: contact: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Contact{}, errorf("sqlite: contact: %w", err)
	}
	return c, nil
}

// RoundContacts calls fn for each contact of a round with its state.
func (s *Store) RoundContacts(ctx context.Context, surveyID, round string, fn func(store.ContactState) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+contactColumns+`,
	EXISTS (SELECT 1 FROM invitation_uses u WHERE u.key = contacts.invitation_key),
	(SELECT count(*) FROM mail m WHERE m.contact_id = contacts.id AND m.kind = 'reminder'),
	EXISTS (SELECT 1 FROM mail m WHERE m.contact_id = contacts.id AND m.state = 'queued'),
	EXISTS (SELECT 1 FROM mail m WHERE m.contact_id = contacts.id AND m.state = 'failed' AND substr(m.reason, 1, ?) = ?)
FROM contacts WHERE survey_id = ? AND round = ? ORDER BY created, id`, len(store.ReasonRefused), store.ReasonRefused, surveyID, round)
	if err != nil {
		return errorf("sqlite: round contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st store.ContactState
		c, err := scanContact(rows, &st.Used, &st.Reminders, &st.Pending, &st.Refused)
		if err != nil {
			return errorf("sqlite: round contacts: %w", err)
		}
		st.Contact = c
		if err := fn(st); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OptOut marks a contact opted out and fails its queued messages.
func (s *Store) OptOut(ctx context.Context, id string, now time.Time) error {
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE contacts SET opted_out = 1 WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, store.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE mail SET state = 'failed', reason = ?, owner = '', leased_until = 0, finished = ? WHERE contact_id = ? AND state = 'queued'`, store.ReasonOptedOut, millis(now), id)
		return err
	})
	if err != nil {
		return errorf("sqlite: opt out: %w", err)
	}
	return nil
}

// QueueMail adds messages, skipping those already there.
func (s *Store) QueueMail(ctx context.Context, msgs []store.MailMessage) (int, error) {
	var added int64
	err := s.inTx(ctx, func(tx *txn) error {
		added = 0
		for _, m := range msgs {
			n, err := insertMail(ctx, tx, m)
			if err != nil {
				return err
			}
			added += n
		}
		return nil
	})
	if err != nil {
		return 0, errorf("sqlite: queue mail: %w", err)
	}
	return int(added), nil
}

const mailColumns = `id, contact_id, survey_id, round, organisation, kind, state, attempts, next_attempt, leased_until, owner, reason, created, finished`

func scanMail(row interface{ Scan(...any) error }) (store.MailMessage, error) {
	var m store.MailMessage
	var next, leased, created, finished int64
	err := row.Scan(&m.ID, &m.ContactID, &m.SurveyID, &m.Round, &m.Organisation, &m.Kind, &m.State, &m.Attempts, &next, &leased, &m.Owner, &m.Reason, &created, &finished)
	m.NextAttempt, m.Created = fromMillis(next), fromMillis(created)
	if leased != 0 {
		m.LeasedUntil = fromMillis(leased)
	}
	if finished != 0 {
		m.Finished = fromMillis(finished)
	}
	return m, err
}

// ClaimMail leases due messages in one statement on the one write
// connection, so that no two callers get the same message.
func (s *Store) ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.MailMessage, error) {
	var out []store.MailMessage
	err := s.inTx(ctx, func(tx *txn) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `UPDATE mail SET owner = ?, leased_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM mail WHERE state = 'queued' AND next_attempt <= ? AND leased_until <= ? ORDER BY next_attempt, id LIMIT ?)
RETURNING `+mailColumns, owner, millis(now.Add(lease)), millis(now), millis(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, errorf("sqlite: claim mail: %w", err)
	}
	return out, nil
}

// FinishMail records an attempt's outcome if owner still holds the lease.
func (s *Store) FinishMail(ctx context.Context, m store.MailMessage, now time.Time) error {
	var finished int64
	if m.State != store.MailQueued {
		finished = millis(now)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE mail SET state = ?, reason = ?, next_attempt = ?, owner = '', leased_until = 0, finished = ?
WHERE id = ? AND owner = ? AND state = 'queued'`, m.State, m.Reason, millis(m.NextAttempt), finished, m.ID, m.Owner)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, store.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return errorf("sqlite: finish mail: %w", err)
	}
	return nil
}

// MailCounts counts a round's messages to contacts.
func (s *Store) MailCounts(ctx context.Context, surveyID, round string) ([]store.MailCount, error) {
	rows, err := s.read.QueryContext(ctx, `
SELECT organisation, kind, state, CASE state WHEN 'sent' THEN '' ELSE reason END AS why, count(*)
FROM mail WHERE survey_id = ? AND round = ? AND contact_id != '' GROUP BY organisation, kind, state, why ORDER BY organisation, kind, state, why`, surveyID, round)
	if err != nil {
		return nil, errorf("sqlite: mail counts: %w", err)
	}
	defer rows.Close()
	var out []store.MailCount
	for rows.Next() {
		var c store.MailCount
		if err := rows.Scan(&c.Organisation, &c.Kind, &c.State, &c.Reason, &c.N); err != nil {
			return nil, errorf("sqlite: mail counts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// DeleteContacts deletes a round's contacts and their messages.
func (s *Store) DeleteContacts(ctx context.Context, surveyID, round, organisation string) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		where := `survey_id = ? AND round = ? AND (? = '' OR organisation = ?)`
		if _, err := tx.ExecContext(ctx, `DELETE FROM mail WHERE `+where, surveyID, round, organisation, organisation); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE `+where, surveyID, round, organisation, organisation)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, errorf("sqlite: delete contacts: %w", err)
	}
	return int(n), nil
}

// AllContacts calls fn for every contact, oldest first.
func (s *Store) AllContacts(ctx context.Context, fn func(store.Contact) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+contactColumns+` FROM contacts ORDER BY created, id`)
	if err != nil {
		return errorf("sqlite: all contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return errorf("sqlite: all contacts: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}
