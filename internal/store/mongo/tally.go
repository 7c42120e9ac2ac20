package mongo

import (
	"context"
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
//  3. It marks the response tallied: <plan fingerprint>, on condition that
//     tallied still holds the value read before step 2.
//
// A response whose tallied is not the plan's fingerprint is pending: every
// Tallies and Recount first catches up the survey's pending responses
// through steps 2 and 3, which are idempotent. So a crash between steps
// leaves a response pending, not lost, and after a change of plan every
// response is pending under the new one. applied is never pruned, so the
// guarantee does not depend on timing; to bound its size, tally documents
// are per (survey, round, cell, plan, day of the response's ObjectID), so
// applied holds one cell's responses of one day.
//
// A deletion (erasure, retention) rebuilds the round rather than decrement
// it: the round's tally documents are deleted, then every response of the
// round is given a tallied value nobody has read, which makes it pending,
// and catch-up counts the round again (rebuild.go). The condition in
// step 3 is what makes this exact while other requests and instances
// count: a step 3 whose step 2 went into a document the rebuild deleted
// either comes before the rebuild changes tallied (which then undoes it) or
// finds tallied changed and leaves the response pending. Without it, the
// response would be marked counted with its count deleted. So a rebuild
// needs no check afterwards, and two at once are as safe as one. The one
// count a rebuild cannot undo is of a response deleted before the count
// (read while pending, deleted, its round rebuilt, then counted): step 3
// finds it gone, and apply rebuilds the round again.
//
// Each instance tallies to the plan made from its own survey files. The
// plan the survey's tallies are kept to is recorded in tally_plans: see
// claimPlan for what happens when instances' plans differ.

const (
	talliesCollection    = "tallies"
	tallyPlansCollection = "tally_plans"    // survey ID → the fingerprint tallied to
	rebuildsCollection   = "tally_rebuilds" // rebuilds under way: see beginRebuild
)

// PlanTallies sets what Submit counts for each survey.
func (s *Store) PlanTallies(plans ...store.TallyPlan) { s.tally.Set(plans...) }

func (s *Store) plan(surveyID string) (store.TallyPlan, bool) { return s.tally.Get(surveyID) }

func (s *Store) tallies() *mongo.Collection {
	return s.responses.Database().Collection(talliesCollection)
}

// storedResponse is what counting a response reads of it.
type storedResponse struct {
	ID         bson.ObjectID     `bson:"_id"`
	Round      string            `bson:"round"`
	Answers    map[string]string `bson:"answers"`
	Invitation string            `bson:"invitation"`
	Tallied    string            `bson:"tallied"` // as read, before counting
}

// apply counts one stored response under p: steps 2 and 3 above. If the
// mark finds the response gone, it was deleted after it was read, and the
// count may have gone in after the deletion's rebuild, into a document
// that rebuild had already cleared: the round is rebuilt again, which
// drops it.
func (s *Store) apply(ctx context.Context, p store.TallyPlan, d storedResponse) error {
	if err := s.count(ctx, p, d); err != nil {
		return err
	}
	marked, err := s.markCounted(ctx, p, d)
	if err != nil || marked {
		return err
	}
	n, err := s.responses.CountDocuments(ctx, bson.D{{Key: "_id", Value: d.ID}})
	if err != nil {
		return errorf("mongo: find counted response: %w", err)
	}
	if n == 0 {
		return s.rebuild(ctx, p.SurveyID, d.Round)
	}
	return nil
}

// count adds a response to its tally document, once: step 2.
func (s *Store) count(ctx context.Context, p store.TallyPlan, d storedResponse) error {
	fp := p.Fingerprint()
	r := survey.Response{SurveyID: p.SurveyID, Round: d.Round, Answers: d.Answers, Invitation: d.Invitation}
	cell := p.CellOf(r)
	docID := strings.Join([]string{p.SurveyID, r.Round, fp, strings.Join(cell[:], "\x1f"), d.ID.Timestamp().UTC().Format("2006-01-02")}, "\x1e")
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
		{Key: "$push", Value: bson.D{{Key: "applied", Value: d.ID}}},
		{Key: "$setOnInsert", Value: bson.D{
			{Key: "survey_id", Value: p.SurveyID}, {Key: "round", Value: r.Round},
			{Key: "fingerprint", Value: fp}, {Key: "cell", Value: cell[:]},
		}},
	}
	filter := bson.D{{Key: "_id", Value: docID}, {Key: "applied", Value: bson.D{{Key: "$ne", Value: d.ID}}}}
	// A duplicate key means the document exists but the filter did not
	// match it: either the response is counted already, or another
	// request created the cell's document first. Once more tells which:
	// the document is there now, so only "counted already" is a duplicate.
	var err error
	for try := 0; try < 2; try++ {
		_, err = written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
			return s.tallies().UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		})
		if !isDuplicateKey(err) {
			break
		}
	}
	if err != nil && !isDuplicateKey(err) {
		return errorf("mongo: tally response: %w", err)
	}
	return nil
}

