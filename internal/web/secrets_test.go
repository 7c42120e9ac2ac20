package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"iwtoolkit/internal/store/sqlite"
)

func openSecrets(tb testing.TB) *Secrets {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close(context.Background()) })
	return NewSecrets(st)
}

// The tokens and keyed hashes made with kept HMACs are those of a fresh
// HMAC under the store's key, for every value, from many goroutines at
// once.
func TestKeptHMACsAreFresh(t *testing.T) {
	ctx := context.Background()
	s := openSecrets(t)
	csrfKey, err := s.Get(ctx, "csrf")
	if err != nil {
		t.Fatal(err)
	}
	hashKey, err := s.Get(ctx, "client-hash")
	if err != nil {
		t.Fatal(err)
	}
	fresh := func(key []byte, v string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(v))
		return hex.EncodeToString(m.Sum(nil))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				v := fmt.Sprintf("value %d of %d", i, g)
				token, err := csrfTokenOf(ctx, s, v)
				if err != nil {
					t.Error(err)
					return
				}
				if want := fresh(csrfKey, v); token != want {
					t.Errorf("token of %q: %s, want %s", v, token, want)
				}
				h, err := s.KeyedHash(ctx, v)
				if err != nil {
					t.Error(err)
					return
				}
				if want := fresh(hashKey, v)[:32]; h != want {
					t.Errorf("keyed hash of %q: %s, want %s", v, h, want)
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkCSRFToken(b *testing.B) {
	ctx := context.Background()
	s := openSecrets(b)
	cookie := "Jr3bT9u1n0KqzX8vQ2c5w7yA4sD6fG8hJ0kL2mN4pQ6"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := csrfTokenOf(ctx, s, cookie); err != nil {
			b.Fatal(err)
		}
	}
}
