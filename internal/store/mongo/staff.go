package mongo

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

// The staff collections are reached through the database of the responses
// collection, so that the Store struct stays as it was.
func (s *Store) staffCollection(name string) *mongo.Collection {
	return s.responses.Database().Collection(name)
}

func (s *Store) accounts() *mongo.Collection { return s.staffCollection("accounts") }
func (s *Store) sessions() *mongo.Collection { return s.staffCollection("sessions") }
func (s *Store) counters() *mongo.Collection { return s.staffCollection("counters") }
func (s *Store) audit() *mongo.Collection    { return s.staffCollection("audit") }
func (s *Store) secrets() *mongo.Collection  { return s.staffCollection("secrets") }

// createStaffIndexes creates the staff collections' indexes, one per
// command like createIndexes. Sessions and counters carry TTL indexes on
// their expiry, so that MongoDB removes them (within about a minute of
// expiry; readers check the expiry themselves).
func (s *Store) createStaffIndexes(ctx context.Context) error {
	indexes := []struct {
		coll *mongo.Collection
		name string
		keys bson.D
		opts *options.IndexOptionsBuilder
	}{
		{s.accounts(), "email_unique", bson.D{{Key: "email", Value: 1}}, options.Index().SetUnique(true)},
		{s.sessions(), "expires_ttl", bson.D{{Key: "expires", Value: 1}}, options.Index().SetExpireAfterSeconds(0)},
		{s.counters(), "expires_ttl", bson.D{{Key: "expires", Value: 1}}, options.Index().SetExpireAfterSeconds(0)},
		{s.audit(), "at", bson.D{{Key: "at", Value: -1}}, options.Index()},
	}
	for _, ix := range indexes {
		model := mongo.IndexModel{Keys: ix.keys, Options: ix.opts.SetName(ix.name)}
		if _, err := ix.coll.Indexes().CreateOne(ctx, model); err != nil {
			return errorf("mongo: create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	return nil
}

type accountDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Name         string    `bson:"name"`
	Role         string    `bson:"role"`
	Organisation string    `bson:"organisation"`
	PasswordHash string    `bson:"password_hash"`
	Created      time.Time `bson:"created"`
	Disabled     bool      `bson:"disabled"`
}

// CreateAccount stores a new account; a taken email or id is ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	doc := accountDoc{
		ID: a.ID, Email: store.NormaliseEmail(a.Email), Name: a.Name, Role: a.Role, Organisation: a.Organisation,
		PasswordHash: a.PasswordHash, Created: a.Created.UTC(), Disabled: a.Disabled,
	}
	_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.accounts().InsertOne(ctx, doc) })
	if isDuplicateKey(err) {
		return errorf("mongo: create account %s: %w", doc.Email, store.ErrConflict)
	}
	if err != nil {
		return errorf("mongo: create account: %w", err)
	}
	return nil
}

// Account returns an account by id.
func (s *Store) Account(ctx context.Context, id string) (store.Account, error) {
	a, err := s.oneAccount(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return store.Account{}, errorf("mongo: account: %w", err)
	}
	return a, nil
}

// AccountByEmail returns an account by email, in any case.
func (s *Store) AccountByEmail(ctx context.Context, email string) (store.Account, error) {
	a, err := s.oneAccount(ctx, bson.D{{Key: "email", Value: store.NormaliseEmail(email)}})
	if err != nil {
		return store.Account{}, errorf("mongo: account by email: %w", err)
	}
	return a, nil
}

func (s *Store) oneAccount(ctx context.Context, filter bson.D) (store.Account, error) {
	var doc accountDoc
	err := s.accounts().FindOne(ctx, filter).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Account{}, store.ErrNotFound
	}
	if err != nil {
		return store.Account{}, err
	}
	return doc.account(), nil
}

func (d accountDoc) account() store.Account {
	return store.Account{
		ID: d.ID, Email: d.Email, Name: d.Name, Role: d.Role, Organisation: d.Organisation,
		PasswordHash: d.PasswordHash, Created: d.Created.UTC(), Disabled: d.Disabled,
	}
}

// Accounts returns every account by email.
func (s *Store) Accounts(ctx context.Context) ([]store.Account, error) {
	var out []store.Account
	err := each(ctx, s.accounts(), bson.D{{Key: "email", Value: 1}}, func(d accountDoc) error {
		out = append(out, d.account())
		return nil
	})
	return out, err
}

type sessionDoc struct {
	TokenHash string    `bson:"_id"`
	AccountID string    `bson:"account_id"`
	Created   time.Time `bson:"created"`
	Expires   time.Time `bson:"expires"`
}

// CreateSession stores a session. The TTL index on expires removes it
// after it expires; the server checks the expiry itself before that.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	doc := sessionDoc{TokenHash: sess.TokenHash, AccountID: sess.AccountID, Created: sess.Created.UTC(), Expires: sess.Expires.UTC()}
	if _, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.sessions().InsertOne(ctx, doc) }); err != nil {
		return errorf("mongo: create session: %w", err)
	}
	return nil
}

