package rounds_test

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/store/sqlite"
	"iwtoolkit/internal/survey"
)

// storeWithRounds is a store holding the integrated-working survey's
// rounds in every state a round can be in: a declared round never
// changed, a declared round staff closed with their own reminders, a
// round staff added and opened, and one added with a schedule.
func storeWithRounds(tb testing.TB) (*sqlite.Store, *survey.Definition, time.Time) {
	tb.Helper()
	ctx := context.Background()
	c, err := survey.LoadDir(os.DirFS("../../surveys"), "surveys")
	if err != nil {
		tb.Fatal(err)
	}
	d, _ := c.Survey("integrated-working")
	st, err := sqlite.Open(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close(context.Background()) })
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	if err := st.SetRoundState(ctx, store.RoundState{SurveyID: d.ID, Round: d.Rounds[0].ID, Open: false,
		Reminders: store.Reminders{Set: true, Days: []int{3}, Most: 1}}); err != nil {
		tb.Fatal(err)
	}
	if err := st.AddRound(ctx, store.RoundState{SurveyID: d.ID, Round: "spring", Label: "Spring", Added: true, Open: true}); err != nil {
		tb.Fatal(err)
	}
	if err := st.AddRound(ctx, store.RoundState{SurveyID: d.ID, Round: "summer", Label: "Summer", Added: true, Open: true,
		OpensAt: now.Add(24 * time.Hour), Practice: true}); err != nil {
		tb.Fatal(err)
	}
	return st, d, now
}

// One is the round Of lists with that id, for every round, and nothing
// for a round the survey does not have.
func TestOneIsOfs(t *testing.T) {
	ctx := context.Background()
	st, d, now := storeWithRounds(t)
	all, err := rounds.Of(ctx, st, d, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(d.Rounds)+2 {
		t.Fatalf("%d rounds, want the file's %d and 2 added", len(all), len(d.Rounds))
	}
	for _, want := range all {
		got, ok, err := rounds.One(ctx, st, d, want.ID, now)
		if err != nil || !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("One(%s) = %+v, %v, %v; want %+v", want.ID, got, ok, err, want)
		}
	}
	if got, ok, err := rounds.One(ctx, st, d, "no-such-round", now); ok || err != nil {
		t.Errorf("One(no-such-round) = %+v, %v, %v", got, ok, err)
	}
}

func BenchmarkOne(b *testing.B) {
	ctx := context.Background()
	st, d, now := storeWithRounds(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := rounds.One(ctx, st, d, "spring", now); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
