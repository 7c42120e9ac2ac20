package mail

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"sync"

	"iwtoolkit/internal/survey"
)

// SecretStore gives the store's shared secrets (store.Staff.Secret).
type SecretStore interface {
	Secret(ctx context.Context, name string) ([]byte, error)
}

// Links makes a contact's invitation and opt-out links from its id under
// the store's "contact-links" secret. The invitation's token is never
// stored (the invitation keeps its hash, as every invitation does), yet
// the same link can be written again in a reminder; every instance on one
// store makes the same links.
type Links struct {
	st      SecretStore
	baseURL string
	mu      sync.Mutex
	key     []byte
}

// NewLinks returns the links of a store, for a service reached at baseURL.
func NewLinks(st SecretStore, baseURL string) *Links {
	return &Links{st: st, baseURL: strings.TrimRight(baseURL, "/")}
}

// Page is the full address of one of the service's pages, from its path.
func (l *Links) Page(path string) string { return l.baseURL + path }

func (l *Links) mac(ctx context.Context, purpose, id string) ([]byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil {
		k, err := l.st.Secret(ctx, "contact-links")
		if err != nil {
			return nil, err
		}
		l.key = k
	}
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(purpose + ":" + id))
	return m.Sum(nil), nil
}

// Token is the contact's invitation token (40 hex digits, as
// survey.NewToken makes) and the invitation key it is stored under.
func (l *Links) Token(ctx context.Context, contactID string) (token, key string, err error) {
	sum, err := l.mac(ctx, "invitation", contactID)
	if err != nil {
		return "", "", err
	}
	token = hex.EncodeToString(sum[:20])
	return token, survey.DraftKey(token), nil
}

// Invitation is the contact's single-use link (/i/{token}).
func (l *Links) Invitation(ctx context.Context, contactID string) (string, error) {
	token, _, err := l.Token(ctx, contactID)
	if err != nil {
		return "", err
	}
	return l.baseURL + "/i/" + token, nil
}

// OptOutPath is the part of the opt-out link after /o/: the contact's id
// and a MAC of it, so that nobody can opt another person out by guessing.
func (l *Links) OptOutPath(ctx context.Context, contactID string) (string, error) {
	sum, err := l.mac(ctx, "opt-out", contactID)
	if err != nil {
		return "", err
	}
	return contactID + "-" + hex.EncodeToString(sum[:16]), nil
}

// OptOut is the contact's opt-out link.
func (l *Links) OptOut(ctx context.Context, contactID string) (string, error) {
	p, err := l.OptOutPath(ctx, contactID)
	if err != nil {
		return "", err
	}
	return l.baseURL + "/o/" + p, nil
}

// CheckOptOut returns the contact id of an opt-out path, and whether its
// MAC is right.
func (l *Links) CheckOptOut(ctx context.Context, path string) (string, bool, error) {
	id, _, ok := strings.Cut(path, "-")
	if !ok || id == "" {
		return "", false, nil
	}
	want, err := l.OptOutPath(ctx, id)
	if err != nil {
		return "", false, err
	}
	return id, subtle.ConstantTimeCompare([]byte(want), []byte(path)) == 1, nil
}
