package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// The cache's tests check the store against SQLite itself: dbDraft reads
// a draft through the read pool, as Draft did before the cache.

func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// dbDraft is the draft as SQLite holds it.
func dbDraft(s *Store, key string) (survey.Draft, error) {
	row := s.read.QueryRowContext(context.Background(), `SELECT survey_id, round, answers, updated, expires, respondent_key, invitation FROM drafts WHERE key = ?`, key)
	return scanDraft(row, key, "draft")
}

// cached reports whether the cache holds a draft.
func cached(s *Store, key string) bool {
	_, ok := s.cache.draft(key)
	return ok
}

// sameAsDatabase checks that Draft gives what SQLite holds, to the bit.
func sameAsDatabase(t *testing.T, s *Store, key string) {
	t.Helper()
	got, gotErr := s.Draft(context.Background(), key)
	want, wantErr := dbDraft(s, key)
	if !reflect.DeepEqual(got, want) || errors.Is(gotErr, store.ErrNotFound) != errors.Is(wantErr, store.ErrNotFound) || (gotErr == nil) != (wantErr == nil) {
		t.Errorf("Draft(%s) = %+v, %v\nSQLite holds %+v, %v", key, got, gotErr, want, wantErr)
	}
}

// everyCachedDraftIsStored checks that each draft in the cache is in the
// database as it is in the cache.
func everyCachedDraftIsStored(t *testing.T, s *Store) {
	t.Helper()
	s.cache.mu.Lock()
	keys := make([]string, 0, len(s.cache.drafts))
	for k := range s.cache.drafts {
		keys = append(keys, k)
	}
	s.cache.mu.Unlock()
	for _, k := range keys {
		if d, ok := s.cache.draft(k); ok {
			stored, err := dbDraft(s, k)
			if err != nil || !reflect.DeepEqual(d, stored) {
				t.Errorf("the cache holds draft %s as %+v; SQLite: %+v, %v", k, d, stored, err)
			}
		}
	}
}

var t0 = time.Date(2026, 11, 2, 9, 30, 0, 123456789, time.FixedZone("BST", 3600))

func draftFor(key string, answers map[string]string) survey.Draft {
	return survey.Draft{Key: key, SurveyID: "iw", Round: "baseline", Answers: answers, Updated: t0, Expires: t0.Add(24 * time.Hour), RespondentKey: "person-1", Invitation: "inv-1"}
}