// markCounted marks a response counted under p if its tallied field is
// still what it was before count: step 3. If a rebuild changed it since,
// the response stays pending and catch-up counts it again. It reports
// whether it marked the response.
func (s *Store) markCounted(ctx context.Context, p store.TallyPlan, d storedResponse) (bool, error) {
	var seen any = d.Tallied
	if d.Tallied == "" { // "" or no field: stored before tallies existed
		seen = bson.D{{Key: "$in", Value: bson.A{nil, ""}}}
	}
	filter := bson.D{{Key: "_id", Value: d.ID}, {Key: "tallied", Value: seen}}
	res, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.responses.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "tallied", Value: p.Fingerprint()}}}})
	})
	if err != nil {
		return false, errorf("mongo: mark response tallied: %w", err)
	}
	return res.MatchedCount == 1, nil
}

// tallyNew counts a response Submit has just inserted, if its survey has a
// plan. A failure leaves it for catch-up, so Submit does not fail on it.
func (s *Store) tallyNew(ctx context.Context, id any, r survey.Response) {
	p, ok := s.plan(r.SurveyID)
	oid, isOID := id.(bson.ObjectID)
	if ok && isOID {
		_ = s.apply(ctx, p, storedResponse{ID: oid, Round: r.Round, Answers: r.Answers, Invitation: r.Invitation})
	}
}

// catchUp makes the survey's tallies whole under p before a read: it
// claims the survey for p, redoes any rebuild whose process died, and
// counts every pending response.
func (s *Store) catchUp(ctx context.Context, p store.TallyPlan) error {
	if err := s.claimPlan(ctx, p); err != nil {
		return err
	}
	if err := s.redoAbandonedRebuilds(ctx, p.SurveyID); err != nil {
		return err
	}
	return s.applyPending(ctx, p)
}

// applyPending counts every pending response of the survey: those whose
// tallied is not p's fingerprint, which the index on (survey_id, tallied)
// finds without reading the others. They are read through a cursor, a
// batch at a time, so that counting a whole survey again (after a change of
// plan) does not hold it in memory.
func (s *Store) applyPending(ctx context.Context, p store.TallyPlan) error {
	filter := bson.D{{Key: "survey_id", Value: p.SurveyID}, {Key: "tallied", Value: bson.D{{Key: "$ne", Value: p.Fingerprint()}}}}
	opts := options.Find().SetProjection(bson.D{{Key: "round", Value: 1}, {Key: "answers", Value: 1}, {Key: "invitation", Value: 1}, {Key: "tallied", Value: 1}}).SetBatchSize(pendingBatch)
	cur, err := s.responses.Find(ctx, filter, opts)
	if err != nil {
		return errorf("mongo: find untallied responses: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d storedResponse
		if err := cur.Decode(&d); err != nil {
			return errorf("mongo: decode untallied response: %w", err)
		}
		if err := s.apply(ctx, p, d); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return errorf("mongo: read untallied responses: %w", err)
	}
	return nil
}

// pendingBatch is how many pending responses applyPending reads at a time.
const pendingBatch = 500

// Tallies catches up untallied responses, then sums the kept cells the
// filter keeps, in the client (sums.go): no $unwind or $group is needed.
func (s *Store) Tallies(ctx context.Context, p store.TallyPlan, rounds []string, f store.Filter) (map[string]*store.Counts, error) {
	if err := s.catchUp(ctx, p); err != nil {
		return nil, err
	}
	sums := map[string]*cellSum{}
	err := s.sumTallies(ctx, p, rounds, f, true, func(round string, cell store.Cell) *cellSum {
		if sums[round] == nil {
			sums[round] = &cellSum{}
		}
		return sums[round]
	})
	if err != nil {
		return nil, err
	}
	out := map[string]*store.Counts{}
	for _, r := range rounds {
		out[r] = store.NewCounts()
	}
	for round, sum := range sums {
		out[round] = sum.result()
	}
	return out, nil
}

// Recount recounts a round from its responses and compares. Any
// difference is repaired by rebuilding the round (rebuild.go), which is
// exact with submissions and reads going on, so the repair needs no check.
// A response submitted during the recount, not yet counted when the kept
// tallies were read, shows as a difference and costs a needless rebuild.
func (s *Store) Recount(ctx context.Context, p store.TallyPlan, round string) (store.RecountResult, error) {
	var res store.RecountResult
	if err := s.catchUp(ctx, p); err != nil {
		return res, err
	}
	kept, err := s.keptCells(ctx, p, []string{round}, true)
	if err != nil {
		return res, err
	}
	fresh, n, err := s.freshCells(ctx, p, round)
	if err != nil {
		return res, err
	}
	res.Responses = n
	res.Differences = store.Differences(kept[round], fresh)
	if res.Differences == 0 {
		return res, nil
	}
	if err := s.rebuild(ctx, p.SurveyID, round); err != nil {
		return res, err
	}
	return res, s.catchUp(ctx, p)
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
