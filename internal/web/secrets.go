package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// SecretStore keeps secrets shared by every instance on one store.
type SecretStore interface {
	Secret(ctx context.Context, name string) ([]byte, error)
}

// Secrets are the store's secrets, copied on first use with the
// request's context and kept.
type Secrets struct {
	st SecretStore
	mu sync.Mutex
	m  map[string][]byte
}

// NewSecrets returns the secrets of a store.
func NewSecrets(st SecretStore) *Secrets { return &Secrets{st: st} }

// Get returns a secret.
func (s *Secrets) Get(ctx context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[name]; ok {
		return v, nil
	}
	v, err := s.st.Secret(ctx, name)
	if err != nil {
		return nil, err
	}
	if s.m == nil {
		s.m = map[string][]byte{}
	}
	s.m[name] = v
	return v, nil
}

// KeyedHash is an HMAC of v under the store's "client-hash" secret: what
// counters key an IP address or an email by, so that neither is stored
// and a copy of the store cannot be reversed by trying every address.
func (s *Secrets) KeyedHash(ctx context.Context, v string) (string, error) {
	key, err := s.Get(ctx, "client-hash")
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return hex.EncodeToString(m.Sum(nil)[:16]), nil
}
