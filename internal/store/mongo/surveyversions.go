package mongo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

func (s *Store) surveyTexts() *mongo.Collection     { return s.staffCollection("survey_texts") }
func (s *Store) surveyPublishes() *mongo.Collection { return s.staffCollection("survey_publishes") }

// surveyTextDoc is one version of a survey file, keyed "survey@version",
// so that the same version saved twice is stored once.
type surveyTextDoc struct {
	ID       string    `bson:"_id"`
	SurveyID string    `bson:"survey_id"`
	Version  string    `bson:"version"`
	Text     string    `bson:"text"`
	MadeBy   string    `bson:"made_by"`
	Made     time.Time `bson:"made"`
}

// surveyPublishDoc is one publish, keyed "survey#n": of two publishes
// with the same n, the second's insert fails on the key, so a survey's
// publishes are a line with no fork, without transactions.
type surveyPublishDoc struct {
	ID           string    `bson:"_id"`
	SurveyID     string    `bson:"survey_id"`
	N            int       `bson:"n"`
	Version      string    `bson:"version"`
	By           string    `bson:"by"`
	At           time.Time `bson:"at"`
	Reason       string    `bson:"reason"`
	Acknowledged bool      `bson:"acknowledged"`
}

func (d surveyPublishDoc) publish() store.SurveyPublish {
	return store.SurveyPublish{SurveyID: d.SurveyID, Version: d.Version, N: d.N, By: d.By, At: d.At.UTC(), Reason: d.Reason, Acknowledged: d.Acknowledged}
}

// createSurveyVersionIndexes: versions and publishes of one survey in order.
func (s *Store) createSurveyVersionIndexes(ctx context.Context) error {
	for _, ix := range []struct {
		coll *mongo.Collection
		keys bson.D
		name string
	}{
		{s.surveyTexts(), bson.D{{Key: "survey_id", Value: 1}, {Key: "made", Value: 1}}, "survey_made"},
		{s.surveyPublishes(), bson.D{{Key: "survey_id", Value: 1}, {Key: "n", Value: 1}}, "survey_n"},
	} {
		if _, err := ix.coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name)}); err != nil {
			return errorf("mongo: create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	return nil
}

// SaveSurveyVersion stores a version unless one is stored already.
func (s *Store) SaveSurveyVersion(ctx context.Context, v store.SurveyVersion) (store.SurveyVersion, bool, error) {
	v.Made = ms(v.Made)
	d := surveyTextDoc{ID: v.SurveyID + "@" + v.Version, SurveyID: v.SurveyID, Version: v.Version, Text: v.Text, MadeBy: v.MadeBy, Made: v.Made}
	_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.surveyTexts().InsertOne(ctx, d) })
	if isDuplicateKey(err) {
		stored, err := s.SurveyVersion(ctx, v.SurveyID, v.Version)
		return stored, false, err
	}
	if err != nil {
		return store.SurveyVersion{}, false, errorf("mongo: save survey version: %w", err)
	}
	return v, true, nil
}

func (d surveyTextDoc) version() store.SurveyVersion {
	return store.SurveyVersion{SurveyID: d.SurveyID, Version: d.Version, Text: d.Text, MadeBy: d.MadeBy, Made: d.Made.UTC()}
}

// SurveyVersion returns one version, or ErrNotFound.
func (s *Store) SurveyVersion(ctx context.Context, surveyID, version string) (store.SurveyVersion, error) {
	var d surveyTextDoc
	err := s.surveyTexts().FindOne(ctx, bson.D{{Key: "_id", Value: surveyID + "@" + version}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.SurveyVersion{}, errorf("mongo: survey version %s/%s: %w", surveyID, version, store.ErrNotFound)
	}
	if err != nil {
		return store.SurveyVersion{}, errorf("mongo: survey version %s/%s: %w", surveyID, version, err)
	}
	return d.version(), nil
}

// SurveyVersionsOf returns a survey's versions, oldest first.
func (s *Store) SurveyVersionsOf(ctx context.Context, surveyID string) ([]store.SurveyVersion, error) {
	var out []store.SurveyVersion
	sort := bson.D{{Key: "made", Value: 1}, {Key: "version", Value: 1}}
	err := eachWhere(ctx, s.surveyTexts(), bson.D{{Key: "survey_id", Value: surveyID}}, sort, func(d surveyTextDoc) error {
		out = append(out, d.version())
		return nil
	})
	return out, err
}

// PublishSurvey makes a stored version live: an insert keyed by the
// survey and p.N, after checking that p.N follows the latest.
func (s *Store) PublishSurvey(ctx context.Context, p store.SurveyPublish) error {
	if _, err := s.SurveyVersion(ctx, p.SurveyID, p.Version); err != nil {
		return err
	}
	all, err := s.SurveyPublishes(ctx, p.SurveyID)
	if err != nil {
		return err
	}
	if p.N != len(all)+1 {
		return errorf("mongo: publish survey %s: %w", p.SurveyID, store.ErrConflict)
	}
	d := surveyPublishDoc{ID: fmt.Sprintf("%s#%d", p.SurveyID, p.N), SurveyID: p.SurveyID, N: p.N, Version: p.Version,
		By: p.By, At: ms(p.At), Reason: p.Reason, Acknowledged: p.Acknowledged}
	_, err = written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.surveyPublishes().InsertOne(ctx, d) })
	if isDuplicateKey(err) {
		return errorf("mongo: publish survey %s: %w", p.SurveyID, store.ErrConflict)
	}
	if err != nil {
		return errorf("mongo: publish survey %s: %w", p.SurveyID, err)
	}
	return nil
}

// SurveyPublishes returns a survey's publishes, oldest first.
func (s *Store) SurveyPublishes(ctx context.Context, surveyID string) ([]store.SurveyPublish, error) {
	var out []store.SurveyPublish
	err := eachWhere(ctx, s.surveyPublishes(), bson.D{{Key: "survey_id", Value: surveyID}}, bson.D{{Key: "n", Value: 1}}, func(d surveyPublishDoc) error {
		out = append(out, d.publish())
		return nil
	})
	return out, err
}

// LiveSurveys returns the latest publish of every survey: publishes are
// few (one per change to a survey), so all are read.
func (s *Store) LiveSurveys(ctx context.Context) ([]store.SurveyPublish, error) {
	var out []store.SurveyPublish
	sort := bson.D{{Key: "survey_id", Value: 1}, {Key: "n", Value: 1}}
	err := eachWhere(ctx, s.surveyPublishes(), bson.D{}, sort, func(d surveyPublishDoc) error {
		if n := len(out); n > 0 && out[n-1].SurveyID == d.SurveyID {
			out[n-1] = d.publish()
		} else {
			out = append(out, d.publish())
		}
		return nil
	})
	return out, err
}

// SurveyPublishCount is how many publishes there have been.
func (s *Store) SurveyPublishCount(ctx context.Context) (int64, error) {
	n, err := s.surveyPublishes().CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, errorf("mongo: survey publish count: %w", err)
	}
	return n, nil
}

// SurveysWithVersions returns the ids of every survey with a version.
func (s *Store) SurveysWithVersions(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.surveyTexts().Distinct(ctx, "survey_id", bson.D{}).Decode(&ids); err != nil {
		return nil, errorf("mongo: surveys with versions: %w", err)
	}
	sort.Strings(ids)
	return ids, nil
}
