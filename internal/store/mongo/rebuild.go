package mongo

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

// Rebuilding tallies: a round's after a deletion or a failed recount, a
// whole survey's after a change of plan. See tally.go for why a rebuild is
// exact while others count. What it must survive is a crash between
// deleting the tally documents and making the responses pending: the
// responses would stay marked counted with their counts gone. So a
// rebuild is first recorded in tally_rebuilds, with an expiry, and the
// record is deleted only once the responses are pending. A record that
// outlives its expiry belongs to a process that died, and the next read of
// the survey, on any instance, redoes the rebuild. Live records are left to
// their process: readers do not pile onto a rebuild under way.
//
// The one assumption about timing: a rebuild's process finishes it within
// rebuildLease, or has died. One that stalls longer and then dies half-way
// could leave a round short until `iwtoolkit recount`.

// rebuildLease is how long a rebuild may take before others redo it: its
// slowest step is an update of every response of the round.
const rebuildLease = 10 * time.Minute

// rebuildDoc records a rebuild under way. Round "" is every round.
type rebuildDoc struct {
	ID       bson.ObjectID `bson:"_id"`
	SurveyID string        `bson:"survey_id"`
	Round    string        `bson:"round"`
	Expires  time.Time     `bson:"expires"`
}

func (s *Store) rebuilds() *mongo.Collection {
	return s.responses.Database().Collection(rebuildsCollection)
}

// beginRebuild records a rebuild before anything is deleted. A deletion
// calls it before deleting responses, so that a crash after the deletion
// is repaired too.
func (s *Store) beginRebuild(ctx context.Context, surveyID, round string) (rebuildDoc, error) {
	d := rebuildDoc{ID: bson.NewObjectID(), SurveyID: surveyID, Round: round, Expires: s.now().Add(rebuildLease).UTC()}
	if _, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.rebuilds().InsertOne(ctx, d) }); err != nil {
		return d, errorf("mongo: record tally rebuild: %w", err)
	}
	return d, nil
}

// finishRebuild deletes the tally documents of the rebuild's round (of
// every plan), makes every response of the round pending with a tallied
// value nobody has read, and then deletes the rebuild's record and those
// of the abandoned rebuilds it redoes. The next catch-up counts the round.
func (s *Store) finishRebuild(ctx context.Context, d rebuildDoc, abandoned ...bson.ObjectID) error {
	filter := bson.D{{Key: "survey_id", Value: d.SurveyID}}
	if d.Round != "" {
		filter = append(filter, bson.E{Key: "round", Value: d.Round})
	}
	if _, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) { return s.tallies().DeleteMany(ctx, filter) }); err != nil {
		return errorf("mongo: rebuild tallies: %w", err)
	}
	pending := bson.D{{Key: "$set", Value: bson.D{{Key: "tallied", Value: "~" + d.ID.Hex()}}}}
	if _, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) { return s.responses.UpdateMany(ctx, filter, pending) }); err != nil {
		return errorf("mongo: rebuild tallies: %w", err)
	}
	ids := append([]bson.ObjectID{d.ID}, abandoned...)
	done := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	if _, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) { return s.rebuilds().DeleteMany(ctx, done) }); err != nil {
		return errorf("mongo: rebuild tallies: %w", err)
	}
	return nil
}

// rebuild rebuilds a round's tallies, or a survey's when round is "".
func (s *Store) rebuild(ctx context.Context, surveyID, round string) error {
	d, err := s.beginRebuild(ctx, surveyID, round)
	if err != nil {
		return err
	}
	return s.finishRebuild(ctx, d)
}

// redoAbandonedRebuilds redoes the survey's rebuilds whose records have
// expired, once per round.
func (s *Store) redoAbandonedRebuilds(ctx context.Context, surveyID string) error {
	filter := bson.D{{Key: "survey_id", Value: surveyID}, {Key: "expires", Value: bson.D{{Key: "$lt", Value: s.now().UTC()}}}}
	cur, err := s.rebuilds().Find(ctx, filter)
	if err != nil {
		return errorf("mongo: find abandoned tally rebuilds: %w", err)
	}
	var abandoned []rebuildDoc
	if err := cur.All(ctx, &abandoned); err != nil {
		return errorf("mongo: read abandoned tally rebuilds: %w", err)
	}
	byRound := map[string][]bson.ObjectID{}
	for _, d := range abandoned {
		byRound[d.Round] = append(byRound[d.Round], d.ID)
	}
	for round, ids := range byRound {
		d, err := s.beginRebuild(ctx, surveyID, round)
		if err != nil {
			return err
		}
		if err := s.finishRebuild(ctx, d, ids...); err != nil {
			return err
		}
	}
	return nil
}

// Every instance must tally to the same plan, made from identical survey
// files. If each read recorded its reader's plan, two instances with
// different files would take turns to count the whole survey again, on
// every other read. Instead an instance claims a survey for its plan once: on its first read of the survey after
// it starts (or after its plan for it changes). If the recorded plan
// differs, the claim records its own and rebuilds the whole survey. Later
// reads that find another plan recorded mean another instance, with
// different survey files, has claimed the survey since: they fail with an
// error saying so, and change nothing. The instance that started last
// wins; the others' reports fail until they run the same files.
//
// A claim's rebuild deletes the tally documents of every plan, so those of
// an older plan do not pile up.

// errPlanConflict: the survey's tallies are kept to another plan than the
// caller's, by another instance whose survey files differ.
var errPlanConflict = errors.New("the instances' survey files differ (docs/deployment.md, Survey files)")

// planClaims are the plans this process has claimed, by survey.
type planClaims struct {
	mu sync.Mutex
	fp map[string]string
}

func (c *planClaims) get(surveyID string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fp[surveyID]
}

func (c *planClaims) set(surveyID, fp string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fp == nil {
		c.fp = map[string]string{}
	}
	c.fp[surveyID] = fp
}

// claimPlan makes sure the survey's tallies are kept to p, or says why
// they cannot be.
func (s *Store) claimPlan(ctx context.Context, p store.TallyPlan) error {
	fp := p.Fingerprint()
	plans := s.responses.Database().Collection(tallyPlansCollection)
	var kept struct {
		Fingerprint string `bson:"fingerprint"`
	}
	err := plans.FindOne(ctx, bson.D{{Key: "_id", Value: p.SurveyID}}).Decode(&kept)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return errorf("mongo: find tally plan: %w", err)
	}
	claimed := s.claims.get(p.SurveyID)
	switch {
	case kept.Fingerprint == fp:
	case claimed == fp:
		return errorf("mongo: tallies of %s: another instance keeps them to plan %s, this instance's plan is %s: %w", p.SurveyID, kept.Fingerprint, fp, errPlanConflict)
	default:
		_, err := written(ctx, asUpsertByKey, func() (*mongo.UpdateResult, error) {
			return plans.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.SurveyID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "fingerprint", Value: fp}}}}, options.UpdateOne().SetUpsert(true))
		})
		if err != nil {
			return errorf("mongo: set tally plan: %w", err)
		}
		// With no plan recorded yet, the responses marked counted were
		// counted under this plan or are pending under it: nothing to
		// rebuild.
		if kept.Fingerprint != "" {
			if err := s.rebuild(ctx, p.SurveyID, ""); err != nil {
				return err
			}
		}
	}
	if claimed != fp {
		s.claims.set(p.SurveyID, fp)
	}
	return nil
}
