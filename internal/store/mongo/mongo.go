// Package mongo is the MongoDB store, the production store for a service run
// on more than one instance. It meets the contract in package store without
// multi-document transactions, so it works on a standalone server: each
// response is one document, and unique indexes, not transactions, keep a
// repeated submit from storing a second copy.
package mongo

import (
	"context"
	"errors"
	"net/url"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"iwtoolkit/internal/store"
)

// connectTimeout bounds the first ping in Open, so that a wrong URI or a
// server that is down stops start-up with an error instead of hanging. It is
// also the default server selection timeout; serverSelectionTimeoutMS in
// the URI overrides that.
const connectTimeout = 10 * time.Second

// Collection names.
const (
	responsesCollection   = "responses"
	draftsCollection      = "drafts"
	invitationsCollection = "invitations"
	usesCollection        = "invitation_uses"
)

// Store keeps responses and drafts in one MongoDB database.
type Store struct {
	client      *mongo.Client
	responses   *mongo.Collection
	drafts      *mongo.Collection
	invitations *mongo.Collection
	uses        *mongo.Collection
	tally       store.Plans     // see tally.go
	claims      planClaims      // see rebuild.go
	layouts     store.LayoutSet // see summary.go
	backfill    backfill        // see summary.go
	settings    Settings
	now         func() time.Time
}

// Settings size the store's work. Zero values take the defaults.
type Settings struct {
	// MaxPool is how many connections to each server one instance may
	// open (the driver's maxPoolSize; default 100). A request waiting for
	// a connection waits within its own deadline.
	MaxPool uint64
	// MinPool is how many connections are kept open while idle, so that a
	// burst after a quiet spell does not wait for connections to be made
	// (minPoolSize; default 0). MaxConnecting is how many connections may
	// be made at once (maxConnecting; default 2).
	MinPool, MaxConnecting uint64
	// AfterStored bounds the work after a response is stored (deleting its
	// draft, counting it, or finding it after an insert whose outcome is
	// unknown), which runs to this deadline instead of the request's
	// (default 30 s).
	AfterStored time.Duration
}

// DefaultAfterStored is Settings.AfterStored when it is not set.
const DefaultAfterStored = 30 * time.Second

func (s Settings) afterStored() time.Duration {
	if s.AfterStored > 0 {
		return s.AfterStored
	}
	return DefaultAfterStored
}

// clientOptions are the driver's options for uri under these settings;
// options in the URI (maxPoolSize=…) win over the settings.
func (s Settings) clientOptions(uri string) *options.ClientOptions {
	o := options.Client().SetServerSelectionTimeout(connectTimeout)
	if s.MaxPool > 0 {
		o.SetMaxPoolSize(s.MaxPool)
	}
	if s.MinPool > 0 {
		o.SetMinPoolSize(s.MinPool)
	}
	if s.MaxConnecting > 0 {
		o.SetMaxConnecting(s.MaxConnecting)
	}
	return o.ApplyURI(uri)
}

var _ store.Store = (*Store)(nil)

// Open connects to the MongoDB server at uri, checks that it answers, and
// makes sure the indexes the store relies on exist in database. Creating
// the indexes is idempotent, so every instance of the service can call Open
// at start-up.
func Open(ctx context.Context, uri, database string) (*Store, error) {
	return OpenWith(ctx, uri, database, Settings{})
}

