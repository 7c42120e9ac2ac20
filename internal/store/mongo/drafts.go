package mongo

import (
	"context"
	"errors"
	"fmt"
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
	Profile  map[string]string `bson:"profile"`
	Answers  map[string]string `bson:"answers"`
	Comments map[string]string `bson:"comments"`
	Updated  time.Time         `bson:"updated"`
}

// SaveDraft creates or replaces the draft with d.Key.
func (s *Store) SaveDraft(ctx context.Context, d survey.Draft) error {
	doc := draftDoc{
		Key:      d.Key,
		SurveyID: d.SurveyID,
		Round:    d.Round,
		Profile:  nonNil(d.Profile),
		Answers:  nonNil(d.Answers),
		Comments: nonNil(d.Comments),
		Updated:  d.Updated.UTC(),
	}
	_, err := s.drafts.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.Key}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("mongo: save draft: %w", err)
	}
	return nil
}

// Draft returns the draft with the given key, or an error wrapping
// store.ErrNotFound.
func (s *Store) Draft(ctx context.Context, key string) (survey.Draft, error) {
	var doc draftDoc
	err := s.drafts.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return survey.Draft{}, fmt.Errorf("mongo: draft: %w", store.ErrNotFound)
	}
	if err != nil {
		return survey.Draft{}, fmt.Errorf("mongo: find draft: %w", err)
	}
	return survey.Draft{
		Key:      doc.Key,
		SurveyID: doc.SurveyID,
		Round:    doc.Round,
		Profile:  doc.Profile,
		Answers:  doc.Answers,
		Comments: doc.Comments,
		Updated:  doc.Updated.UTC(),
	}, nil
}
