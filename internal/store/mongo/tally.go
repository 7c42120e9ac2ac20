package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Tallies without multi-document transactions. A standalone MongoDB has
// none, so a response and its counts cannot be written together. Instead:
//
//  1. Submit inserts the response with tallied: "" (not yet counted).
//  2. It adds the response to its tally document with ONE conditional
//     update: filter {_id: cell+day, applied: {$ne: responseID}}, update
//     {$inc: counts, $push: {applied: responseID}}, upsert. MongoDB applies
//     an update to one document atomically, so the counts and the record
//     that this response is in them change together or not at all, and a
//     second attempt (a retry, a crash and catch-up, another instance
//     catching up at the same time) matches nothing, or fails on the
//     duplicate _id of the upsert: it cannot count the response twice.
//  3. It marks the response tallied: <plan fingerprint>.
//
// A crash between 1 and 2, or 2 and 3, leaves the response untallied;
// every Tallies and Recount first catches up the survey's untallied
// responses through step 2, which is idempotent. applied is never pruned,
// so the guarantee does not depend on timing; to bound its size, tally
// documents are per (survey, round, cell, plan, day of the response's
// ObjectID), so applied holds one cell's responses of one day.
//
// Tally documents carry the plan fingerprint, and "tallied" holds the
// fingerprint the response was counted under. After a change of plan,
// catch-up marks every response untallied once and counts them into new
// documents. All instances must run the same survey files: an instance
// still on the old plan would mark responses counted under it, which the
// reads (new plan) do not see until a recount.

const (
	talliesCollection    = "tallies"
	tallyPlansCollection = "tally_plans" // survey ID → the fingerprint tallied to
)

// PlanTallies sets what Submit counts for each survey.
func (s *Store) PlanTallies(plans ...store.TallyPlan) { s.tally.Set(plans...) }

func (s *Store) plan(surveyID string) (store.TallyPlan, bool) { return s.tally.Get(surveyID) }

func (s *Store) tallies() *mongo.Collection {
	return s.responses.Database().Collection(talliesCollection)
}

// tallyDoc is one cell's counts for one day of responses.
type tallyDoc struct {
	ID          string                    `bson:"_id"`
	SurveyID    string                    `bson:"survey_id"`
	Round       string                    `bson:"round"`
	Fingerprint string                    `bson:"fingerprint"`
	Cell        []string                  `bson:"cell"`
	Responses   int                       `bson:"responses"`
	Counts      map[string]map[string]int `bson:"counts"`
}

// apply counts one stored response under p: steps 2 and 3 above.
func (s *Store) apply(ctx context.Context, p store.TallyPlan, id bson.ObjectID, r survey.Response) error {
	fp := p.Fingerprint()
	cell := p.CellOf(r)
	docID := strings.Join([]string{p.SurveyID, r.Round, fp, strings.Join(cell[:], "\x1f"), id.Timestamp().UTC().Format("2006-01-02")}, "\x1e")
	inc := bson.D{{Key: "responses", Value: 1}}
	c := store.NewCounts()
	c.AddResponse(p, r)
	for k, m := range c.Answers {
		for v, n := range m {
			inc = append(inc, bson.E{Key: "counts." + k + "." + v, Value: n})
		}
	}
	update := bson.D{
		{Key: "$inc", Value: inc},
		{Key: "$push", Value: bson.D{{Key: "applied", Value: id}}},
		{Key: "$setOnInsert", Value: bson.D{
			{Key: "survey_id", Value: p.SurveyID}, {Key: "round", Value: r.Round},
			{Key: "fingerprint", Value: fp}, {Key: "cell", Value: cell[:]},
		}},
	}
	filter := bson.D{{Key: "_id", Value: docID}, {Key: "applied", Value: bson.D{{Key: "$ne", Value: id}}}}
	_, err := s.tallies().UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
	if err != nil && !mongo.IsDuplicateKeyError(err) { // duplicate: already counted
		return fmt.Errorf("mongo: tally response: %w", err)
	}
	_, err = s.responses.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "tallied", Value: fp}}}})
	if err != nil {
		return fmt.Errorf("mongo: mark response tallied: %w", err)
	}
	return nil
}