// Session returns a session by its token hash.
func (s *Store) Session(ctx context.Context, tokenHash string) (store.Session, error) {
	var doc sessionDoc
	err := s.sessions().FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Session{}, errorf("mongo: session: %w", store.ErrNotFound)
	}
	if err != nil {
		return store.Session{}, errorf("mongo: session: %w", err)
	}
	return store.Session{TokenHash: doc.TokenHash, AccountID: doc.AccountID, Created: doc.Created.UTC(), Expires: doc.Expires.UTC()}, nil
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	gone := bson.D{{Key: "_id", Value: tokenHash}}
	if _, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) { return s.sessions().DeleteOne(ctx, gone) }); err != nil {
		return errorf("mongo: delete session: %w", err)
	}
	return nil
}

// DeleteOtherSessions deletes an account's sessions but one.
func (s *Store) DeleteOtherSessions(ctx context.Context, accountID, keep string) error {
	filter := bson.D{{Key: "account_id", Value: accountID}, {Key: "_id", Value: bson.D{{Key: "$ne", Value: keep}}}}
	if _, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) { return s.sessions().DeleteMany(ctx, filter) }); err != nil {
		return errorf("mongo: delete other sessions: %w", err)
	}
	return nil
}

type counterDoc struct {
	Key     string    `bson:"_id"`
	N       int64     `bson:"n"`
	Expires time.Time `bson:"expires"`
}

// Increment adds one to a counter with findOneAndUpdate, upsert and $inc,
// which MongoDB applies to one document atomically. A counter that has
// expired but that the TTL monitor has not yet removed does not match the
// filter, so the upsert collides with it on _id: it is then removed and the
// increment tried again. Two upserts of a new key racing can also collide;
// the retry settles that too.
func (s *Store) Increment(ctx context.Context, key string, now, expires time.Time) (int64, error) {
	filter := bson.D{{Key: "_id", Value: key}, {Key: "expires", Value: bson.D{{Key: "$gt", Value: now.UTC()}}}}
	update := bson.D{
		{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "expires", Value: expires.UTC()}}},
	}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	for attempt := 0; ; attempt++ {
		var doc counterDoc
		res, _ := written(ctx, asWrite, func() (*mongo.SingleResult, error) {
			r := s.counters().FindOneAndUpdate(ctx, filter, update, opts)
			return r, r.Err()
		})
		err := res.Decode(&doc)
		if err == nil {
			return doc.N, nil
		}
		if !isDuplicateKey(err) || attempt == 2 {
			return 0, errorf("mongo: increment: %w", err)
		}
		stale := bson.D{{Key: "_id", Value: key}, {Key: "expires", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}
		if _, err := written(ctx, asWrite, func() (*mongo.DeleteResult, error) { return s.counters().DeleteOne(ctx, stale) }); err != nil {
			return 0, errorf("mongo: increment: clear expired counter: %w", err)
		}
	}
}

// Count returns a counter's value, or 0 when it is absent or expired.
func (s *Store) Count(ctx context.Context, key string, now time.Time) (int64, error) {
	var doc counterDoc
	filter := bson.D{{Key: "_id", Value: key}, {Key: "expires", Value: bson.D{{Key: "$gt", Value: now.UTC()}}}}
	err := s.counters().FindOne(ctx, filter).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, errorf("mongo: count: %w", err)
	}
	return doc.N, nil
}

type auditDoc struct {
	ID     bson.ObjectID `bson:"_id"`
	At     time.Time     `bson:"at"`
	Actor  string        `bson:"actor"`
	Action string        `bson:"action"`
	Target string        `bson:"target"`
}

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e store.AuditEntry) error {
	doc := auditDoc{ID: bson.NewObjectID(), At: e.At.UTC(), Actor: e.Actor, Action: e.Action, Target: e.Target}
	if _, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.audit().InsertOne(ctx, doc) }); err != nil {
		return errorf("mongo: audit: %w", err)
	}
	return nil
}

// AuditLog returns the newest entries first; entries in the same
// millisecond come newest first by their ObjectID, which grows within one
// process.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]store.AuditEntry, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit))
	cur, err := s.audit().Find(ctx, bson.D{}, opts)
	if err != nil {
		return nil, errorf("mongo: audit log: %w", err)
	}
	var docs []auditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, errorf("mongo: audit log: %w", err)
	}
	out := make([]store.AuditEntry, 0, len(docs))
	for _, d := range docs {
		out = append(out, store.AuditEntry{At: d.At.UTC(), Actor: d.Actor, Action: d.Action, Target: d.Target})
	}
	return out, nil
}

type secretDoc struct {
	Name  string `bson:"_id"`
	Value []byte `bson:"value"`
}

// Secret returns a named random value, creating it if it is absent: an
// insert that loses the race to another instance fails on _id, and the
// read that follows sees the value that won.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	v := make([]byte, 32)
	rand.Read(v)
	_, err := written(ctx, asWrite, func() (*mongo.InsertOneResult, error) {
		return s.secrets().InsertOne(ctx, secretDoc{Name: name, Value: v})
	})
	if err != nil && !isDuplicateKey(err) {
		return nil, errorf("mongo: secret %s: %w", name, err)
	}
	var doc secretDoc
	if err := s.secrets().FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&doc); err != nil {
		return nil, errorf("mongo: secret %s: %w", name, err)
	}
	return doc.Value, nil
}
