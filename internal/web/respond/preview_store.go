package respond

import (
	"context"
	"maps"
	"sync"
	"time"

	"iwtoolkit/internal/rounds"
	"iwtoolkit/internal/store"
	"iwtoolkit/internal/survey"
)

// How long a preview's answers are kept in memory after they were last
// saved, and how many drafts and "sent" answers one instance keeps at
// most: the oldest go first. A preview is a few minutes' walk through a
// survey by one member of staff; nothing in it is worth keeping.
const (
	previewLifetime = 2 * time.Hour
	previewMost     = 1000
)

// previewStore is where a preview keeps its answers: in this instance's
// memory, never in the store. It is the preview's Store: drafts are kept
// here, Send keeps the answers here for the confirmation and stores
// nothing, no mail is queued and nothing is audited. Only the rounds are
// read from the store. Behind a load balancer without sticky sessions, a
// page served by another instance does not see the answers so far (the
// preview then shows them as not yet given).
type previewStore struct {
	rounds.States // the store's, read only
	lifetime      time.Duration
	most          int

	mu        sync.Mutex
	drafts    map[string]survey.Draft    // by key
	responses map[string]survey.Response // by reference
	sent      map[string]string          // reference by submission key
	kept      map[string]time.Time       // when each response was "sent", by reference
}

func newPreviewStore(st rounds.States, lifetime time.Duration, most int) *previewStore {
	return &previewStore{States: st, lifetime: lifetime, most: most,
		drafts: map[string]survey.Draft{}, responses: map[string]survey.Response{}, sent: map[string]string{}, kept: map[string]time.Time{}}
}

// SaveDraft keeps a copy of the draft, making room for it if need be.
func (p *previewStore) SaveDraft(_ context.Context, d survey.Draft) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	d.Answers = maps.Clone(d.Answers)
	if _, ok := p.drafts[d.Key]; !ok {
		p.makeRoom(d.Updated)
	}
	p.drafts[d.Key] = d
	return nil
}

// Draft is a copy of a draft kept, or store.ErrNotFound.
func (p *previewStore) Draft(_ context.Context, key string) (survey.Draft, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, ok := p.drafts[key]
	if !ok {
		return survey.Draft{}, store.ErrNotFound
	}
	d.Answers = maps.Clone(d.Answers)
	return d, nil
}

// Submit keeps the answers for the confirmation page and lets go of the
// draft, as a store does; a second send of one draft gives the first. It
// queues nothing: a flagged answer in a preview alerts no one.
func (p *previewStore) Submit(_ context.Context, r survey.Response, _ ...store.MailMessage) (survey.Response, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ref, ok := p.sent[r.SubmissionKey]; ok {
		return p.responses[ref], nil
	}
	p.makeRoom(r.Submitted)
	r.Answers = maps.Clone(r.Answers)
	p.responses[r.Reference], p.sent[r.SubmissionKey], p.kept[r.Reference] = r, r.Reference, r.Submitted
	delete(p.drafts, r.SubmissionKey)
	return r, nil
}

// Response is answers "sent" in a preview, or store.ErrNotFound.
func (p *previewStore) Response(_ context.Context, reference string) (survey.Response, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r, ok := p.responses[reference]
	if !ok {
		return survey.Response{}, store.ErrNotFound
	}
	return r, nil
}

// SubmittedResponse is the answers "sent" from a draft, or
// store.ErrNotFound.
func (p *previewStore) SubmittedResponse(_ context.Context, key string) (survey.Response, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ref, ok := p.sent[key]
	if !ok {
		return survey.Response{}, store.ErrNotFound
	}
	return p.responses[ref], nil
}

// Invitation: a preview's draft stands for an invitation
// (previewInvitation) for no organisation in particular.
func (p *previewStore) Invitation(context.Context, string) (survey.Invitation, bool, error) {
	return survey.Invitation{}, false, nil
}

// Increment counts nothing: the preview has no limit on form posts.
func (p *previewStore) Increment(context.Context, string, time.Time, time.Time) (int64, error) {
	return 0, nil
}

// Audit records nothing: nothing happened.
func (p *previewStore) Audit(context.Context, store.AuditEntry) error { return nil }

// makeRoom lets go of what has expired at now, and then, while there is
// no room for one more, of the oldest draft or response. p.mu is held.
func (p *previewStore) makeRoom(now time.Time) {
	if len(p.drafts)+len(p.responses) < p.most {
		return
	}
	for k, d := range p.drafts {
		if !now.Before(d.Expires) {
			delete(p.drafts, k)
		}
	}
	for ref, at := range p.kept {
		if !now.Before(at.Add(p.lifetime)) {
			p.forget(ref)
		}
	}
	for len(p.drafts)+len(p.responses) >= p.most {
		oldest, draft, at := "", false, time.Time{}
		for k, d := range p.drafts {
			if oldest == "" || d.Updated.Before(at) {
				oldest, draft, at = k, true, d.Updated
			}
		}
		for ref, t := range p.kept {
			if oldest == "" || t.Before(at) {
				oldest, draft, at = ref, false, t
			}
		}
		if draft {
			delete(p.drafts, oldest)
		} else {
			p.forget(oldest)
		}
	}
}

// forget lets go of a response. p.mu is held.
func (p *previewStore) forget(ref string) {
	delete(p.sent, p.responses[ref].SubmissionKey)
	delete(p.responses, ref)
	delete(p.kept, ref)
}