// tallyNew counts a response Submit has just inserted, if its survey has a
// plan. A failure leaves it for catch-up, so Submit does not fail on it.
func (s *Store) tallyNew(ctx context.Context, id any, r survey.Response) {
	p, ok := s.plan(r.SurveyID)
	oid, isOID := id.(bson.ObjectID)
	if ok && isOID {
		_ = s.apply(ctx, p, oid, r)
	}
}

type storedResponse struct {
	ID      bson.ObjectID     `bson:"_id"`
	Round   string            `bson:"round"`
	Answers map[string]string `bson:"answers"`
}

// catchUp counts every response of the survey not yet counted under p.
// Untallied responses are found by equality (tallied: ""), which the
// index on (survey_id, tallied) answers without reading the others. When
// the survey's plan has changed (its fingerprint in tally_plans differs),
// every response is first marked untallied, once.
func (s *Store) catchUp(ctx context.Context, p store.TallyPlan) error {
	fp := p.Fingerprint()
	plans := s.responses.Database().Collection(tallyPlansCollection)
	var kept struct {
		Fingerprint string   `bson:"fingerprint"`
		Dirty       []string `bson:"dirty"` // rounds to rebuild after a deletion
	}
	err := plans.FindOne(ctx, bson.D{{Key: "_id", Value: p.SurveyID}}).Decode(&kept)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("mongo: find tally plan: %w", err)
	}
	if kept.Fingerprint != fp {
		_, err := plans.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.SurveyID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "fingerprint", Value: fp}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return fmt.Errorf("mongo: set tally plan: %w", err)
		}
		_, err = s.responses.UpdateMany(ctx, bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "tallied", Value: bson.D{{Key: "$ne", Value: fp}}}}, bson.D{{Key: "$set", Value: bson.D{{Key: "tallied", Value: ""}}}})
		if err != nil {
			return fmt.Errorf("mongo: mark responses untallied: %w", err)
		}
	}
	for _, round := range kept.Dirty {
		if err := s.rebuild(ctx, p, round); err != nil {
			return err
		}
	}
	if err := s.applyPending(ctx, p); err != nil {
		return err
	}
	if len(kept.Dirty) > 0 {
		_, err := plans.UpdateOne(ctx, bson.D{{Key: "_id", Value: p.SurveyID}}, bson.D{{Key: "$pullAll", Value: bson.D{{Key: "dirty", Value: kept.Dirty}}}})
		if err != nil {
			return fmt.Errorf("mongo: clear dirty tallies: %w", err)
		}
	}
	return nil
}

// rebuild deletes a round's tally documents and marks its responses
// untallied, for catch-up to count them again.
func (s *Store) rebuild(ctx context.Context, p store.TallyPlan, round string) error {
	_, err := s.tallies().DeleteMany(ctx, bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "round", Value: round}, {Key: "fingerprint", Value: p.Fingerprint()}})
	if err != nil {
		return fmt.Errorf("mongo: rebuild tallies: %w", err)
	}
	_, err = s.responses.UpdateMany(ctx, bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "round", Value: round}}, bson.D{{Key: "$set", Value: bson.D{{Key: "tallied", Value: ""}}}})
	if err != nil {
		return fmt.Errorf("mongo: rebuild tallies: %w", err)
	}
	return nil
}

// applyPending counts every untallied response of the survey.
func (s *Store) applyPending(ctx context.Context, p store.TallyPlan) error {
	filter := bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "tallied", Value: ""}}
	cur, err := s.responses.Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "round", Value: 1}, {Key: "answers", Value: 1}}))
	if err != nil {
		return fmt.Errorf("mongo: find untallied responses: %w", err)
	}
	var pending []storedResponse
	if err := cur.All(ctx, &pending); err != nil {
		return fmt.Errorf("mongo: read untallied responses: %w", err)
	}
	for _, d := range pending {
		if err := s.apply(ctx, p, d.ID, survey.Response{SurveyID: p.SurveyID, Round: d.Round, Answers: d.Answers}); err != nil {
			return err
		}
	}
	return nil
}

