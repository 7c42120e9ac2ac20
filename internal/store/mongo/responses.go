package mongo

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// responseDoc is a response as stored: one document, field names in
// snake_case. The bson tags live here so that package survey knows nothing
// of MongoDB. _id is left to the driver (an ObjectID) and breaks ties in
// submission order.
type responseDoc struct {
	Reference     string            `bson:"reference"`
	SurveyID      string            `bson:"survey_id"`
	Version       string            `bson:"version"`
	Round         string            `bson:"round"`
	Answers       map[string]string `bson:"answers"`
	Submitted     time.Time         `bson:"submitted"`
	SubmissionKey string            `bson:"submission_key"`
	RespondentKey string            `bson:"respondent_key"`
	Invitation    string            `bson:"invitation"`
	Tallied       string            `bson:"tallied"` // the plan it was counted under: see tally.go
	// Layout and Closed are its closed answers (store.SummaryOf): see
	// summary.go. Layout 0 (missing): none kept, the answers are read.
	Layout int64  `bson:"layout,omitempty"`
	Closed string `bson:"closed,omitempty"`
	// Mail is the mail the response raised (its safeguarding alert), kept
	// in its document until ClaimMail moves it into the queue (pending.go):
	// one write stores both, as the embedded store's transaction does.
	Mail []mailDoc `bson:"mail,omitempty"`
}

func toResponseDoc(r survey.Response) responseDoc {
	return responseDoc{
		Reference:     r.Reference,
		SurveyID:      r.SurveyID,
		Version:       r.Version,
		Round:         r.Round,
		Answers:       nonNil(r.Answers),
		Submitted:     r.Submitted.UTC().Truncate(time.Millisecond), // BSON dates keep milliseconds
		SubmissionKey: r.SubmissionKey,
		RespondentKey: r.RespondentKey,
		Invitation:    r.Invitation,
	}
}

func (d responseDoc) response() survey.Response {
	return survey.Response{
		Reference:     d.Reference,
		SurveyID:      d.SurveyID,
		Version:       d.Version,
		Round:         d.Round,
		Answers:       d.Answers,
		Submitted:     d.Submitted.UTC(),
		SubmissionKey: d.SubmissionKey,
		RespondentKey: d.RespondentKey,
		Invitation:    d.Invitation,
	}
}

// nonNil stores a missing map as an empty sub-document rather than null, so
// that every document has the same shape for queries and aggregations.
func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Submit stores r as one document, then deletes its draft and counts it.
//
// The unique indexes decide the outcome: if the insert fails on a duplicate
// key and a response with r.SubmissionKey exists, this is a repeated submit
// and Submit returns the stored response; otherwise r.Reference was taken
// and Submit returns store.ErrConflict.
//
// Once the response is stored, the respondent is told so: the draft clean-up
// and the count that follow run to a deadline of their own (afterStored),
// not the request's, and a failure of theirs does not fail the send. An
// insert that fails in a way that leaves its outcome unknown (the request's
// deadline passing while the server works, a connection lost) is settled by
// looking for the response: found, it was stored.
//
// The mail in queue is stored in the response's document (pending.go), so
// that one insert stores both or neither.
func (s *Store) Submit(ctx context.Context, r survey.Response, queue ...store.MailMessage) (survey.Response, error) {
	doc := toResponseDoc(r)
	for _, m := range queue {
		doc.Mail = append(doc.Mail, toMailDoc(m))
	}
	s.summarise(ctx, &doc) // summary.go
	if err := s.useInvitation(ctx, r); err != nil {
		return survey.Response{}, err
	}
	res, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.responses.InsertOne(ctx, doc) })
	if err == nil {
		store.Stored(ctx)
		stored := doc.response()
		s.afterStored(ctx, res.InsertedID, stored)
		return stored, nil
	}
	if unsent(err) {
		return survey.Response{}, errorf("mongo: insert response: %w", err)
	}
	// Stored before, by this submit's first attempt or another's, or
	// perhaps by this insert: whichever, the stored one is the answer.
	first, ferr := s.settle(ctx, r.SubmissionKey)
	switch {
	case ferr == nil:
		s.afterStored(ctx, nil, first)
		return first, nil
	case isDuplicateKey(err) && errors.Is(ferr, store.ErrNotFound):
		return survey.Response{}, errorf("mongo: insert response: reference %s: %w", r.Reference, store.ErrConflict)
	case isDuplicateKey(err):
		return survey.Response{}, ferr
	}
	return survey.Response{}, errorf("mongo: insert response: %w", err)
}

