package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// useInvitation records that r came through its invitation, in Submit's
// transaction: a second response through it finds the use taken.
func useInvitation(ctx context.Context, tx *txn, r survey.Response) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO invitation_uses (key, submission_key) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, r.Invitation, r.SubmissionKey)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(err, store.ErrInvitationUsed)
	}
	return nil
}

// CreateInvitations stores new invitations in one transaction.
func (s *Store) CreateInvitations(ctx context.Context, invs []survey.Invitation) error {
	err := s.inTx(ctx, func(tx *txn) error {
		for _, inv := range invs {
			_, err := tx.ExecContext(ctx, `INSERT INTO invitations (key, survey_id, round, organisation, respondent_key, created) VALUES (?, ?, ?, ?, ?, ?)`,
				inv.Key, inv.SurveyID, inv.Round, inv.Organisation, inv.RespondentKey, inv.Created.UnixMilli())
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return errorf("sqlite: create invitations: %w", err)
	}
	return nil
}

const invitationColumns = `key, survey_id, round, organisation, respondent_key, created`

func scanInvitation(row interface{ Scan(...any) error }) (survey.Invitation, error) {
	var inv survey.Invitation
	var created int64
	err := row.Scan(&inv.Key, &inv.SurveyID, &inv.Round, &inv.Organisation, &inv.RespondentKey, &created)
	inv.Created = time.UnixMilli(created).UTC()
	return inv, err
}

// Invitation returns an invitation by key and whether it was used.
func (s *Store) Invitation(ctx context.Context, key string) (survey.Invitation, bool, error) {
	inv, err := scanInvitation(s.read.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return survey.Invitation{}, false, errorf("sqlite: invitation: %w", store.ErrNotFound)
	}
	if err != nil {
		return survey.Invitation{}, false, errorf("sqlite: invitation: %w", err)
	}
	var used int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM invitation_uses WHERE key = ?`, key).Scan(&used); err != nil {
		return survey.Invitation{}, false, errorf("sqlite: invitation use: %w", err)
	}
	return inv, used > 0, nil
}

// Invitations calls fn for each invitation to a round, oldest first.
func (s *Store) Invitations(ctx context.Context, surveyID, round string, fn func(survey.Invitation) error) error {
	rows, err := s.read.QueryContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE survey_id = ? AND round = ? ORDER BY created, key`, surveyID, round)
	if err != nil {
		return errorf("sqlite: invitations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return errorf("sqlite: invitations: %w", err)
		}
		if err := fn(inv); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Completion counts invitations and their uses by organisation.
func (s *Store) Completion(ctx context.Context, surveyID, round string) ([]survey.Completion, error) {
	rows, err := s.read.QueryContext(ctx, `
SELECT i.organisation, count(*), count(u.key)
FROM invitations i LEFT JOIN invitation_uses u ON u.key = i.key
WHERE i.survey_id = ? AND i.round = ?
GROUP BY i.organisation ORDER BY i.organisation`, surveyID, round)
	if err != nil {
		return nil, errorf("sqlite: completion: %w", err)
	}
	defer rows.Close()
	var out []survey.Completion
	for rows.Next() {
		var c survey.Completion
		if err := rows.Scan(&c.Organisation, &c.Invited, &c.Responded); err != nil {
			return nil, errorf("sqlite: completion: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