// keptCells reads a survey's tally documents under p, by round and cell.
func (s *Store) keptCells(ctx context.Context, p store.TallyPlan, rounds []string) (map[string]map[store.Cell]*store.Counts, []tallyDoc, error) {
	filter := bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "fingerprint", Value: p.Fingerprint()}}
	if len(rounds) > 0 {
		filter = append(filter, bson.E{Key: "round", Value: bson.D{{Key: "$in", Value: rounds}}})
	}
	cur, err := s.tallies().Find(ctx, filter, options.Find().SetProjection(bson.D{{Key: "applied", Value: 0}}))
	if err != nil {
		return nil, nil, fmt.Errorf("mongo: find tallies: %w", err)
	}
	var docs []tallyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, nil, fmt.Errorf("mongo: read tallies: %w", err)
	}
	out := map[string]map[store.Cell]*store.Counts{}
	for _, d := range docs {
		var cell store.Cell
		copy(cell[:], d.Cell)
		cells := out[d.Round]
		if cells == nil {
			cells = map[store.Cell]*store.Counts{}
			out[d.Round] = cells
		}
		c := cells[cell]
		if c == nil {
			c = store.NewCounts()
			cells[cell] = c
		}
		c.Responses += d.Responses
		for k, m := range d.Counts {
			for v, n := range m {
				c.Add(k, v, n)
			}
		}
	}
	return out, docs, nil
}

// Tallies catches up untallied responses, then sums the kept cells the
// filter keeps, in the client: no $unwind or $group is needed.
func (s *Store) Tallies(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter) (map[string]*store.Counts, error) {
	if err := s.catchUp(ctx, p); err != nil {
		return nil, err
	}
	kept, _, err := s.keptCells(ctx, p, rounds)
	if err != nil {
		return nil, err
	}
	out := map[string]*store.Counts{}
	for _, r := range rounds {
		out[r] = store.NewCounts()
	}
	for round, cells := range kept {
		sum := out[round]
		if sum == nil {
			sum = store.NewCounts()
			out[round] = sum
		}
		for cell, c := range cells {
			if !f.Match(cell) {
				continue
			}
			sum.Responses += c.Responses
			for k, m := range c.Answers {
				for v, n := range m {
					sum.Add(k, v, n)
				}
			}
		}
	}
	return out, nil
}

// Recount recounts a round from its responses and compares. Any
// difference is repaired by rebuilding the round's tally documents under p
// from scratch: they are deleted, then every response of the round is
// marked untallied, and catch-up counts them again. In that order, a
// response submitted during the repair is counted once all the same: if
// it lands in a new document before being marked untallied, catch-up finds
// it in applied and skips it.
func (s *Store) Recount(ctx context.Context, p store.TallyPlan, round string) (store.RecountResult, error) {
	var res store.RecountResult
	if err := s.catchUp(ctx, p); err != nil {
		return res, err
	}
	kept, _, err := s.keptCells(ctx, p, []string{round})
	if err != nil {
		return res, err
	}
	fresh, n, err := s.freshCells(ctx, p, round)
	if err != nil {
		return res, err
	}
	res.Responses = n
	res.Differences = store.Differences(kept[round], fresh)
	// A submission that tallies itself while the round is being rebuilt
	// can be marked tallied after the rebuild marked it untallied, and so
	// be missed: the repair is checked, and repeated if it has to be.
	for diff, try := res.Differences, 0; diff > 0; try++ {
		if try == 3 {
			return res, fmt.Errorf("mongo: recount %s %s: still %d differences after %d repairs", p.SurveyID, round, diff, try)
		}
		if err := s.rebuild(ctx, p, round); err != nil {
			return res, err
		}
		if err := s.catchUp(ctx, p); err != nil {
			return res, err
		}
		if kept, _, err = s.keptCells(ctx, p, []string{round}); err != nil {
			return res, err
		}
		if fresh, _, err = s.freshCells(ctx, p, round); err != nil {
			return res, err
		}
		diff = store.Differences(kept[round], fresh)
	}
	return res, nil
}

// freshCells counts a round from its stored responses, cell by cell.
func (s *Store) freshCells(ctx context.Context, p store.TallyPlan, round string) (map[store.Cell]*store.Counts, int, error) {
	fresh := map[store.Cell]*store.Counts{}
	n := 0
	err := s.EachResponse(ctx, p.SurveyID, []string{round}, func(r survey.Response) error {
		cell := p.CellOf(r)
		if fresh[cell] == nil {
			fresh[cell] = store.NewCounts()
		}
		fresh[cell].AddResponse(p, r)
		n++
		return nil
	})
	return fresh, n, err
}