// unsent says whether err shows that the insert never reached a server:
// none could be selected, no pooled connection came in time (or the pool
// was cleared after another connection failed), or the driver
// would not send it so near the deadline. Then nothing was stored, and the
// respondent is told at once (within the deadline, while MongoDB is down)
// rather than after a look that could not succeed either.
func unsent(err error) bool {
	var sse topology.ServerSelectionError
	var wqe topology.WaitQueueTimeoutError
	var cleared driver.RetryablePoolError // the pool was cleared or paused at check-out
	return errors.As(err, &sse) || errors.As(err, &wqe) || errors.As(err, &cleared) ||
		errors.Is(err, driver.ErrDeadlineWouldBeExceeded) || errors.Is(err, mongo.ErrClientDisconnected)
}

// settle finds the response stored from a draft after an insert whose
// outcome is unknown, to a deadline of its own (Settings.AfterStored): the
// request's may be what failed the insert. While MongoDB cannot be
// reached (a server killed as the insert reached it, and started again) it
// asks again every quarter of a second, so that a respondent whose answers
// were stored is told so once the server is back, rather than "not sent".
// Only sends in flight at the moment of a failure wait for it.
func (s *Store) settle(ctx context.Context, submissionKey string) (survey.Response, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.settings.afterStored())
	defer cancel()
	for {
		r, err := s.SubmittedResponse(ctx, submissionKey)
		if err == nil || !errors.Is(err, store.ErrUnavailable) {
			return r, err
		}
		select {
		case <-ctx.Done():
			return r, err
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// afterStored is the work after a response is stored: counting it (if
// id, its _id, is known) and deleting its draft. It runs to its own
// deadline (Settings.AfterStored), not the request's, and its failures
// fail nothing: a response not counted is counted by the next read's
// catch-up (tally.go), and a draft not deleted expires through the TTL
// index.
func (s *Store) afterStored(ctx context.Context, id any, r survey.Response) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.settings.afterStored())
	defer cancel()
	if id != nil {
		s.tallyNew(ctx, id, r)
	}
	sent := bson.D{{Key: "_id", Value: r.SubmissionKey}}
	_, _ = written(ctx, asWrite, func() (*mongo.DeleteResult, error) { return s.drafts.DeleteOne(ctx, sent) })
}

// Response returns the response with the given reference, or an error
// wrapping store.ErrNotFound.
func (s *Store) Response(ctx context.Context, reference string) (survey.Response, error) {
	return s.findResponse(ctx, "reference", reference)
}

// SubmittedResponse returns the response stored from a draft, or an error
// wrapping store.ErrNotFound.
func (s *Store) SubmittedResponse(ctx context.Context, submissionKey string) (survey.Response, error) {
	return s.findResponse(ctx, "submission_key", submissionKey)
}

func (s *Store) findResponse(ctx context.Context, field, value string) (survey.Response, error) {
	var d responseDoc
	err := s.responses.FindOne(ctx, bson.D{{Key: field, Value: value}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return survey.Response{}, errorf("mongo: response by %s: %w", field, store.ErrNotFound)
	}
	if err != nil {
		return survey.Response{}, errorf("mongo: find response by %s: %w", field, err)
	}
	return d.response(), nil
}

// EachResponse streams the responses to a survey in the given rounds (all
// rounds when rounds is empty), oldest first, through a cursor, so that a
// report over a whole round never holds it in memory. It stops at the first
// error fn returns and returns that error unwrapped.
func (s *Store) EachResponse(ctx context.Context, surveyID string, rounds []string, fn func(survey.Response) error) error {
	filter := bson.D{{Key: "survey_id", Value: surveyID}}
	if len(rounds) > 0 {
		filter = append(filter, bson.E{Key: "round", Value: bson.D{{Key: "$in", Value: rounds}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "submitted", Value: 1}, {Key: "_id", Value: 1}})
	cur, err := s.responses.Find(ctx, filter, opts)
	if err != nil {
		return errorf("mongo: find responses to %s: %w", surveyID, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d responseDoc
		if err := cur.Decode(&d); err != nil {
			return errorf("mongo: decode response: %w", err)
		}
		if err := fn(d.response()); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return errorf("mongo: read responses to %s: %w", surveyID, err)
	}
	return nil
}