// OpenWith is Open with settings.
func OpenWith(ctx context.Context, uri, database string, settings Settings) (*Store, error) {
	if database == "" {
		return nil, errors.New("mongo: open: no database name")
	}
	client, err := mongo.Connect(settings.clientOptions(uri))
	if err != nil {
		return nil, errorf("mongo: connect: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	err = client.Ping(pingCtx, nil)
	cancel()
	if err != nil {
		_ = client.Disconnect(ctx)
		return nil, errorf("mongo: ping %s: %w", redact(uri), err)
	}
	db := client.Database(database)
	s := &Store{
		client:      client,
		responses:   db.Collection(responsesCollection),
		drafts:      db.Collection(draftsCollection),
		invitations: db.Collection(invitationsCollection),
		uses:        db.Collection(usesCollection),
		settings:    settings,
		now:         time.Now,
	}
	if err := s.createIndexes(ctx); err != nil {
		_ = client.Disconnect(ctx)
		return nil, err
	}
	s.startBackfill() // summary.go
	return s, nil
}

// createIndexes creates the indexes if they are missing.
//
// The unique indexes on reference and submission_key are what make Submit
// correct under concurrency. The drafts are keyed by _id, which MongoDB
// keeps unique anyway; the TTL index on expires deletes abandoned drafts
// (MongoDB's TTL monitor runs about once a minute).
//
// Indexes are created one per command, so that a failure names the index.
func (s *Store) createIndexes(ctx context.Context) error {
	indexes := []struct {
		coll *mongo.Collection
		name string
		keys bson.D
		opts *options.IndexOptionsBuilder
	}{
		{s.responses, "reference_unique", bson.D{{Key: "reference", Value: 1}}, options.Index().SetUnique(true)},
		{s.responses, "submission_key_unique", bson.D{{Key: "submission_key", Value: 1}}, options.Index().SetUnique(true)},
		// EachResponse: one survey, some rounds, in submission order.
		{s.responses, "survey_round_submitted", bson.D{{Key: "survey_id", Value: 1}, {Key: "round", Value: 1}, {Key: "submitted", Value: 1}}, options.Index()},
		{s.invitations, "survey_round_created", bson.D{{Key: "survey_id", Value: 1}, {Key: "round", Value: 1}, {Key: "created", Value: 1}}, options.Index()},
		{s.uses, "survey_round", bson.D{{Key: "survey_id", Value: 1}, {Key: "round", Value: 1}}, options.Index()},
		// Catch-up: a survey's responses not counted under its plan.
		{s.responses, "survey_tallied", bson.D{{Key: "survey_id", Value: 1}, {Key: "tallied", Value: 1}}, options.Index()},
		// Every report: a survey's tally documents under its plan, some
		// rounds or all; a rebuild deletes a round's of every plan.
		{s.tallies(), "survey_fingerprint_round", bson.D{{Key: "survey_id", Value: 1}, {Key: "fingerprint", Value: 1}, {Key: "round", Value: 1}}, options.Index()},
		{s.drafts, "expires_ttl", bson.D{{Key: "expires", Value: 1}}, options.Index().SetExpireAfterSeconds(0)},
	}
	for _, ix := range indexes {
		model := mongo.IndexModel{Keys: ix.keys, Options: ix.opts.SetName(ix.name)}
		if _, err := ix.coll.Indexes().CreateOne(ctx, model); err != nil {
			return errorf("mongo: create index %s.%s: %w", ix.coll.Name(), ix.name, err)
		}
	}
	if err := s.createDefinitionIndexes(ctx); err != nil {
		return err
	}
	if err := s.createSurveyVersionIndexes(ctx); err != nil {
		return err
	}
	if err := s.createStaffIndexes(ctx); err != nil {
		return err
	}
	if err := s.createBoardIndexes(ctx); err != nil { // board.go
		return err
	}
	if err := s.createContactIndexes(ctx); err != nil { // contacts.go
		return err
	}
	if err := s.createPendingIndex(ctx); err != nil { // pending.go
		return err
	}
	return s.createAdminIndexes(ctx)
}

// Ping checks that the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, nil); err != nil {
		return errorf("mongo: ping: %w", err)
	}
	return nil
}

// Close disconnects from the server, waiting for operations in progress
// until ctx is done.
func (s *Store) Close(ctx context.Context) error {
	s.stopBackfill()
	if err := s.client.Disconnect(ctx); err != nil {
		return errorf("mongo: close: %w", err)
	}
	return nil
}

// redact returns uri without its password, for error messages that end up
// in logs.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	return u.Redacted()
}
