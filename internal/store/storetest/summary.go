package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// summaryTests are the contract of EachAnswers, which reads each
// response's closed answers kept beside it (store.SummaryOf).
var summaryTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"EachAnswersAgreesWithEachResponse", testEachAnswersAgrees},
}

// AnswerKeys are the keys the summary tests read: closed answers, a
// breakdown asked twice, a key with no answer, "" (a breakdown the
// survey lacks).
var AnswerKeys = []string{"sector", "", "caf-1", "caf-2", "tac-1", "missing", "sector", "topics"}

// AllAnswerKeys add the answers a summary leaves out (free text, a long
// multiple choice), which are read whole.
var AllAnswerKeys = append([]string{"caf-comment", "long"}, AnswerKeys...)

// SummaryResponse is a response with closed answers, free text and, in
// some, answers a summary cannot keep.
func SummaryResponse(rng *rand.Rand, n int, round string, at time.Time) survey.Response {
	r := Response(n, "iw", round, at)
	r.Answers = map[string]string{}
	pick := func(key string, values ...string) {
		if v := values[rng.IntN(len(values))]; v != "-" {
			r.Answers[key] = v
		}
	}
	pick("sector", "health", "education", "youth", "-")
	for _, k := range []string{"caf-1", "caf-2", "tac-1"} {
		pick(k, "1", "2", "3", "4", "5", survey.DontKnow, survey.NotApplicable, "-", "")
	}
	pick("topics", "caf sharing", "caf", "-")
	pick("caf-comment", "Lead professional <b>role</b> & \"quotes\" — ünïcödé", "no", "a\x1fb", "-")
	pick("long", strings.Repeat("option-", 40), "-")
	if n%4 == 0 {
		r.RespondentKey = ""
	}
	return r
}

// CheckAnswers checks that EachAnswers gives, for each key set, what
// EachResponse gives: the same responses, in the same order, with the
// same round, time, respondent key, invitation and answers to the keys.
func CheckAnswers(t *testing.T, s store.Store, surveyID string, rounds []string) {
	t.Helper()
	ctx := context.Background()
	for _, keys := range [][]string{AnswerKeys, AllAnswerKeys} {
		var want, got []string
		line := func(r survey.Response, values []string) string {
			return fmt.Sprintf("%s %s %s %s %q", r.Round, r.Submitted.Format(time.RFC3339Nano), r.RespondentKey, r.Invitation, values)
		}
		err := s.EachResponse(ctx, surveyID, rounds, func(r survey.Response) error {
			values := make([]string, len(keys))
			for i, k := range keys {
				values[i] = r.Answers[k]
			}
			want = append(want, line(r, values))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.EachAnswers(ctx, surveyID, rounds, keys, func(r survey.Response, values []string) error {
			got = append(got, line(r, values))
			return nil
		})
		if err != nil {
			t.Fatalf("EachAnswers: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("EachAnswers %q (-EachResponse +EachAnswers):\n%s", keys, diff)
		}
	}
}

// testEachAnswersAgrees stores responses one by one and in bulk, some at
// the same time, and checks that EachAnswers agrees with EachResponse,
// then again after an erasure and a round's deletion, and after
// reopening.
func testEachAnswersAgrees(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	rng := rand.New(rand.NewPCG(28, 28))
	rounds := []string{"baseline", "follow-up", "practice"}
	var refs []string
	for n := range 12 {
		r := SummaryResponse(rng, n, rounds[n%3], t0.Add(time.Duration(n%7)*time.Minute))
		if _, err := s.Submit(ctx, r); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r.Reference)
	}
	var bulk []survey.Response
	for n := 12; n < 40; n++ {
		bulk = append(bulk, SummaryResponse(rng, n, rounds[n%3], t0.Add(time.Duration(n%5)*time.Minute)))
	}
	if _, err := s.SubmitMany(ctx, bulk); err != nil {
		t.Fatal(err)
	}
	other := SummaryResponse(rng, 99, "baseline", t0)
	other.SurveyID = "other"
	if _, err := s.Submit(ctx, other); err != nil {
		t.Fatal(err)
	}
	CheckAnswers(t, s, "iw", []string{"baseline", "follow-up"})
	CheckAnswers(t, s, "iw", nil)

	// Erasure of one response, then deletion of a round's: neither is
	// read any more.
	if err := s.DeleteResponse(ctx, refs[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteResponses(ctx, "iw", "follow-up"); err != nil {
		t.Fatal(err)
	}
	CheckAnswers(t, s, "iw", []string{"baseline", "follow-up"})
	n := 0
	err := s.EachAnswers(ctx, "iw", []string{"follow-up"}, AnswerKeys, func(survey.Response, []string) error { n++; return nil })
	if err != nil || n != 0 {
		t.Errorf("EachAnswers of a deleted round: %d responses, %v; want none", n, err)
	}
	s.Close(ctx)
	s = open(t)
	CheckAnswers(t, s, "iw", nil)
}
