package sqlite

import (
	"maps"
	"sync"
	"time"
	"unicode/utf8"

	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// Every respondent page reads the survey's round states and the
// respondent's draft; from SQLite that was a fifth of the service's CPU
// under load. The cache answers both from memory. It is safe because:
//
//   - One process uses a data folder (lock.go), and every store this
//     process opens on that folder shares the one cache held with the lock
//     (tests open a second store on a running service's folder and write
//     through it). So every write to rounds or drafts goes through a
//     method of this package that updates the cache after it. A write from
//     outside (the sqlite3 shell on a live database) is not seen.
//   - Round states are filled by reads and emptied by every write to the
//     rounds table (SetRoundState, AddRound, migrations), after the write.
//     A read that began before a write could otherwise keep its stale
//     result after the write emptied the cache: so each emptying counts a
//     version, and a read keeps its result only if the version is the one
//     it saw before it queried.
//   - Drafts are filled by writes, and by reads as rounds are (after a
//     restart every page would otherwise read its draft from SQLite until
//     the respondent's next save). Every change to drafts counts a version
//     after it commits, and a read keeps its draft only if the version is
//     still the one it saw before it queried: a read that saw a draft from
//     before a write then finds the version moved on. A batched write (SaveDraft, Submit: batch.go) changes the
//     cache after its group commits and before the caller is told: its
//     group noted the version when it took SQLite's write lock, and no
//     other write can commit until the group ends; if the version is still
//     that one, no other write's change to the cache has come since, so
//     the group's changes, applied in job order, are the newest. Otherwise
//     (a sweep, or another store's group, committed and changed the cache
//     in between) the group forgets its keys instead. A group that fails
//     forgets its keys too. DeleteExpiredDrafts removes what it deleted,
//     after the delete.
//     Forgetting is always safe: a draft not in the cache is read from
//     SQLite.
//
// Both return copies: the pages change the draft they are given.
type cache struct {
	mu sync.RWMutex // read-locked by the reads, which are most calls

	roundsVersion uint64
	rounds        []store.RoundState // every survey's, in RoundStates' order
	roundsKnown   bool

	draftsVersion uint64
	drafts        map[string]cachedDraft
	draftBytes    int // the drafts' sizes added up
}

// cachedDraft is a draft as Draft reads it from SQLite, and its size.
type cachedDraft struct {
	survey.Draft
	size int
}

// maxDrafts and maxDraftBytes bound the drafts kept: only the respondents
// answering now need theirs, and a draft is a few kilobytes (a long
// answer may take 2,000 characters).
const (
	maxDrafts     = 4096
	maxDraftBytes = 32 << 20
)

func newCache() *cache { return &cache{drafts: map[string]cachedDraft{}} }

// roundStates returns a survey's round states (every survey's when
// surveyID is empty) if they are known; otherwise the version to pass to
// keepRoundStates with the table read from SQLite.
func (c *cache) roundStates(surveyID string) (states []store.RoundState, ok bool, version uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if !c.roundsKnown {
		return nil, false, c.roundsVersion
	}
	return roundsOf(c.rounds, surveyID), true, 0
}

// keepRoundStates keeps the whole table, as read after roundStates gave
// version, unless a write has changed it since.
func (c *cache) keepRoundStates(version uint64, all []store.RoundState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.roundsVersion == version {
		c.rounds, c.roundsKnown = all, true
	}
}

// roundsChanged empties the round states: call it after every write to
// the rounds table, whether or not the write succeeded.
func (c *cache) roundsChanged() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.roundsVersion++
	c.rounds, c.roundsKnown = nil, false
}

// roundsOf is a new slice of one survey's states, or of all of them when
// surveyID is empty; nil when there are none, as from SQLite.
func roundsOf(all []store.RoundState, surveyID string) []store.RoundState {
	n := 0
	for _, r := range all {
		if surveyID == "" || r.SurveyID == surveyID {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]store.RoundState, 0, n)
	for _, r := range all {
		if surveyID == "" || r.SurveyID == surveyID {
			out = append(out, r) // RoundState holds no slice or map
		}
	}
	return out
}

