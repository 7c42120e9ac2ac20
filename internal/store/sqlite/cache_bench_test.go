package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// The two reads every respondent page makes: the survey's round states
// and the respondent's draft. Run in parallel, as the pages do.

func BenchmarkRoundStates(b *testing.B) {
	ctx := context.Background()
	s := openIn(b, b.TempDir())
	now := time.Now()
	for i, id := range []string{"iw", "young-people", "staff"} {
		for j, round := range []string{"baseline", "follow-up", "spring"} {
			if err := s.SetRoundState(ctx, store.RoundState{SurveyID: id, Round: round, Open: true, Created: now.Add(time.Duration(3*i+j) * time.Second)}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if states, err := s.RoundStates(ctx, "iw"); err != nil || len(states) != 3 {
				b.Fatalf("RoundStates = %d states, %v", len(states), err)
			}
		}
	})
}

func BenchmarkDraft(b *testing.B) {
	ctx := context.Background()
	s := openIn(b, b.TempDir())
	const drafts = 200
	for i := range drafts {
		if err := s.SaveDraft(ctx, benchDraft(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if _, err := s.Draft(ctx, fmt.Sprintf("draft-%d", i%drafts)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchDraft is a draft part of the way through a survey: 40 answers,
// one of them a comment.
func benchDraft(i int) survey.Draft {
	answers := map[string]string{"comment": "We meet every fortnight; the lead professional role works well."}
	for q := range 39 {
		answers[fmt.Sprintf("caf-%d", q)] = fmt.Sprint(1 + (i+q)%5)
	}
	now := time.Now()
	return survey.Draft{Key: fmt.Sprintf("draft-%d", i), SurveyID: "iw", Round: "baseline", Answers: answers, Updated: now, Expires: now.Add(30 * 24 * time.Hour)}
}
