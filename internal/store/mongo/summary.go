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

// Each response document keeps its closed answers (store.SummaryOf) in
// two fields of its own, layout and closed, written with it, so that
// deleting the response (erasure, a round's deletion) deletes them too.
// The layouts, a survey's answer keys (question IDs, no answers), are
// kept once each in answer_layouts, by id. EachAnswers reads responses
// without their answers.
const layoutsCollection = "answer_layouts"

// backfilledID is the answer_layouts document that says the responses
// stored before summaries were kept have theirs (layout ids are never 0).
const backfilledID = int64(0)

func (s *Store) layoutsColl() *mongo.Collection {
	return s.responses.Database().Collection(layoutsCollection)
}

// summarise sets a response document's summary. A layout not yet known
// to this process is stored first; if that fails the response is stored
// without a summary (its answers are then read whole), so a send never
// fails for it.
func (s *Store) summarise(ctx context.Context, doc *responseDoc) {
	id, layout, closed := store.SummaryOf(doc.Answers)
	if id == 0 {
		return
	}
	if !s.layouts.Has(id) {
		if err := s.keepLayout(ctx, id, layout); err != nil {
			return
		}
	}
	doc.Layout, doc.Closed = id, closed
}

func (s *Store) keepLayout(ctx context.Context, id int64, layout string) error {
	_, err := s.layoutsColl().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{{Key: "keys", Value: layout}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil && !isDuplicateKey(err) { // two upserts at once: the other stored it
		return err
	}
	s.layouts.Add(id)
	return nil
}

// backfill is the start-up backfill of summaries, run in the background
// so that a large collection does not hold start-up: until it ends, the
// responses without a summary are read whole.
type backfill struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (s *Store) startBackfill() {
	ctx, cancel := context.WithCancel(context.Background())
	s.backfill = backfill{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.backfill.done)
		s.backfill.err = s.backfillSummaries(ctx)
	}()
}

func (s *Store) stopBackfill() {
	if s.backfill.cancel != nil {
		s.backfill.cancel()
		<-s.backfill.done
	}
}

// WaitSummaries waits until the start-up backfill of summaries has ended
// (or ctx is done), and returns its error: one that failed is tried
// again at the next start.
func (s *Store) WaitSummaries(ctx context.Context) error {
	select {
	case <-s.backfill.done:
		return s.backfill.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backfillSummaries gives the responses stored before summaries were kept
// theirs, once per database: each update is conditional on the response
// having none, so two instances starting at once do the same work twice
// at worst, never a wrong summary. A response stored without one later
// (an older instance still running) is read whole.
func (s *Store) backfillSummaries(ctx context.Context) error {
	err := s.layoutsColl().FindOne(ctx, bson.D{{Key: "_id", Value: backfilledID}}).Err()
	if err == nil {
		return nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return errorf("mongo: backfill summaries: %w", err)
	}
	type doc struct {
		ID      any               `bson:"_id"`
		Answers map[string]string `bson:"answers"`
	}
	missing := bson.D{{Key: "layout", Value: bson.D{{Key: "$exists", Value: false}}}}
	cur, err := s.responses.Find(ctx, missing, options.Find().SetProjection(bson.D{{Key: "answers", Value: 1}}))
	if err != nil {
		return errorf("mongo: backfill summaries: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d doc
		if err := cur.Decode(&d); err != nil {
			return errorf("mongo: backfill summaries: %w", err)
		}
		id, layout, closed := store.SummaryOf(d.Answers)
		if id == 0 {
			continue
		}
		if !s.layouts.Has(id) {
			if err := s.keepLayout(ctx, id, layout); err != nil {
				return errorf("mongo: backfill summaries: %w", err)
			}
		}
		filter := append(bson.D{{Key: "_id", Value: d.ID}}, missing...)
		set := bson.D{{Key: "$set", Value: bson.D{{Key: "layout", Value: id}, {Key: "closed", Value: closed}}}}
		if _, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) { return s.responses.UpdateOne(ctx, filter, set) }); err != nil {
			return errorf("mongo: backfill summaries: %w", err)
		}
	}
	if err := cur.Err(); err != nil {
		return errorf("mongo: backfill summaries: %w", err)
	}
	_, err = s.layoutsColl().UpdateOne(ctx, bson.D{{Key: "_id", Value: backfilledID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "backfilled", Value: time.Now().UTC()}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil && !isDuplicateKey(err) {
		return errorf("mongo: backfill summaries: %w", err)
	}
	return nil
}

// EachAnswers streams a survey's responses in some rounds, oldest first,
// as EachResponse does, with only the answers to keys (values[i] the
// answer to keys[i], "" for none; reused between calls), from their
// summaries: the documents are read without their answers. A response
// whose summary cannot give every key is read whole; one deleted between
// the two reads is left out, as a read after the deletion would.
func (s *Store) EachAnswers(ctx context.Context, surveyID string, rounds []string, keys []string, fn func(survey.Response, []string) error) error {
	layouts := map[int64]string{}
	err := eachWhere(ctx, s.layoutsColl(), bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: backfilledID}}}}, bson.D{{Key: "_id", Value: 1}},
		func(l struct {
			ID   int64  `bson:"_id"`
			Keys string `bson:"keys"`
		}) error {
			layouts[l.ID] = l.Keys
			return nil
		})
	if err != nil {
		return err
	}
	sr := store.NewSummaryReader(keys, layouts)
	filter := bson.D{{Key: "survey_id", Value: surveyID}}
	if len(rounds) > 0 {
		filter = append(filter, bson.E{Key: "round", Value: bson.D{{Key: "$in", Value: rounds}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "submitted", Value: 1}, {Key: "_id", Value: 1}}).
		SetProjection(bson.D{{Key: "answers", Value: 0}})
	cur, err := s.responses.Find(ctx, filter, opts)
	if err != nil {
		return errorf("mongo: find responses to %s: %w", surveyID, err)
	}
	defer cur.Close(ctx)
	whole := make([]string, len(keys))
	for cur.Next(ctx) {
		var d struct {
			ID            any       `bson:"_id"`
			Round         string    `bson:"round"`
			Submitted     time.Time `bson:"submitted"`
			RespondentKey string    `bson:"respondent_key"`
			Invitation    string    `bson:"invitation"`
			Layout        int64     `bson:"layout"`
			Closed        string    `bson:"closed"`
		}
		if err := cur.Decode(&d); err != nil {
			return errorf("mongo: decode response: %w", err)
		}
		r := survey.Response{SurveyID: surveyID, Round: d.Round, Submitted: d.Submitted.UTC(), RespondentKey: d.RespondentKey, Invitation: d.Invitation}
		values, ok := sr.Read(d.Layout, d.Closed)
		if !ok {
			var full responseDoc
			err := s.responses.FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&full)
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return errorf("mongo: response read whole: %w", err)
			}
			values = whole
			for i, k := range keys {
				values[i] = ""
				if k != "" {
					values[i] = full.Answers[k]
				}
			}
		}
		if err := fn(r, values); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return errorf("mongo: read responses to %s: %w", surveyID, err)
	}
	return nil
}