func TestDraftSavedIsRead(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	for i, answers := range []map[string]string{nil, {"caf-1": "3"}, {"caf-1": "4", "comment": "<b>ünïcödé</b> \"quoted\"\n\u2028"}, {"not utf-8": "\xff\xfe"}} {
		d := draftFor("k", answers)
		d.Updated = t0.Add(time.Duration(i) * time.Minute)
		if err := s.SaveDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		if utf8 := i < 3; cached(s, "k") != utf8 {
			// Not UTF-8: its JSON does not give the answers back as they
			// were, so the save is not kept; the read of it is (below).
			t.Errorf("save %d: the draft saved is cached: %v, want %v", i, !utf8, utf8)
		}
		got, err := s.Draft(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if got.Updated.UnixMilli() != d.Updated.UnixMilli() || len(got.Answers) != len(answers) {
			t.Errorf("save %d: Draft = %+v, want the draft just saved %+v", i, got, d)
		}
		sameAsDatabase(t, s, "k")
	}
	sameAsDatabase(t, s, "never saved")
}

// The draft Draft returns, and the draft given to SaveDraft, are the
// caller's to change: the flow fills in the answers of the one it reads.
func TestDraftIsACopy(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	given := draftFor("k", map[string]string{"caf-1": "3"})
	if err := s.SaveDraft(ctx, given); err != nil {
		t.Fatal(err)
	}
	given.Answers["caf-1"], given.Answers["caf-2"] = "changed after saving", "added after saving"
	got, err := s.Draft(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	got.Answers["caf-1"], got.Answers["tac-1"] = "changed by a reader", "added by a reader"
	got.SurveyID = "other"
	again, err := s.Draft(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"caf-1": "3"}; !reflect.DeepEqual(again.Answers, want) || again.SurveyID != "iw" {
		t.Errorf("Draft after its caller changed the drafts it had: %+v, want answers %v", again, want)
	}
	sameAsDatabase(t, s, "k")
}

func TestSubmittedDraftIsGone(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	for _, key := range []string{"k", "other"} {
		if err := s.SaveDraft(ctx, draftFor(key, map[string]string{"caf-1": "3"})); err != nil {
			t.Fatal(err)
		}
	}
	r := survey.Response{Reference: "REF1", SurveyID: "iw", Version: "1", Round: "baseline", Answers: map[string]string{"caf-1": "3"}, Submitted: t0, SubmissionKey: "k"}
	if _, err := s.Submit(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Draft(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Draft after Submit: %v, want ErrNotFound", err)
	}
	sameAsDatabase(t, s, "other")

	// A submit that fails (its reference is taken) leaves the draft.
	if err := s.SaveDraft(ctx, draftFor("k2", nil)); err != nil {
		t.Fatal(err)
	}
	r.SubmissionKey = "k2"
	if _, err := s.Submit(ctx, r); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Submit with a taken reference: %v, want ErrConflict", err)
	}
	sameAsDatabase(t, s, "k2")
	if _, err := s.Draft(ctx, "k2"); err != nil {
		t.Errorf("the draft of a submit that failed: %v", err)
	}
}

func TestExpiredDraftsDeleted(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	for i, expires := range []time.Time{t0.Add(-time.Hour), t0.Add(-time.Millisecond), t0, t0.Add(time.Hour)} {
		d := draftFor(fmt.Sprintf("k%d", i), nil)
		d.Expires = expires
		if err := s.SaveDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	// Expired and not yet swept, a draft is still returned, as from SQLite.
	sameAsDatabase(t, s, "k0")
	if n, err := s.DeleteExpiredDrafts(ctx, t0); err != nil || n != 2 {
		t.Fatalf("DeleteExpiredDrafts = %d, %v; want 2", n, err)
	}
	for i := range 4 {
		sameAsDatabase(t, s, fmt.Sprintf("k%d", i))
	}
	if !cached(s, "k3") {
		t.Error("the sweep dropped an unexpired draft from the cache")
	}
}

// A group of writes that fails on a full disk is rolled back whole: no
// draft of it may stay in the cache. Drafts and submissions of them are
// written from many goroutines until the disk has refused many groups.
func TestFailedGroupsLeaveNoCachedDraft(t *testing.T) {
	ctx := context.Background()
	s := fillingStore(t)
	const keys = 200
	refused := len(writeUntilRefused(10, func(i int) error {
		key := fmt.Sprintf("k%d", i%keys)
		if i%5 == 0 {
			_, err := s.Submit(ctx, survey.Response{Reference: fmt.Sprintf("R%d", i), SurveyID: "iw", Version: "1", Round: "baseline", Submitted: t0, SubmissionKey: key})
			return err
		}
		return s.SaveDraft(ctx, draftFor(key, map[string]string{"comment": strings.Repeat(fmt.Sprintf("words %d; ", i), 20+(i%7)*60)}))
	}))
	if refused == 0 {
		t.Fatal("the disk never filled")
	}
	everyCachedDraftIsStored(t, s)
	for i := range keys {
		sameAsDatabase(t, s, fmt.Sprintf("k%d", i))
	}
	t.Logf("%d writes refused; %d drafts cached", refused, len(s.cache.drafts))
}

// Many goroutines save, read, take, submit and sweep drafts, with the same
// keys and different ones, through two stores on one folder (as a test
// reading a running service's data does); then Draft gives what SQLite
// holds for every key, through either store.
func TestDraftsConcurrently(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := openStore(t, dir), openStore(t, dir)
	const workers, keys, steps = 16, 40, 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			s := a
			if w%4 == 3 {
				s = b
			}
			for i := range steps {
				key := fmt.Sprintf("k%d", rng.IntN(keys))
				if w%2 == 0 {
					key = fmt.Sprintf("own-%d-%d", w, rng.IntN(3)) // this goroutine's alone
				}
				var err error
				switch n := rng.IntN(100); {
				case n < 45:
					d := draftFor(key, map[string]string{"caf-1": fmt.Sprint(w), "step": fmt.Sprint(i)})
					d.Expires = t0.Add(time.Duration(rng.IntN(20)-2) * time.Minute)
					err = s.SaveDraft(ctx, d)
				case n < 85:
					var d survey.Draft
					d, err = s.Draft(ctx, key)
					if err == nil {
						d.Answers["scribbled"] = "by a reader" // must not reach the cache
					}
				case n < 97:
					_, err = s.Submit(ctx, survey.Response{Reference: fmt.Sprintf("R%d-%d", w, i), SurveyID: "iw", Version: "1", Round: "baseline", Submitted: t0, SubmissionKey: key})
				default:
					_, err = s.DeleteExpiredDrafts(ctx, t0)
				}
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for _, s := range []*Store{a, b} {
		everyCachedDraftIsStored(t, s)
		for i := range keys {
			sameAsDatabase(t, s, fmt.Sprintf("k%d", i))
		}
		for w := 0; w < workers; w += 2 {
			for i := range 3 {
				sameAsDatabase(t, s, fmt.Sprintf("own-%d-%d", w, i))
			}
		}
	}
	t.Logf("%d drafts cached", len(a.cache.drafts))
}

// A write through a second store on the folder is seen by the first at
// once: they share the cache.
func TestStoresOnOneFolderShareTheCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := openStore(t, dir), openStore(t, dir)
	if err := a.SaveDraft(ctx, draftFor("k", map[string]string{"caf-1": "3"})); err != nil {
		t.Fatal(err)
	}
	if err := a.SetRoundState(ctx, store.RoundState{SurveyID: "iw", Round: "baseline", Open: true, Created: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.RoundStates(ctx, "iw"); err != nil { // now cached
		t.Fatal(err)
	}
	expired := draftFor("k", map[string]string{"caf-1": "3"})
	expired.Expires = t0.Add(-time.Minute)
	if err := b.SaveDraft(ctx, expired); err != nil {
		t.Fatal(err)
	}
	if err := b.SetRoundState(ctx, store.RoundState{SurveyID: "iw", Round: "baseline", Open: false, Created: t0}); err != nil {
		t.Fatal(err)
	}
	if d, err := a.Draft(ctx, "k"); err != nil || d.Expires.UnixMilli() != expired.Expires.UnixMilli() {
		t.Errorf("Draft through the first store = %+v, %v; want the draft the second saved", d, err)
	}
	if states, err := a.RoundStates(ctx, "iw"); err != nil || len(states) != 1 || states[0].Open {
		t.Errorf("RoundStates through the first store = %+v, %v; want the round closed by the second", states, err)
	}
}

func TestRoundStateChangeSeenAtOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	check := func(step string, want ...store.RoundState) {
		t.Helper()
		got, err := s.RoundStates(ctx, "iw")
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			want = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: RoundStates = %+v\nwant %+v", step, got, want)
		}
		all, err := s.allRoundStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.RoundStates(ctx, ""); err != nil || !reflect.DeepEqual(got, all) {
			t.Errorf("%s: RoundStates of every survey = %+v, %v\nSQLite holds %+v", step, got, err, all)
		}
	}
	check("none stored")
	baseline := store.RoundState{SurveyID: "iw", Round: "baseline", Open: true, Created: t0.UTC().Truncate(time.Millisecond)}
	if err := s.SetRoundState(ctx, baseline); err != nil {
		t.Fatal(err)
	}
	check("set", baseline)
	baseline.Open = false
	if err := s.SetRoundState(ctx, baseline); err != nil {
		t.Fatal(err)
	}
	check("closed", baseline)
	other := store.RoundState{SurveyID: "other", Round: "baseline", Open: true, Created: baseline.Created.Add(-time.Hour)}
	spring := store.RoundState{SurveyID: "iw", Round: "spring", Label: "Spring", Added: true, Created: baseline.Created.Add(time.Hour)}
	for _, r := range []store.RoundState{other, spring} {
		if err := s.AddRound(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	check("added", baseline, spring)
	if err := s.AddRound(ctx, spring); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("AddRound again: %v, want ErrConflict", err)
	}
	check("added again", baseline, spring)

	got, _ := s.RoundStates(ctx, "iw")
	got[0].Open = true // the caller's to change
	check("changed by a caller", baseline, spring)
}

// Round states read and written at once: once the writes end, every read
// gives what SQLite holds.
func TestRoundStatesConcurrently(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				var err error
				if w%2 == 0 {
					err = s.SetRoundState(ctx, store.RoundState{SurveyID: "iw", Round: fmt.Sprint("r", i%5), Open: (i+w)%3 == 0, Created: t0, Updated: t0.Add(time.Duration(i) * time.Millisecond)})
				} else {
					_, err = s.RoundStates(ctx, []string{"", "iw"}[i%2])
				}
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	all, err := s.allRoundStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.RoundStates(ctx, ""); err != nil || !reflect.DeepEqual(got, all) {
		t.Errorf("RoundStates after the writes = %+v, %v\nSQLite holds %+v", got, err, all)
	}
}

// The races the versions close, one step at a time: a read of the rounds
// that began before a write, and a group that committed before a
// sweep whose change to the cache came first.
func TestStaleChangesAreNotKept(t *testing.T) {
	c := newCache()
	_, _, version := c.roundStates("iw")
	c.roundsChanged() // a write, after the read's query
	c.keepRoundStates(version, []store.RoundState{{SurveyID: "iw", Round: "stale"}})
	if _, ok, _ := c.roundStates("iw"); ok {
		t.Error("a read that began before a write kept its result after the write")
	}

	d := draftFor("k", nil)
	since := c.draftsSeen()
	c.forgetExpired(t0.Add(48 * time.Hour)) // a sweep that committed after the group did
	c.groupDone(since, []draftChange{*saved(d)})
	if _, ok := c.draft("k"); ok {
		t.Error("a group kept a draft after a later delete's change to the cache")
	}
	since = c.draftsSeen()
	c.groupDone(since, []draftChange{*saved(d)})
	if _, ok := c.draft("k"); !ok {
		t.Error("a group with no change since it began did not keep its draft")
	}
}

// A draft read from SQLite is kept (after a restart, say), unless a write
// to drafts ended while the read ran; a draft not found is not kept.
func TestDraftReadIsKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openStore(t, dir)
	if err := s.SaveDraft(ctx, draftFor("k", map[string]string{"caf-1": "3"})); err != nil {
		t.Fatal(err)
	}
	s.cache.forgetAll() // as after a restart
	sameAsDatabase(t, s, "k")
	if !cached(s, "k") {
		t.Error("a draft read from SQLite was not kept")
	}
	sameAsDatabase(t, s, "k") // now from the cache
	if _, err := s.Draft(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) || cached(s, "nobody") {
		t.Errorf("Draft(nobody) = %v, cached %v; want ErrNotFound, not cached", err, cached(s, "nobody"))
	}

	c := newCache()
	version := c.draftsSeen()
	c.forgetExpired(t0) // a write (a sweep) that ended after the read's query
	c.keepRead(version, draftFor("k", nil))
	if _, ok := c.draft("k"); ok {
		t.Error("a read that began before a write kept its draft after the write")
	}
}

// The same race through the batcher: a change to the cache that arrives
// while a group runs (a sweep's, committed just before the group took
// the write lock) makes the group forget its drafts, not keep them.
func TestGroupForgetsAfterAChangeWhileItRan(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	d := draftFor("k", map[string]string{"caf-1": "3"})
	err := s.batch.do(ctx, saved(d), func(ctx context.Context, tx *txn) error {
		s.cache.forgetExpired(t0)
		_, err := tx.ExecContext(ctx, `INSERT INTO drafts (key, survey_id, round, answers, updated, expires, respondent_key, invitation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Key, d.SurveyID, d.Round, encode(d.Answers), d.Updated.UnixMilli(), d.Expires.UnixMilli(), d.RespondentKey, d.Invitation)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if cached(s, "k") {
		t.Error("a group kept its draft after another change to the cache while it ran")
	}
	sameAsDatabase(t, s, "k")
}

// The cache keeps maxDrafts drafts at most, and drafts it dropped are
// still read, from SQLite.
func TestDraftCacheBounded(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, t.TempDir())
	const n = maxDrafts + 500
	for i := range n {
		if err := s.SaveDraft(ctx, draftFor(fmt.Sprint("k", i), map[string]string{"caf-1": fmt.Sprint(i)})); err != nil {
			t.Fatal(err)
		}
	}
	checkBounds(t, s)
	for i := range n {
		d, err := s.Draft(ctx, fmt.Sprint("k", i))
		if err != nil || d.Answers["caf-1"] != fmt.Sprint(i) {
			t.Fatalf("Draft(k%d) = %+v, %v", i, d, err)
		}
	}

	// Large drafts, more than maxDraftBytes of them.
	long := strings.Repeat("x", 50_000)
	for i := range maxDraftBytes/50_000 + 50 {
		if err := s.SaveDraft(ctx, draftFor(fmt.Sprint("k", i), map[string]string{"comment": long, "caf-1": fmt.Sprint(i)})); err != nil {
			t.Fatal(err)
		}
	}
	checkBounds(t, s)
	for i := range n {
		sameAsDatabase(t, s, fmt.Sprint("k", i))
	}
}

// checkBounds checks the cache's size against its bounds, and its count
// of bytes against its drafts.
func checkBounds(t *testing.T, s *Store) {
	t.Helper()
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	size := 0
	for _, d := range s.cache.drafts {
		size += d.size
	}
	if n := len(s.cache.drafts); n > maxDrafts || size > maxDraftBytes || size != s.cache.draftBytes {
		t.Errorf("%d drafts cached, of %d bytes, counted as %d; want %d and %d at most", n, size, s.cache.draftBytes, maxDrafts, maxDraftBytes)
	}
	t.Logf("%d drafts cached, of %d bytes", len(s.cache.drafts), size)
}
