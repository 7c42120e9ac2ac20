// Package auth is what staff sign-in rests on: password hashing, random
// tokens, and the roles with what each may do. It imports no web framework
// and no database.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's first recommendation (19 MiB, two passes,
// one lane), which takes some tens of milliseconds here.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength is the shortest password accepted. Length is what
// makes a password strong; no rules about kinds of character.
const MinPasswordLength = 12

// maxPasswordLength bounds the work one sign-in attempt can cause.
const maxPasswordLength = 256

// ErrBadHash: a stored hash is not one this package wrote.
var ErrBadHash = errors.New("auth: not an argon2id hash")

// CheckPassword says what is wrong with a new password, or returns nil.
func CheckPassword(password string) error {
	switch n := len([]rune(password)); {
	case n < MinPasswordLength:
		return fmt.Errorf("the password must be at least %d characters long", MinPasswordLength)
	case len(password) > maxPasswordLength:
		return fmt.Errorf("the password must be at most %d characters long", maxPasswordLength)
	}
	return nil
}

// HashPassword returns an argon2id hash of password in the PHC string
// format: $argon2id$v=19$m=19456,t=2,p=1$salt$hash, with unpadded base64.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash, comparing in
// constant time. The parameters are read from the hash, so hashes made
// with older parameters still verify.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, ErrBadHash
	}
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false, ErrBadHash
	}
	// Bounds, so that a tampered hash cannot make a sign-in take all the
	// memory or time there is.
	if memory < 8 || memory > 1<<20 || passes < 1 || passes > 10 || threads < 1 || threads > 16 {
		return false, ErrBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, ErrBadHash
	}
	if len(password) > maxPasswordLength {
		return false, nil
	}
	got := idKey([]byte(password), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// idKey is argon2.IDKey, which allocates its memory (19 MiB) afresh each
// time. Garbage once it returns, that block stayed in the service's
// resident memory: one sign-in took an idle service from about 45 MB to
// 65 (docs/performance.md, "Idle memory"), as the collector, at ratio
// 400, had no reason to run and the runtime kept the pages. So each hash
// then has the memory given back to the system, in the background, one
// at a time: sign-ins are rare beside the hash's own cost, and a flood of
// them (throttled anyway) gives back once per collection, not once each.
func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	key := argon2.IDKey(password, salt, time, memory, threads, keyLen)
	if givingBack.CompareAndSwap(false, true) {
		go func() {
			defer givingBack.Store(false)
			debug.FreeOSMemory()
		}()
	}
	return key
}

var givingBack atomic.Bool

// dummyHash is verified against when no account has the email given, so
// that a sign-in for an unknown email takes as long as one for a known one.
// It is made on first use, so that commands that never check a password
// do not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a password anyone has") // long enough: cannot fail
	return h
})

// VerifyNothing spends the time a password check takes, for an email with
// no account.
func VerifyNothing(password string) { VerifyPassword(dummyHash(), password) }

// NewToken returns 32 random bytes in URL-safe base64: for session
// cookies, CSRF cookies and account ids.
func NewToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is what the store keeps of a token: its SHA-256 in hex.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
