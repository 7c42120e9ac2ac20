package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Contact lists are a collection of their own, away from responses; the
// mail queue is another, whose documents hold no address.
const (
	contactsCollection = "contacts"
	mailCollection     = "mail"
)

func (s *Store) contacts() *mongo.Collection {
	return s.responses.Database().Collection(contactsCollection)
}
func (s *Store) mail() *mongo.Collection { return s.responses.Database().Collection(mailCollection) }

type contactDoc struct {
	ID            string    `bson:"_id"`
	SurveyID      string    `bson:"survey_id"`
	Round         string    `bson:"round"`
	Organisation  string    `bson:"organisation"`
	Email         string    `bson:"email"`
	Name          string    `bson:"name"`
	Language      string    `bson:"language,omitempty"`
	InvitationKey string    `bson:"invitation_key"`
	OptedOut      bool      `bson:"opted_out"`
	Created       time.Time `bson:"created"`
	Batch         string    `bson:"batch,omitempty"` // the AddContacts that stored it, for undoing
}

func (d contactDoc) contact() store.Contact {
	return store.Contact{ID: d.ID, SurveyID: d.SurveyID, Round: d.Round, Organisation: d.Organisation, Email: d.Email, Name: d.Name,
		Language: d.Language, InvitationKey: d.InvitationKey, OptedOut: d.OptedOut, Created: utc(d.Created)}
}

type mailDoc struct {
	ID           string    `bson:"_id"`
	ContactID    string    `bson:"contact_id"`
	SurveyID     string    `bson:"survey_id"`
	Round        string    `bson:"round"`
	Organisation string    `bson:"organisation"`
	Kind         string    `bson:"kind"`
	State        string    `bson:"state"`
	Attempts     int       `bson:"attempts"`
	NextAttempt  time.Time `bson:"next_attempt"`
	LeasedUntil  time.Time `bson:"leased_until"`
	Owner        string    `bson:"owner"`
	Reason       string    `bson:"reason"`
	Created      time.Time `bson:"created"`
	Finished     time.Time `bson:"finished"`
	Batch        string    `bson:"batch,omitempty"`
}

func (d mailDoc) message() store.MailMessage {
	return store.MailMessage{ID: d.ID, ContactID: d.ContactID, SurveyID: d.SurveyID, Round: d.Round, Organisation: d.Organisation,
		Kind: d.Kind, State: d.State, Attempts: d.Attempts, NextAttempt: utc(d.NextAttempt), LeasedUntil: utc(d.LeasedUntil),
		Owner: d.Owner, Reason: d.Reason, Created: utc(d.Created), Finished: utc(d.Finished)}
}

func toMailDoc(m store.MailMessage) mailDoc {
	return mailDoc{ID: m.ID, ContactID: m.ContactID, SurveyID: m.SurveyID, Round: m.Round, Organisation: m.Organisation,
		Kind: m.Kind, State: store.MailQueued, NextAttempt: ms(m.NextAttempt), Created: ms(m.Created)}
}

