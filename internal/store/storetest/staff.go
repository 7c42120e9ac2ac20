package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"iwtoolkit/internal/store"
)

// staffTests are the contract for staff data; Run runs them with the rest.
var staffTests = []struct {
	name string
	fn   func(t *testing.T, open func(t *testing.T) store.Store)
}{
	{"Accounts", testAccounts},
	{"Sessions", testSessions},
	{"Counters", testCounters},
	{"AuditLog", testAuditLog},
	{"Secrets", testSecrets},
}

// Account returns an account with every field set; n makes it distinct.
func Account(n int, role, organisation string) store.Account {
	return store.Account{
		ID:           fmt.Sprintf("acct-%d", n),
		Email:        fmt.Sprintf("person%d@example.org", n),
		Name:         fmt.Sprintf("Person %d O'Brien", n),
		Role:         role,
		Organisation: organisation,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		Created:      t0,
	}
}

func testAccounts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	b := Account(2, "coordinator", "Northfield Primary School")
	b.Email = "  Zed.Person@Example.ORG "
	b.Disabled = true
	a := Account(1, "admin", "")
	for _, acct := range []store.Account{b, a} {
		if err := s.CreateAccount(ctx, acct); err != nil {
			t.Fatalf("CreateAccount(%s): %v", acct.Email, err)
		}
	}
	b.Email = "zed.person@example.org" // stored in lower case
	got, err := s.Account(ctx, b.ID)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("Account (-want +got):\n%s", diff)
	}
	got, err = s.AccountByEmail(ctx, "ZED.person@example.org")
	if err != nil || got.ID != b.ID {
		t.Errorf("AccountByEmail in another case = %q, %v; want %q", got.ID, err, b.ID)
	}
	dup := Account(3, "analyst", "")
	dup.Email = "Person1@example.org"
	if err := s.CreateAccount(ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateAccount with a taken email in another case: error %v, want ErrConflict", err)
	}
	all, err := s.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]store.Account{a, b}, all); diff != "" {
		t.Errorf("Accounts (-want +got):\n%s", diff)
	}
	if _, err := s.Account(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Account(nobody): error %v, want ErrNotFound", err)
	}
	if _, err := s.AccountByEmail(ctx, "nobody@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AccountByEmail(nobody): error %v, want ErrNotFound", err)
	}
}

func testSessions(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	if err := s.CreateAccount(ctx, Account(1, "analyst", "")); err != nil {
		t.Fatal(err)
	}
	want := store.Session{TokenHash: "hash-1", AccountID: "acct-1", Created: t0, Expires: t0.Add(8 * time.Hour)}
	other := store.Session{TokenHash: "hash-2", AccountID: "acct-1", Created: t0, Expires: t0.Add(time.Hour)}
	for _, sess := range []store.Session{want, other} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
	}
	got, err := s.Session(ctx, "hash-1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Session (-want +got):\n%s", diff)
	}
	if err := s.DeleteSession(ctx, "hash-1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := s.Session(ctx, "hash-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after DeleteSession: error %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, "hash-1"); err != nil {
		t.Errorf("DeleteSession of a deleted session: %v", err)
	}
	if _, err := s.Session(ctx, "hash-2"); err != nil {
		t.Errorf("another session after DeleteSession: %v", err)
	}

	// A password change signs the account out everywhere else.
	for _, h := range []string{"hash-3", "hash-4"} {
		if err := s.CreateSession(ctx, store.Session{TokenHash: h, AccountID: "acct-1", Created: t0, Expires: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteOtherSessions(ctx, "acct-1", "hash-3"); err != nil {
		t.Fatal(err)
	}
	for h, want := range map[string]error{"hash-2": store.ErrNotFound, "hash-3": nil, "hash-4": store.ErrNotFound} {
		if _, err := s.Session(ctx, h); !errors.Is(err, want) {
			t.Errorf("after DeleteOtherSessions keeping hash-3: %s: %v, want %v", h, err, want)
		}
	}
}

func testCounters(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	expires := t0.Add(15 * time.Minute)
	for want := int64(1); want <= 3; want++ {
		n, err := s.Increment(ctx, "signin:abc:1", t0, expires)
		if err != nil || n != want {
			t.Fatalf("Increment = %d, %v; want %d", n, err, want)
		}
	}
	if n, err := s.Increment(ctx, "signin:def:1", t0, expires); err != nil || n != 1 {
		t.Errorf("Increment of another key = %d, %v; want 1", n, err)
	}
	if n, err := s.Count(ctx, "signin:abc:1", t0.Add(time.Minute)); err != nil || n != 3 {
		t.Errorf("Count = %d, %v; want 3", n, err)
	}
	if n, err := s.Count(ctx, "absent", t0); err != nil || n != 0 {
		t.Errorf("Count(absent) = %d, %v; want 0", n, err)
	}
	later := expires.Add(time.Second)
	if n, err := s.Count(ctx, "signin:abc:1", later); err != nil || n != 0 {
		t.Errorf("Count after expiry = %d, %v; want 0", n, err)
	}
	if n, err := s.Increment(ctx, "signin:abc:1", later, later.Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("Increment after expiry = %d, %v; want 1 (a fresh counter)", n, err)
	}
	if n, err := s.Count(ctx, "signin:abc:1", later); err != nil || n != 1 {
		t.Errorf("Count of the fresh counter = %d, %v; want 1", n, err)
	}
}

// testConcurrentIncrements checks that increments from many goroutines
// are all counted, the first of them racing to create the counter.
func testConcurrentIncrements(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Increment(ctx, "submit:shared", t0, t0.Add(time.Hour)); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, err := s.Count(ctx, "submit:shared", t0); err != nil || n != workers*each {
		t.Errorf("after %d concurrent increments Count = %d, %v", workers*each, n, err)
	}
}

func testAuditLog(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	var all []store.AuditEntry
	for i := 0; i < 5; i++ {
		e := store.AuditEntry{At: t0.Add(time.Duration(i/2) * time.Second), Actor: "admin@example.org", Action: "created user", Target: fmt.Sprintf("person%d@example.org", i)}
		if err := s.Audit(ctx, e); err != nil {
			t.Fatalf("Audit: %v", err)
		}
		all = append(all, e)
	}
	got, err := s.AuditLog(ctx, 3)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	// Newest first; entries in the same millisecond, latest written first.
	want := []store.AuditEntry{all[4], all[3], all[2]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AuditLog(3) (-want +got):\n%s", diff)
	}
	if got, err := s.AuditLog(ctx, 100); err != nil || len(got) != 5 {
		t.Errorf("AuditLog(100): %d entries, %v; want 5", len(got), err)
	}
}

func testSecrets(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.Secret(ctx, "csrf")
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("Secret: %v", errs[i])
		}
		if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
			t.Errorf("Secret from caller %d = %x, want the 32 bytes all callers got: %x", i, got[i], got[0])
		}
	}
	other, err := s.Secret(ctx, "ip-hash")
	if err != nil || bytes.Equal(other, got[0]) {
		t.Errorf("Secret(another name) = %x, %v; want a different value", other, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s = open(t)
	again, err := s.Secret(ctx, "csrf")
	if err != nil || !bytes.Equal(again, got[0]) {
		t.Errorf("Secret after reopening = %x, %v; want %x", again, err, got[0])
	}
}
