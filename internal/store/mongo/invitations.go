package mongo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

type invitationDoc struct {
	Key           string    `bson:"_id"`
	SurveyID      string    `bson:"survey_id"`
	Round         string    `bson:"round"`
	Organisation  string    `bson:"organisation"`
	RespondentKey string    `bson:"respondent_key"`
	Created       time.Time `bson:"created"`
	Batch         string    `bson:"batch,omitempty"` // set by AddContacts (contacts.go)
}

// useDoc records that an invitation was used, keyed by the invitation's
// key: MongoDB keeps _id unique, so only one draft can use an invitation.
type useDoc struct {
	Key           string `bson:"_id"`
	SubmissionKey string `bson:"submission_key"`
	SurveyID      string `bson:"survey_id"`
	Round         string `bson:"round"`
	Organisation  string `bson:"organisation"`
}

// useInvitation claims r's invitation for r's draft before the response is
// inserted. A claim by the same draft (a repeated submit, or one cut short
// after the claim) lets the submit go on, so nothing is lost; a claim by
// another draft refuses it.
func (s *Store) useInvitation(ctx context.Context, r survey.Response) error {
	if r.Invitation == "" {
		return nil
	}
	var inv invitationDoc // the server checked it exists; the use needs its organisation
	err := s.invitations.FindOne(ctx, bson.D{{Key: "_id", Value: r.Invitation}}).Decode(&inv)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return errorf("mongo: invitation of a response: %w", err)
	}
	claim := useDoc{Key: r.Invitation, SubmissionKey: r.SubmissionKey, SurveyID: r.SurveyID, Round: r.Round, Organisation: inv.Organisation}
	_, err = written(ctx, asWrite, func() (*mongo.InsertOneResult, error) { return s.uses.InsertOne(ctx, claim) })
	if !isDuplicateKey(err) {
		if err != nil {
			return errorf("mongo: use invitation: %w", err)
		}
		return nil
	}
	var use useDoc
	if err := s.uses.FindOne(ctx, bson.D{{Key: "_id", Value: r.Invitation}}).Decode(&use); err != nil {
		return errorf("mongo: use invitation: %w", err)
	}
	if use.SubmissionKey != r.SubmissionKey {
		return errorf("mongo: use invitation: %w", store.ErrInvitationUsed)
	}
	return nil
}

// CreateInvitations stores new invitations.
func (s *Store) CreateInvitations(ctx context.Context, invs []survey.Invitation) error {
	if len(invs) == 0 {
		return nil
	}
	docs := make([]any, len(invs))
	for i, inv := range invs {
		docs[i] = invitationDoc{inv.Key, inv.SurveyID, inv.Round, inv.Organisation, inv.RespondentKey, inv.Created.UTC().Truncate(time.Millisecond), ""}
	}
	// Not through written: a batch cut short half-way would fail again on
	// its own first documents. A failure is the staff member's to retry,
	// with new tokens.
	if _, err := s.invitations.InsertMany(ctx, docs); err != nil {
		return errorf("mongo: create invitations: %w", err)
	}
	return nil
}

func (d invitationDoc) invitation() survey.Invitation {
	return survey.Invitation{Key: d.Key, SurveyID: d.SurveyID, Round: d.Round, Organisation: d.Organisation, RespondentKey: d.RespondentKey, Created: d.Created.UTC()}
}

// Invitation returns an invitation by key and whether it was used.
func (s *Store) Invitation(ctx context.Context, key string) (survey.Invitation, bool, error) {
	var d invitationDoc
	err := s.invitations.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return survey.Invitation{}, false, errorf("mongo: invitation: %w", store.ErrNotFound)
	}
	if err != nil {
		return survey.Invitation{}, false, errorf("mongo: invitation: %w", err)
	}
	n, err := s.uses.CountDocuments(ctx, bson.D{{Key: "_id", Value: key}})
	if err != nil {
		return survey.Invitation{}, false, errorf("mongo: invitation use: %w", err)
	}
	return d.invitation(), n > 0, nil
}

// Invitations calls fn for each invitation to a round, oldest first.
func (s *Store) Invitations(ctx context.Context, surveyID, round string, fn func(survey.Invitation) error) error {
	filter := bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}}
	return eachWhere(ctx, s.invitations, filter, bson.D{{Key: "created", Value: 1}, {Key: "_id", Value: 1}}, func(d invitationDoc) error {
		return fn(d.invitation())
	})
}

// Completion counts invitations and their uses by organisation, with one
// $group each (no $unwind).
func (s *Store) Completion(ctx context.Context, surveyID, round string) ([]survey.Completion, error) {
	count := func(coll *mongo.Collection) (map[string]int, error) {
		cur, err := coll.Aggregate(ctx, mongo.Pipeline{
			{{Key: "$match", Value: bson.D{{Key: "survey_id", Value: surveyID}, {Key: "round", Value: round}}}},
			{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$organisation"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		})
		if err != nil {
			return nil, err
		}
		var rows []struct {
			Org string `bson:"_id"`
			N   int    `bson:"n"`
		}
		if err := cur.All(ctx, &rows); err != nil {
			return nil, err
		}
		out := map[string]int{}
		for _, r := range rows {
			out[r.Org] = r.N
		}
		return out, nil
	}
	invited, err := count(s.invitations)
	if err != nil {
		return nil, errorf("mongo: completion: %w", err)
	}
	used, err := count(s.uses)
	if err != nil {
		return nil, errorf("mongo: completion: %w", err)
	}
	var out []survey.Completion
	for org, n := range invited {
		out = append(out, survey.Completion{Organisation: org, Invited: n, Responded: used[org]})
	}
	slices.SortFunc(out, func(a, b survey.Completion) int { return strings.Compare(a.Organisation, b.Organisation) })
	return out, nil
}