func (s *Store) createContactIndexes(ctx context.Context) error {
	for _, ix := range []struct {
		coll *mongo.Collection
		name string
		keys bson.D
	}{
		{s.contacts(), "survey_round_created", bson.D{{Key: "survey_id", Value: 1}, {Key: "round", Value: 1}, {Key: "created", Value: 1}}},
		{s.mail(), "state_next_attempt", bson.D{{Key: "state", Value: 1}, {Key: "next_attempt", Value: 1}}},
		{s.mail(), "contact", bson.D{{Key: "contact_id", Value: 1}}},
		{s.mail(), "survey_round", bson.D{{Key: "survey_id", Value: 1}, {Key: "round", Value: 1}}},
	} {
		model := mongo.IndexModel{Keys: ix.keys, Options: options.Index().SetName(ix.name)}
		if _, err := ix.coll.Indexes().CreateOne(ctx, model); err != nil {
			return errorf("mongo: create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	return nil
}

// AddContacts stores invitations, contacts and messages. With no
// multi-document transactions, every document carries this call's batch
// id, and a failure part-way deletes that batch's documents, so that
// nothing is left half-imported.
func (s *Store) AddContacts(ctx context.Context, cs []store.Contact, invs []survey.Invitation, msgs []store.MailMessage) error {
	if len(cs) == 0 && len(invs) == 0 {
		return nil
	}
	batch := newBatch()
	invDocs := make([]any, len(invs))
	for i, inv := range invs {
		invDocs[i] = invitationDoc{inv.Key, inv.SurveyID, inv.Round, inv.Organisation, inv.RespondentKey, ms(inv.Created), batch}
	}
	contactDocs := make([]any, len(cs))
	for i, c := range cs {
		contactDocs[i] = contactDoc{c.ID, c.SurveyID, c.Round, c.Organisation, c.Email, c.Name, c.Language, c.InvitationKey, c.OptedOut, ms(c.Created), batch}
	}
	mailDocs := make([]any, len(msgs))
	for i, m := range msgs {
		d := toMailDoc(m)
		d.Batch = batch
		mailDocs[i] = d
	}
	var err error
	for _, step := range []struct {
		coll *mongo.Collection
		docs []any
	}{{s.invitations, invDocs}, {s.contacts(), contactDocs}, {s.mail(), mailDocs}} {
		if len(step.docs) == 0 {
			continue
		}
		if _, err = step.coll.InsertMany(ctx, step.docs); err != nil {
			break
		}
	}
	if err == nil {
		return nil
	}
	// Undo, with a context of its own: the request's may be what failed.
	undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	mine := bson.D{{Key: "batch", Value: batch}}
	_, e1 := s.mail().DeleteMany(undo, mine)
	_, e2 := s.contacts().DeleteMany(undo, mine)
	_, e3 := s.invitations.DeleteMany(undo, mine)
	return errorf("mongo: add contacts: %w", errors.Join(err, e1, e2, e3))
}

// newBatch is a random id for one AddContacts.
func newBatch() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Contact returns a contact by id.
func (s *Store) Contact(ctx context.Context, id string) (store.Contact, error) {
	var d contactDoc
	err := s.contacts().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Contact{}, errorf("mongo: contact: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Contact{}, errorf("mongo: contact: %w", err)
	}
	return d.contact(), nil
}

// RoundContacts reads a round's contacts, its messages and its invitation
// uses, and joins them here (three indexed reads, no $lookup).
func (s *Store) RoundContacts(ctx context.Context, surveyID, round string, fn func(store.ContactState) error) error {
	filter := bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}}
	reminders, pending, refused := map[string]int{}, map[string]bool{}, map[string]bool{}
	err := eachWhere(ctx, s.mail(), filter, bson.D{{Key: "_id", Value: 1}}, func(d mailDoc) error {
		if d.Kind == store.MailReminder {
			reminders[d.ContactID]++
		}
		if d.State == store.MailQueued {
			pending[d.ContactID] = true
		}
		if d.State == store.MailFailed && strings.HasPrefix(d.Reason, store.ReasonRefused) {
			refused[d.ContactID] = true
		}
		return nil
	})
	if err != nil {
		return errorf("mongo: round contacts: %w", err)
	}
	used := map[string]bool{}
	err = eachWhere(ctx, s.uses, filter, bson.D{{Key: "_id", Value: 1}}, func(d useDoc) error {
		used[d.Key] = true
		return nil
	})
	if err != nil {
		return errorf("mongo: round contacts: %w", err)
	}
	return eachWhere(ctx, s.contacts(), filter, bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, func(d contactDoc) error {
		return fn(store.ContactState{Contact: d.contact(), Used: used[d.InvitationKey], Reminders: reminders[d.ID], Pending: pending[d.ID], Refused: refused[d.ID]})
	})
}

// OptOut marks a contact opted out, then fails its queued messages. A
// worker that claimed one in between reads the contact before it sends,
// and sends nothing.
func (s *Store) OptOut(ctx context.Context, id string, now time.Time) error {
	res, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.contacts().UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "opted_out", Value: true}}}})
	})
	if err != nil {
		return errorf("mongo: opt out: %w", err)
	}
	if res.MatchedCount == 0 {
		return errorf("mongo: opt out: %w", store.ErrNotFound)
	}
	_, err = written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.mail().UpdateMany(ctx, bson.D{{Key: "contact_id", Value: id}, {Key: "state", Value: store.MailQueued}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: store.MailFailed}, {Key: "reason", Value: store.ReasonOptedOut},
				{Key: "owner", Value: ""}, {Key: "leased_until", Value: time.Time{}}, {Key: "finished", Value: ms(now)}}}})
	})
	if err != nil {
		return errorf("mongo: opt out: %w", err)
	}
	return nil
}

// QueueMail inserts each message whose contact is there and has not opted
// out, and each alert (no contact); an id already taken (the same message
// queued by another instance) is skipped.
func (s *Store) QueueMail(ctx context.Context, msgs []store.MailMessage) (int, error) {
	added := 0
	for _, m := range msgs {
		if m.ContactID != "" {
			var c contactDoc
			err := s.contacts().FindOne(ctx, bson.D{{Key: "_id", Value: m.ContactID}}).Decode(&c)
			if errors.Is(err, mongo.ErrNoDocuments) || (err == nil && c.OptedOut) {
				continue
			}
			if err != nil {
				return added, errorf("mongo: queue mail: %w", err)
			}
		}
		_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.mail().InsertOne(ctx, toMailDoc(m)) })
		if isDuplicateKey(err) {
			continue
		}
		if err != nil {
			return added, errorf("mongo: queue mail: %w", err)
		}
		added++
	}
	return added, nil
}

