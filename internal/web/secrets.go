package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// SecretStore keeps secrets shared by every instance on one store.
type SecretStore interface {
	Secret(ctx context.Context, name string) ([]byte, error)
}

// Secrets are the store's secrets, copied on first use with the
// request's context and kept.
type Secrets struct {
	st   SecretStore
	mu   sync.Mutex
	m    map[string][]byte
	macs map[string]*macs
}

// macs are HMAC-SHA256s under one secret, kept for reuse. A new HMAC
// hashes the key's two paddings (two blocks of SHA-256) and allocates; a
// kept one, reset, starts again from those hashes.
type macs struct{ pool sync.Pool }

// mac is one kept HMAC, with room for what it reads and writes.
type mac struct {
	h       hash.Hash
	in, out []byte
}

func newMACs(key []byte) *macs {
	m := &macs{}
	m.pool.New = func() any { return &mac{h: hmac.New(sha256.New, key), out: make([]byte, 0, sha256.Size)} }
	return m
}

// sum is the HMAC of v.
func (m *macs) sum(v string) [sha256.Size]byte {
	k := m.pool.Get().(*mac)
	k.h.Reset()
	k.in = append(k.in[:0], v...)
	k.h.Write(k.in)
	k.out = k.h.Sum(k.out[:0])
	out := [sha256.Size]byte(k.out)
	if cap(k.in) <= 1024 { // a huge value's buffer is not kept
		m.pool.Put(k)
	}
	return out
}

// HMAC is the HMAC-SHA256 of v under the secret name. Once it has read
// a secret, it keeps it, and cannot fail for that name again.
func (s *Secrets) HMAC(ctx context.Context, name, v string) ([sha256.Size]byte, error) {
	s.mu.Lock()
	m, ok := s.macs[name]
	s.mu.Unlock()
	if !ok {
		key, err := s.Get(ctx, name)
		if err != nil {
			return [sha256.Size]byte{}, err
		}
		s.mu.Lock()
		if m, ok = s.macs[name]; !ok {
			if s.macs == nil {
				s.macs = map[string]*macs{}
			}
			m = newMACs(key)
			s.macs[name] = m
		}
		s.mu.Unlock()
	}
	return m.sum(v), nil
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
	sum, err := s.HMAC(ctx, "client-hash", v)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:16]), nil
}
