package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

func (s *Store) publications() *mongo.Collection { return s.staffCollection("publications") }

// publicationDoc is one round's publication, keyed by "survey/round":
// neither id can hold a slash. Publish replaces it with one
// single-document update on condition of its version.
type publicationDoc struct {
	ID        string    `bson:"_id"`
	SurveyID  string    `bson:"survey_id"`
	Round     string    `bson:"round"`
	Version   int64     `bson:"version"`
	Basis     string    `bson:"basis"`
	Responses int       `bson:"responses"`
	At        time.Time `bson:"at"`
	Data      []byte    `bson:"data,omitempty"`
}

// Publication returns a round's publication, or ErrNotFound.
func (s *Store) Publication(ctx context.Context, surveyID, round string, data bool) (store.Publication, error) {
	opts := options.FindOne()
	if !data {
		opts.SetProjection(bson.D{{Key: "data", Value: 0}})
	}
	var d publicationDoc
	err := s.publications().FindOne(ctx, bson.D{{Key: "_id", Value: surveyID + "/" + round}}, opts).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Publication{}, errorf("mongo: publication %s/%s: %w", surveyID, round, store.ErrNotFound)
	}
	if err != nil {
		return store.Publication{}, errorf("mongo: publication %s/%s: %w", surveyID, round, err)
	}
	return store.Publication{SurveyID: d.SurveyID, Round: d.Round, Version: d.Version, Basis: d.Basis,
		Responses: d.Responses, At: d.At.UTC(), Data: d.Data}, nil
}

// Publish replaces version prev of a round's publication: an insert when
// there is none (a duplicate _id means another got there first), else an
// update whose filter holds the version.
func (s *Store) Publish(ctx context.Context, p store.Publication, prev int64) (store.Publication, error) {
	p.Version, p.At = prev+1, ms(p.At)
	d := publicationDoc{ID: p.SurveyID + "/" + p.Round, SurveyID: p.SurveyID, Round: p.Round, Version: p.Version,
		Basis: p.Basis, Responses: p.Responses, At: p.At, Data: p.Data}
	if prev == 0 {
		_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.publications().InsertOne(ctx, d) })
		if isDuplicateKey(err) {
			return store.Publication{}, errorf("mongo: publish %s: %w", d.ID, store.ErrConflict)
		}
		if err != nil {
			return store.Publication{}, errorf("mongo: publish %s: %w", d.ID, err)
		}
		return p, nil
	}
	res, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.publications().ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: prev}}, d)
	})
	if err != nil {
		return store.Publication{}, errorf("mongo: publish %s: %w", d.ID, err)
	}
	if res.MatchedCount == 0 {
		return store.Publication{}, errorf("mongo: publish %s: %w", d.ID, store.ErrConflict)
	}
	return p, nil
}

// CellTallies catches up untallied responses, then reads a round's counts
// per cell.
func (s *Store) CellTallies(ctx context.Context, p store.TallyPlan, round string) (map[store.Cell]*store.Counts, error) {
	if err := s.catchUp(ctx, p); err != nil {
		return nil, err
	}
	kept, err := s.keptCells(ctx, p, []string{round}, true)
	if err != nil {
		return nil, err
	}
	if kept[round] == nil {
		return map[store.Cell]*store.Counts{}, nil
	}
	return kept[round], nil
}

// CellSizes are the numbers of responses per breakdown cell, by round.
func (s *Store) CellSizes(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]int, error) {
	if err := s.catchUp(ctx, p); err != nil {
		return nil, err
	}
	kept, err := s.keptCells(ctx, p, rounds, false) // the numbers of responses only
	if err != nil {
		return nil, err
	}
	out := map[string]map[store.Cell]int{}
	for round, cells := range kept {
		out[round] = map[store.Cell]int{}
		for cell, c := range cells {
			out[round][cell] += c.Responses
		}
	}
	return out, nil
}
