package mongo

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// SubmitMany inserts responses with one unordered InsertMany, each pending
// (tallied ""), and then counts them through catch-up (tally.go), the path
// that counts any response a Submit left pending: per response, one
// idempotent update of its cell's document and a conditional mark. So the
// tallies are exact by the same argument as Submit's, and a failure part
// way leaves only pending responses, which the next read counts. A
// duplicate key is a response stored before when its submission key is
// taken, and skipped; otherwise its reference was taken: ErrConflict,
// after the rest are stored and counted.
func (s *Store) SubmitMany(ctx context.Context, rs []survey.Response) (int, error) {
	if err := store.CheckBulk(rs); err != nil {
		return 0, errorf("mongo: submit many: %w", err)
	}
	if len(rs) == 0 {
		return 0, nil
	}
	docs := make([]any, len(rs))
	for i, r := range rs {
		doc := toResponseDoc(r)
		s.summarise(ctx, &doc) // summary.go
		docs[i] = doc
	}
	stored := len(rs)
	var conflict error
	_, err := s.responses.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
		for _, we := range bwe.WriteErrors {
			if !isDuplicateKey(mongo.WriteException{WriteErrors: mongo.WriteErrors{we.WriteError}}) {
				return 0, errorf("mongo: submit many: %w", err)
			}
			stored--
			r := rs[we.Index]
			if _, ferr := s.SubmittedResponse(ctx, r.SubmissionKey); errors.Is(ferr, store.ErrNotFound) {
				conflict = errorf("mongo: submit many: reference %s: %w", r.Reference, store.ErrConflict)
			} else if ferr != nil {
				return 0, ferr
			}
		}
	case err != nil:
		return 0, errorf("mongo: submit many: %w", err)
	}
	counted := map[string]bool{}
	for _, r := range rs {
		if p, ok := s.plan(r.SurveyID); ok && !counted[r.SurveyID] {
			counted[r.SurveyID] = true
			if err := s.catchUp(ctx, p); err != nil {
				return stored, err
			}
		}
	}
	return stored, conflict
}
