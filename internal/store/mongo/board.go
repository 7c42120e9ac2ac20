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

func (s *Store) commentary() *mongo.Collection  { return s.staffCollection("board_commentary") }
func (s *Store) actionsColl() *mongo.Collection { return s.staffCollection("board_actions") }
func (s *Store) targetsColl() *mongo.Collection { return s.staffCollection("board_targets") }

// commentaryDoc is the commentary on one strand in one round, keyed by
// "survey/round/strand": none of the three ids can hold a slash.
type commentaryDoc struct {
	ID       string    `bson:"_id"`
	SurveyID string    `bson:"survey_id"`
	Round    string    `bson:"round"`
	Strand   string    `bson:"strand"`
	Know     string    `bson:"know"`
	How      string    `bson:"how"`
	Next     string    `bson:"next"`
	Updated  time.Time `bson:"updated,omitempty"`
}

// actionDoc is an action with its history inside it, so that a change and
// its record are one single-document update: no transaction needed.
type actionDoc struct {
	ID       string      `bson:"_id"`
	SurveyID string      `bson:"survey_id"`
	Strand   string      `bson:"strand"`
	Text     string      `bson:"text"`
	Owner    string      `bson:"owner"`
	Due      time.Time   `bson:"due,omitempty"`
	Status   string      `bson:"status"`
	Round    string      `bson:"round"`
	Created  time.Time   `bson:"created,omitempty"`
	Updated  time.Time   `bson:"updated,omitempty"`
	History  []changeDoc `bson:"history"`
}

type changeDoc struct {
	At     time.Time `bson:"at,omitempty"`
	Round  string    `bson:"round"`
	Status string    `bson:"status"`
	Owner  string    `bson:"owner"`
	Due    time.Time `bson:"due,omitempty"`
	Note   string    `bson:"note"`
}

// ms keeps a time to the millisecond MongoDB stores, in UTC.
func ms(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Millisecond)
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func toChangeDoc(ch store.ActionChange) changeDoc {
	return changeDoc{At: ms(ch.At), Round: ch.Round, Status: string(ch.Status), Owner: ch.Owner, Due: ms(ch.Due), Note: ch.Note}
}

func (d actionDoc) action() store.Action {
	a := store.Action{
		ID: d.ID, SurveyID: d.SurveyID, Strand: d.Strand, Text: d.Text, Owner: d.Owner, Due: utc(d.Due),
		Status: store.ActionStatus(d.Status), Round: d.Round, Created: utc(d.Created), Updated: utc(d.Updated),
	}
	for _, c := range d.History {
		a.History = append(a.History, store.ActionChange{At: utc(c.At), Round: c.Round, Status: store.ActionStatus(c.Status), Owner: c.Owner, Due: utc(c.Due), Note: c.Note})
	}
	return a
}

// createBoardIndexes creates the index that lists a survey's actions and
// the one that lists a round's commentary.
func (s *Store) createBoardIndexes(ctx context.Context) error {
	for _, ix := range []struct {
		coll *mongo.Collection
		name string
		keys bson.D
	}{
		{s.actionsColl(), "survey_created", bson.D{{Key: "survey_id", Value: 1}, {Key: "created", Value: 1}}},
		{s.commentary(), "survey_round", bson.D{{Key: "survey_id", Value: 1}, {Key: "round", Value: 1}}},
		{s.targetsColl(), "survey_strand", bson.D{{Key: "survey_id", Value: 1}, {Key: "strand", Value: 1}}},
	} {
		model := mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name)}
		if _, err := ix.coll.Indexes().CreateOne(ctx, model); err != nil {
			return errorf("mongo: create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	return nil
}

// SetCommentary creates or replaces the commentary on a strand in a round.
func (s *Store) SetCommentary(ctx context.Context, c store.Commentary) error {
	doc := commentaryDoc{ID: c.SurveyID + "/" + c.Round + "/" + c.Strand, SurveyID: c.SurveyID, Round: c.Round, Strand: c.Strand,
		Know: c.Know, How: c.How, Next: c.Next, Updated: ms(c.Updated)}
	_, err := written(ctx, asUpsertByKey, func() (*mongo.UpdateResult, error) {
		return s.commentary().ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc, options.Replace().SetUpsert(true))
	})
	if err != nil {
		return errorf("mongo: set commentary %s: %w", doc.ID, err)
	}
	return nil
}

func (d commentaryDoc) commentary() store.Commentary {
	return store.Commentary{SurveyID: d.SurveyID, Round: d.Round, Strand: d.Strand, Know: d.Know, How: d.How, Next: d.Next, Updated: utc(d.Updated)}
}

// Commentary returns the commentary on a strand in a round.
func (s *Store) Commentary(ctx context.Context, surveyID, round, strand string) (store.Commentary, error) {
	var d commentaryDoc
	err := s.commentary().FindOne(ctx, bson.D{{Key: "_id", Value: surveyID + "/" + round + "/" + strand}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Commentary{}, errorf("mongo: commentary %s/%s/%s: %w", surveyID, round, strand, store.ErrNotFound)
	}
	if err != nil {
		return store.Commentary{}, errorf("mongo: commentary: %w", err)
	}
	return d.commentary(), nil
}

// Commentaries returns the commentary on every strand of a round.
func (s *Store) Commentaries(ctx context.Context, surveyID, round string) ([]store.Commentary, error) {
	var out []store.Commentary
	err := eachWhere(ctx, s.commentary(), bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}},
		bson.D{{Key: "strand", Value: 1}}, func(d commentaryDoc) error {
			out = append(out, d.commentary())
			return nil
		})
	return out, err
}

