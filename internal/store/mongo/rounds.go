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

func (s *Store) rounds() *mongo.Collection { return s.staffCollection("rounds") }

// roundDoc is a round's state, keyed by "survey/round": neither id can
// hold a slash. Unset times are stored as absent.
type roundDoc struct {
	ID       string    `bson:"_id"`
	SurveyID string    `bson:"survey_id"`
	Round    string    `bson:"round"`
	Label    string    `bson:"label"`
	Added    bool      `bson:"added"`
	Open     bool      `bson:"open"`
	Practice bool      `bson:"practice"`
	OpensAt  time.Time `bson:"opens_at,omitempty"`
	ClosesAt time.Time `bson:"closes_at,omitempty"`
	// Reminders is absent until staff set a schedule.
	Reminders *remindersDoc `bson:"reminders,omitempty"`
	Created   time.Time     `bson:"created"`
	Updated   time.Time     `bson:"updated"`
}

type remindersDoc struct {
	Days []int `bson:"days"`
	Most int   `bson:"most"`
}

func toRoundDoc(r store.RoundState) roundDoc {
	ms := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.UTC().Truncate(time.Millisecond)
	}
	d := roundDoc{
		ID: r.SurveyID + "/" + r.Round, SurveyID: r.SurveyID, Round: r.Round, Label: r.Label, Added: r.Added,
		Open: r.Open, Practice: r.Practice, OpensAt: ms(r.OpensAt), ClosesAt: ms(r.ClosesAt), Created: ms(r.Created), Updated: ms(r.Updated),
	}
	if r.Reminders.Set {
		d.Reminders = &remindersDoc{Days: r.Reminders.Days, Most: r.Reminders.Most}
	}
	return d
}

func (d roundDoc) state() store.RoundState {
	utc := func(t time.Time) time.Time {
		if t.IsZero() {
			return time.Time{}
		}
		return t.UTC()
	}
	r := store.RoundState{
		SurveyID: d.SurveyID, Round: d.Round, Label: d.Label, Added: d.Added, Open: d.Open, Practice: d.Practice,
		OpensAt: utc(d.OpensAt), ClosesAt: utc(d.ClosesAt), Created: utc(d.Created), Updated: utc(d.Updated),
	}
	if d.Reminders != nil {
		r.Reminders = store.Reminders{Set: true, Days: d.Reminders.Days, Most: d.Reminders.Most}
	}
	return r
}

// createAdminIndexes creates the index that lists a survey's rounds.
func (s *Store) createAdminIndexes(ctx context.Context) error {
	model := mongo.IndexModel{Keys: bson.D{{Key: "survey_id", Value: 1}, {Key: "created", Value: 1}}, Options: options.Index().SetName("survey_created")}
	if _, err := s.rounds().Indexes().CreateOne(ctx, model); err != nil {
		return errorf("mongo: create index rounds.survey_created: %w", err)
	}
	return nil
}

// SetRoundState creates or replaces a round's state.
func (s *Store) SetRoundState(ctx context.Context, r store.RoundState) error {
	doc := toRoundDoc(r)
	_, err := written(ctx, asUpsertByKey, func() (*mongo.UpdateResult, error) {
		return s.rounds().ReplaceOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}, doc, options.Replace().SetUpsert(true))
	})
	if err != nil {
		return errorf("mongo: set round state %s: %w", doc.ID, err)
	}
	return nil
}

// AddRound stores a new round's state; one already stored is ErrConflict.
func (s *Store) AddRound(ctx context.Context, r store.RoundState) error {
	doc := toRoundDoc(r)
	_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.rounds().InsertOne(ctx, doc) })
	if isDuplicateKey(err) {
		return errorf("mongo: add round %s: %w", doc.ID, store.ErrConflict)
	}
	if err != nil {
		return errorf("mongo: add round %s: %w", doc.ID, err)
	}
	return nil
}

// RoundStates returns a survey's stored round states (every survey's when
// surveyID is empty), oldest first.
func (s *Store) RoundStates(ctx context.Context, surveyID string) ([]store.RoundState, error) {
	filter := bson.D{}
	if surveyID != "" {
		filter = bson.D{{Key: "survey_id", Value: surveyID}}
	}
	var out []store.RoundState
	err := eachWhere(ctx, s.rounds(), filter, bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, func(d roundDoc) error {
		out = append(out, d.state())
		return nil
	})
	return out, err
}

// CountResponses counts a round's responses.
func (s *Store) CountResponses(ctx context.Context, surveyID, round string) (int, error) {
	n, err := s.responses.CountDocuments(ctx, bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}})
	if err != nil {
		return 0, errorf("mongo: count responses: %w", err)
	}
	return int(n), nil
}