// ClaimMail leases due messages one at a time with findOneAndUpdate,
// which MongoDB applies to one document atomically: of instances racing
// for a message, one matches it while its lease is free. It first moves
// into the queue the mail stored with responses (pending.go).
func (s *Store) ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.MailMessage, error) {
	if err := s.queuePending(ctx, bson.D{}); err != nil {
		return nil, err
	}
	var out []store.MailMessage
	filter := bson.D{{Key: "state", Value: store.MailQueued}, {Key: "next_attempt", Value: bson.D{{Key: "$lte", Value: ms(now)}}},
		{Key: "leased_until", Value: bson.D{{Key: "$lte", Value: ms(now)}}}}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: owner}, {Key: "leased_until", Value: ms(now.Add(lease))}}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}}}
	opts := options.FindOneAndUpdate().SetSort(bson.D{{Key: "next_attempt", Value: 1}, {Key: "_id", Value: 1}}).SetReturnDocument(options.After)
	for len(out) < limit {
		var d mailDoc
		_, err := written(ctx, asWrite, func() (struct{}, error) {
			return struct{}{}, s.mail().FindOneAndUpdate(ctx, filter, update, opts).Decode(&d)
		})
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return out, errorf("mongo: claim mail: %w", err)
		}
		out = append(out, d.message())
	}
	return out, nil
}

// FinishMail records an attempt's outcome if owner still holds the lease.
func (s *Store) FinishMail(ctx context.Context, m store.MailMessage, now time.Time) error {
	var finished time.Time
	if m.State != store.MailQueued {
		finished = ms(now)
	}
	res, err := written(ctx, asWrite, func() (*mongo.UpdateResult, error) {
		return s.mail().UpdateOne(ctx, bson.D{{Key: "_id", Value: m.ID}, {Key: "owner", Value: m.Owner}, {Key: "state", Value: store.MailQueued}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "state", Value: m.State}, {Key: "reason", Value: m.Reason}, {Key: "next_attempt", Value: ms(m.NextAttempt)},
				{Key: "owner", Value: ""}, {Key: "leased_until", Value: time.Time{}}, {Key: "finished", Value: finished}}}})
	})
	if err != nil {
		return errorf("mongo: finish mail: %w", err)
	}
	if res.MatchedCount == 0 {
		return errorf("mongo: finish mail: %w", store.ErrConflict)
	}
	return nil
}

// MailCounts counts a round's messages by organisation, kind, state and
// reason.
func (s *Store) MailCounts(ctx context.Context, surveyID, round string) ([]store.MailCount, error) {
	counts := map[store.MailCount]int{}
	var order []store.MailCount
	err := eachWhere(ctx, s.mail(), bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}, {Key: "contact_id", Value: bson.D{{Key: "$ne", Value: ""}}}},
		bson.D{{Key: "organisation", Value: 1}, {Key: "kind", Value: 1}, {Key: "state", Value: 1}, {Key: "reason", Value: 1}}, func(d mailDoc) error {
			k := store.MailCount{Organisation: d.Organisation, Kind: d.Kind, State: d.State}
			if d.State != store.MailSent {
				k.Reason = d.Reason
			}
			if counts[k] == 0 {
				order = append(order, k)
			}
			counts[k]++
			return nil
		})
	if err != nil {
		return nil, errorf("mongo: mail counts: %w", err)
	}
	out := make([]store.MailCount, len(order))
	for i, k := range order {
		k.N = counts[k]
		out[i] = k
	}
	return out, nil
}

// DeleteContacts deletes a round's messages, then its contacts. The
// round's alerts still carried by its responses are queued first, so that
// deleting all its contacts deletes them as it deletes those queued.
func (s *Store) DeleteContacts(ctx context.Context, surveyID, round, organisation string) (int, error) {
	filter := bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}}
	if organisation != "" {
		filter = append(filter, bson.E{Key: "organisation", Value: organisation})
	} else if err := s.queuePending(ctx, filter); err != nil {
		return 0, errorf("mongo: delete contacts: %w", err)
	}
	if _, err := s.mail().DeleteMany(ctx, filter); err != nil {
		return 0, errorf("mongo: delete contacts: %w", err)
	}
	res, err := s.contacts().DeleteMany(ctx, filter)
	if err != nil {
		return 0, errorf("mongo: delete contacts: %w", err)
	}
	return int(res.DeletedCount), nil
}

// AllContacts calls fn for every contact, oldest first.
func (s *Store) AllContacts(ctx context.Context, fn func(store.Contact) error) error {
	return eachWhere(ctx, s.contacts(), bson.D{}, bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, func(d contactDoc) error {
		return fn(d.contact())
	})
}
