package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

// Mail a response raises (a child's safeguarding alert) is stored in the
// response's own document (responseDoc.Mail) by the one insert that
// stores the response: with no multi-document transactions, that is the
// only write that stores both or neither. queuePending moves it into the
// queue later. It is safe to run any number of times, from any number of
// instances at once: each message's id is its own (an alert's is its
// response's reference), and a message whose id is queued already is not
// queued again (QueueMail); the mail is cleared from the response only
// once it is in the queue.

// pendingIndex is the sparse index of the responses that carry mail not
// yet queued: it holds only those, a handful at most, so looking for them
// at every claim costs nothing, whatever the number of responses.
const pendingIndex = "mail_pending"

// hasPending matches the responses that carry mail not yet queued.
var hasPending = bson.E{Key: "mail._id", Value: bson.D{{Key: "$exists", Value: true}}}

func (s *Store) createPendingIndex(ctx context.Context) error {
	model := mongo.IndexModel{Keys: bson.D{{Key: "mail._id", Value: 1}}, Options: options.Index().SetName(pendingIndex).SetSparse(true)}
	if _, err := s.responses.Indexes().CreateOne(ctx, model); err != nil {
		return errorf("mongo: create index %s.%s: %w", s.responses.Name(), pendingIndex, err)
	}
	return nil
}

// queuePending moves the mail carried by the responses that match filter
// into the queue, and then clears it from each.
func (s *Store) queuePending(ctx context.Context, filter bson.D) error {
	type pending struct {
		ID   any       `bson:"_id"`
		Mail []mailDoc `bson:"mail"`
	}
	// No sort: one by _id could lead the server to walk the whole
	// collection in _id order rather than use the sparse index.
	cur, err := s.responses.Find(ctx, append(filter[:len(filter):len(filter)], hasPending), options.Find().SetProjection(bson.D{{Key: "mail", Value: 1}}))
	if err != nil {
		return errorf("mongo: pending mail: %w", err)
	}
	var found []pending
	if err := cur.All(ctx, &found); err != nil {
		return errorf("mongo: pending mail: %w", err)
	}
	if len(found) == 0 {
		return nil
	}
	// All of it queued, then cleared from every response in one update:
	// a move cut short leaves mail that the next finds queued already.
	var msgs []store.MailMessage
	ids := make([]any, len(found))
	for i, p := range found {
		ids[i] = p.ID
		for _, d := range p.Mail {
			msgs = append(msgs, d.message())
		}
	}
	if _, err := s.QueueMail(ctx, msgs); err != nil {
		return errorf("mongo: pending mail: %w", err)
	}
	_, err = written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.responses.UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "mail", Value: ""}}}})
	})
	if err != nil {
		return errorf("mongo: pending mail: clear: %w", err)
	}
	return nil
}
