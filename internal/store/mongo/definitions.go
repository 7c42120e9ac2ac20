package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

// definitionsCollection keeps the survey versions the service served.
const definitionsCollection = "survey_versions"

func (s *Store) definitions() *mongo.Collection {
	return s.responses.Database().Collection(definitionsCollection)
}

type fingerprintDoc struct {
	Key     string   `bson:"key"`
	Type    string   `bson:"type"`
	Scale   string   `bson:"scale,omitempty"`
	Answers []string `bson:"answers,omitempty"`
	Text    string   `bson:"text"`
}

// definitionDoc is one served version; its _id is survey id and version,
// so that a second instance starting on the same version stores nothing.
type definitionDoc struct {
	ID           string           `bson:"_id"`
	SurveyID     string           `bson:"survey_id"`
	Version      string           `bson:"version"`
	Served       time.Time        `bson:"served"`
	Fingerprints []fingerprintDoc `bson:"fingerprints"`
}

// createDefinitionIndexes: versions of one survey in the order served.
func (s *Store) createDefinitionIndexes(ctx context.Context) error {
	model := mongo.IndexModel{Keys: bson.D{{Key: "survey_id", Value: 1}, {Key: "served", Value: 1}}, Options: options.Index().SetName("survey_served")}
	if _, err := s.definitions().Indexes().CreateOne(ctx, model); err != nil {
		return errorf("mongo: create index %s.survey_served: %w", definitionsCollection, err)
	}
	return nil
}

// SaveDefinition stores a version unless it is stored already.
func (s *Store) SaveDefinition(ctx context.Context, v store.DefinitionVersion) (bool, error) {
	d := definitionDoc{ID: v.SurveyID + "@" + v.Version, SurveyID: v.SurveyID, Version: v.Version, Served: v.Served.UTC().Truncate(time.Millisecond)}
	for _, f := range v.Fingerprints {
		d.Fingerprints = append(d.Fingerprints, fingerprintDoc(f))
	}
	_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.definitions().InsertOne(ctx, d) })
	if isDuplicateKey(err) {
		return false, nil
	}
	if err != nil {
		return false, errorf("mongo: save definition: %w", err)
	}
	return true, nil
}

// DefinitionVersions returns a survey's stored versions, oldest first.
func (s *Store) DefinitionVersions(ctx context.Context, surveyID string) ([]store.DefinitionVersion, error) {
	var out []store.DefinitionVersion
	sort := bson.D{{Key: "served", Value: 1}, {Key: "version", Value: 1}}
	err := eachWhere(ctx, s.definitions(), bson.D{{Key: "survey_id", Value: surveyID}}, sort, func(d definitionDoc) error {
		v := store.DefinitionVersion{SurveyID: d.SurveyID, Version: d.Version, Served: d.Served.UTC()}
		for _, f := range d.Fingerprints {
			v.Fingerprints = append(v.Fingerprints, store.Fingerprint(f))
		}
		out = append(out, v)
		return nil
	})
	return out, err
}