// draft returns a copy of a draft if the cache has it.
func (c *cache) draft(key string) (survey.Draft, bool) {
	c.mu.RLock()
	cd, ok := c.drafts[key]
	c.mu.RUnlock()
	d := cd.Draft
	if ok {
		d.Answers = clone(d.Answers) // outside the lock: the cached map is never changed
	}
	return d, ok
}

// keepRead keeps a draft read from SQLite, as Draft read it after
// draftsSeen gave version, unless a write to drafts has ended since.
func (c *cache) keepRead(version uint64, d survey.Draft) {
	ch := saved(d)
	if ch.draft == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draftsVersion == version {
		c.putDraft(*ch.draft)
	}
}

// draftChange is what one batched write does to one draft.
type draftChange struct {
	key   string
	draft *cachedDraft // as saved; nil to forget it: deleted, failed, or not cacheable
}

// saved is the change of saving d: d as Draft would read it back.
func saved(d survey.Draft) *draftChange {
	if !cacheable(d) {
		return &draftChange{key: d.Key}
	}
	d.Answers = clone(d.Answers)
	d.Updated = time.UnixMilli(d.Updated.UnixMilli()).UTC()
	d.Expires = time.UnixMilli(d.Expires.UnixMilli()).UTC()
	size := 256 + len(d.Key) + len(d.SurveyID) + len(d.Round) + len(d.RespondentKey) + len(d.Invitation)
	for k, v := range d.Answers {
		size += 64 + len(k) + len(v) // with the map's own share, roughly
	}
	return &draftChange{key: d.Key, draft: &cachedDraft{d, size}}
}

// cacheable reports whether d's answers come back from their JSON as they
// are: encoding/json replaces bytes that are not UTF-8.
func cacheable(d survey.Draft) bool {
	for k, v := range d.Answers {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return false
		}
	}
	return true
}

// draftsSeen is the drafts' version, for a group to note when it has
// taken the write lock.
func (c *cache) draftsSeen() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.draftsVersion
}

// groupDone applies a group's changes to drafts, in job order, once the
// group has ended; since is draftsSeen when it took the write lock. If the
// drafts changed since, a later write may have changed the cache already,
// so the group only forgets its keys.
func (c *cache) groupDone(since uint64, changes []draftChange) {
	c.mu.Lock()
	defer c.mu.Unlock()
	newest := c.draftsVersion == since
	for _, ch := range changes {
		if newest && ch.draft != nil {
			c.putDraft(*ch.draft)
		} else {
			c.remove(ch.key)
		}
	}
	c.draftsVersion++
}

// putDraft keeps a draft, first dropping others (any: a draft not here
// is read from SQLite) while the cache is full.
func (c *cache) putDraft(d cachedDraft) {
	c.remove(d.Key)
	for k := range c.drafts {
		if len(c.drafts) < maxDrafts && c.draftBytes+d.size <= maxDraftBytes {
			break
		}
		c.remove(k)
	}
	if d.size <= maxDraftBytes {
		c.drafts[d.Key] = d
		c.draftBytes += d.size
	}
}

func (c *cache) remove(key string) {
	if d, ok := c.drafts[key]; ok {
		delete(c.drafts, key)
		c.draftBytes -= d.size
	}
}

// forgetExpired removes the drafts that DeleteExpiredDrafts(t) deletes.
func (c *cache) forgetExpired(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, d := range c.drafts {
		if d.Expires.UnixMilli() < t.UnixMilli() {
			c.remove(k)
		}
	}
	c.draftsVersion++
}

// forgetAll empties the cache, as after a migration.
func (c *cache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.drafts)
	c.draftBytes = 0
	c.draftsVersion++
	c.rounds, c.roundsKnown = nil, false
	c.roundsVersion++
}

// clone copies answers; nil becomes empty, as decode gives for "{}".
func clone(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