// DeleteResponse deletes one response by its reference.
func (s *Store) DeleteResponse(ctx context.Context, reference string) error {
	r, err := s.Response(ctx, reference)
	if err != nil {
		return err
	}
	// Its alert, if it still carries one, is queued first: erasing an
	// answer leaves its alert queued, as it does once queued (the alert
	// holds no answer), and nothing of it in the store but the queue's.
	if err := s.queuePending(ctx, bson.D{{Key: "reference", Value: reference}}); err != nil {
		return err
	}
	rb, err := s.beginRebuild(ctx, r.SurveyID, r.Round)
	if err != nil {
		return err
	}
	res, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) {
		return s.responses.DeleteOne(ctx, bson.D{{Key: "reference", Value: reference}})
	})
	if err != nil {
		return errorf("mongo: delete response: %w", err)
	}
	if err := s.rebuildAfterDelete(ctx, rb); err != nil {
		return err
	}
	if res.DeletedCount == 0 {
		return errorf("mongo: delete response %s: %w", reference, store.ErrNotFound)
	}
	return nil
}

// DeleteResponses deletes every response to a round.
func (s *Store) DeleteResponses(ctx context.Context, surveyID, round string) (int, error) {
	if err := s.queuePending(ctx, bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}}); err != nil { // as DeleteResponse
		return 0, err
	}
	rb, err := s.beginRebuild(ctx, surveyID, round)
	if err != nil {
		return 0, err
	}
	res, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) {
		return s.responses.DeleteMany(ctx, bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}})
	})
	if err != nil {
		return 0, errorf("mongo: delete responses: %w", err)
	}
	return int(res.DeletedCount), s.rebuildAfterDelete(ctx, rb)
}

// each streams a collection in the given order through decode.
func each[T any](ctx context.Context, coll *mongo.Collection, sort bson.D, fn func(T) error) error {
	return eachWhere(ctx, coll, bson.D{}, sort, fn)
}

// eachWhere streams the documents matching filter, in the given order.
func eachWhere[T any](ctx context.Context, coll *mongo.Collection, filter, sort bson.D, fn func(T) error) error {
	cur, err := coll.Find(ctx, filter, options.Find().SetSort(sort))
	if err != nil {
		return errorf("mongo: read %s: %w", coll.Name(), err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d T
		if err := cur.Decode(&d); err != nil {
			return errorf("mongo: decode %s: %w", coll.Name(), err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return errorf("mongo: read %s: %w", coll.Name(), err)
	}
	return nil
}

// AllResponses streams every response, oldest first.
func (s *Store) AllResponses(ctx context.Context, fn func(survey.Response) error) error {
	return each(ctx, s.responses, bson.D{{Key: "submitted", Value: 1}, {Key: "_id", Value: 1}},
		func(d responseDoc) error { return fn(d.response()) })
}

// AllInvitations streams every invitation with whether it was used. Each
// use is looked up by its key, so that memory stays flat.
func (s *Store) AllInvitations(ctx context.Context, fn func(survey.Invitation, bool) error) error {
	return each(ctx, s.invitations, bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, func(d invitationDoc) error {
		err := s.uses.FindOne(ctx, bson.D{{Key: "_id", Value: d.Key}}).Err()
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return errorf("mongo: invitation use: %w", err)
		}
		return fn(d.invitation(), err == nil)
	})
}

// AllAudit streams the audit log, oldest first.
func (s *Store) AllAudit(ctx context.Context, fn func(store.AuditEntry) error) error {
	return each(ctx, s.audit(), bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}, func(d auditDoc) error {
		return fn(store.AuditEntry{At: d.At.UTC(), Actor: d.Actor, Action: d.Action, Target: d.Target})
	})
}

// SetAccountDisabled disables or enables an account.
func (s *Store) SetAccountDisabled(ctx context.Context, id string, disabled bool) error {
	return s.updateAccount(ctx, "disable account", id, bson.D{{Key: "disabled", Value: disabled}})
}

// SetPasswordHash replaces an account's password hash.
func (s *Store) SetPasswordHash(ctx context.Context, id, hash string) error {
	return s.updateAccount(ctx, "set password", id, bson.D{{Key: "password_hash", Value: hash}})
}

func (s *Store) updateAccount(ctx context.Context, op, id string, set bson.D) error {
	res, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.accounts().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	})
	if err != nil {
		return errorf("mongo: %s: %w", op, err)
	}
	if res.MatchedCount == 0 {
		return errorf("mongo: %s: %w", op, store.ErrNotFound)
	}
	return nil
}

// A deletion is rare (erasure, retention), so the round's tallies are
// rebuilt rather than decremented. The rebuild is recorded before the
// deletion (beginRebuild), so a crash after the deletion is repaired by a
// later read (rebuild.go).

// rebuildAfterDelete finishes the rebuild a deletion began and counts the
// round again now, when this process knows the survey's plan. Counting is
// left to the next read if it fails, as the deletion has happened.
func (s *Store) rebuildAfterDelete(ctx context.Context, rb rebuildDoc) error {
	if err := s.finishRebuild(ctx, rb); err != nil {
		return err
	}
	if p, ok := s.plan(rb.SurveyID); ok {
		_ = s.catchUp(ctx, p)
	}
	return nil
}