// AddAction stores a new action, its creation the first entry of its
// history.
func (s *Store) AddAction(ctx context.Context, a store.Action) error {
	doc := actionDoc{
		ID: a.ID, SurveyID: a.SurveyID, Strand: a.Strand, Text: a.Text, Owner: a.Owner, Due: ms(a.Due),
		Status: string(a.Status), Round: a.Round, Created: ms(a.Created), Updated: ms(a.Updated),
		History: []changeDoc{toChangeDoc(store.ActionChange{At: a.Created, Round: a.Round, Status: a.Status, Owner: a.Owner, Due: a.Due})},
	}
	_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.actionsColl().InsertOne(ctx, doc) })
	if isDuplicateKey(err) {
		return errorf("mongo: add action %s: %w", a.ID, store.ErrConflict)
	}
	if err != nil {
		return errorf("mongo: add action %s: %w", a.ID, err)
	}
	return nil
}

// UpdateAction changes an action and appends the change to its history in
// one update of one document, which MongoDB applies atomically.
func (s *Store) UpdateAction(ctx context.Context, id string, ch store.ActionChange) (store.Action, error) {
	c := toChangeDoc(ch)
	set := bson.D{{Key: "status", Value: c.Status}, {Key: "owner", Value: c.Owner}, {Key: "updated", Value: c.At}}
	update := bson.D{{Key: "$push", Value: bson.D{{Key: "history", Value: c}}}}
	if c.Due.IsZero() {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "due", Value: ""}}})
	} else {
		set = append(set, bson.E{Key: "due", Value: c.Due})
	}
	update = append(update, bson.E{Key: "$set", Value: set})
	var d actionDoc
	res, _ := written(ctx, asWrite, func() (*mongo.SingleResult, error) {
		r := s.actionsColl().FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, update, options.FindOneAndUpdate().SetReturnDocument(options.After))
		return r, r.Err()
	})
	err := res.Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Action{}, errorf("mongo: update action %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Action{}, errorf("mongo: update action %s: %w", id, err)
	}
	return d.action(), nil
}

// Action returns one action with its history.
func (s *Store) Action(ctx context.Context, id string) (store.Action, error) {
	var d actionDoc
	err := s.actionsColl().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Action{}, errorf("mongo: action %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Action{}, errorf("mongo: action %s: %w", id, err)
	}
	return d.action(), nil
}

// Actions returns a survey's actions with their histories, oldest first.
func (s *Store) Actions(ctx context.Context, surveyID string) ([]store.Action, error) {
	var out []store.Action
	err := eachWhere(ctx, s.actionsColl(), bson.D{{Key: "survey_id", Value: surveyID}},
		bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, func(d actionDoc) error {
			out = append(out, d.action())
			return nil
		})
	return out, err
}

// targetDoc is the target on one strand, question or indicator. A
// strand's is keyed "survey/strand", as before targets could be on
// anything else; a question's "survey/question:id" and an indicator's
// "survey/indicator:id". The subject's id is kept in "strand" and "on" is
// left out for a strand, so documents stored before read as they were.
type targetDoc struct {
	ID       string    `bson:"_id"`
	SurveyID string    `bson:"survey_id"`
	On       string    `bson:"on,omitempty"`
	Subject  string    `bson:"strand"`
	Option   string    `bson:"option,omitempty"`
	Kind     string    `bson:"kind"`
	Value    float64   `bson:"value"`
	By       time.Time `bson:"by,omitempty"`
	Round    string    `bson:"round"`
	Updated  time.Time `bson:"updated,omitempty"`
}

// targetID is a target's document key.
func targetID(t store.Target) string {
	if t.On == store.OnStrand {
		return t.SurveyID + "/" + t.Subject
	}
	return t.SurveyID + "/" + string(t.On) + ":" + t.Subject
}

// SetTarget creates or replaces the target on a strand, question or
// indicator.
func (s *Store) SetTarget(ctx context.Context, t store.Target) error {
	doc := targetDoc{ID: targetID(t), SurveyID: t.SurveyID, On: string(t.On), Subject: t.Subject, Option: t.Option, Kind: string(t.Kind), Value: t.Value,
		By: ms(t.By), Round: t.Round, Updated: ms(t.Updated)}
	_, err := written(ctx, asUpsertByKey, func() (*mongo.UpdateResult, error) {
		return s.targetsColl().ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc, options.Replace().SetUpsert(true))
	})
	if err != nil {
		return errorf("mongo: set target %s: %w", doc.ID, err)
	}
	return nil
}

// Targets returns every target on a survey: strands first, then by what
// they are on and their subject.
func (s *Store) Targets(ctx context.Context, surveyID string) ([]store.Target, error) {
	var out []store.Target
	err := eachWhere(ctx, s.targetsColl(), bson.D{{Key: "survey_id", Value: surveyID}},
		bson.D{{Key: "on", Value: 1}, {Key: "strand", Value: 1}}, func(d targetDoc) error {
			out = append(out, store.Target{SurveyID: d.SurveyID, On: store.TargetOn(d.On), Subject: d.Subject, Option: d.Option, Kind: store.TargetKind(d.Kind), Value: d.Value,
				By: utc(d.By), Round: d.Round, Updated: utc(d.Updated)})
			return nil
		})
	return out, err
}
