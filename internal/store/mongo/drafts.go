package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// draftDoc is a draft as stored, keyed by the draft key in _id.
type draftDoc struct {
	Key      string            `bson:"_id"`
	SurveyID string            `bson:"survey_id"`
	Round    string            `bson:"round"`
	Answers  map[string]string `bson:"answers"`
	Updated  time.Time         `bson:"updated"`
	// Expires carries the TTL index: MongoDB deletes the draft after it.
	Expires       time.Time `bson:"expires"`
	RespondentKey string    `bson:"respondent_key"`
	Invitation    string    `bson:"invitation"`
}

// SaveDraft creates or replaces the draft with d.Key.
func (s *Store) SaveDraft(ctx context.Context, d survey.Draft) error {
	doc := draftDoc{
		Key:           d.Key,
		SurveyID:      d.SurveyID,
		Round:         d.Round,
		Answers:       nonNil(d.Answers),
		Updated:       d.Updated.UTC(),
		Expires:       d.Expires.UTC(),
		RespondentKey: d.RespondentKey,
		Invitation:    d.Invitation,
	}
	_, err := written(ctx, asUpsertByKey, func() (*mongo.UpdateResult, error) {
		return s.drafts.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.Key}}, doc, options.Replace().SetUpsert(true))
	})
	if err != nil {
		return errorf("mongo: save draft: %w", err)
	}
	return nil
}

// Draft returns the draft with the given key, or an error wrapping
// store.ErrNotFound.
func (s *Store) Draft(ctx context.Context, key string) (survey.Draft, error) {
	var doc draftDoc
	err := s.drafts.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return survey.Draft{}, errorf("mongo: draft: %w", store.ErrNotFound)
	}
	if err != nil {
		return survey.Draft{}, errorf("mongo: find draft: %w", err)
	}
	return doc.draft(), nil
}

func (doc draftDoc) draft() survey.Draft {
	return survey.Draft{
		Key:           doc.Key,
		SurveyID:      doc.SurveyID,
		Round:         doc.Round,
		Answers:       doc.Answers,
		Updated:       doc.Updated.UTC(),
		Expires:       doc.Expires.UTC(),
		RespondentKey: doc.RespondentKey,
		Invitation:    doc.Invitation,
	}
}

// DeleteExpiredDrafts deletes the drafts that expired before t. The TTL
// index on expires does this by itself about once a minute; this is for a
// sweep that must be exact, and for tests.
func (s *Store) DeleteExpiredDrafts(ctx context.Context, t time.Time) (int, error) {
	res, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) {
		return s.drafts.DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}})
	})
	if err != nil {
		return 0, errorf("mongo: delete expired drafts: %w", err)
	}
	return int(res.DeletedCount), nil
}
