package respond

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// sentValue is the sent cookie's value for a response's reference: the
// reference and a MAC of it under the store's "sent" secret. The reference
// alone is no key: it is the receipt a respondent may read out over the
// phone, and it is in the done page's address, so in a shared computer's
// history. Only the browser that sent the answers holds the MAC, and only
// it may open their confirmation and their profile.
func (s *Pages) sentValue(ctx context.Context, ref string) (string, error) {
	sum, err := s.secrets.HMAC(ctx, "sent", ref)
	if err != nil {
		return "", err
	}
	return ref + "." + hex.EncodeToString(sum[:16]), nil
}

// sentRef is the reference in this browser's sent cookie, or "" when it
// has none or its MAC is wrong.
func (s *Pages) sentRef(c *fiber.Ctx) (string, error) {
	v := c.Cookies(sentCookie)
	i := strings.LastIndexByte(v, '.')
	if i <= 0 {
		return "", nil
	}
	want, err := s.sentValue(c.UserContext(), v[:i])
	if err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(v)) != 1 {
		return "", nil
	}
	return v[:i], nil
}

// memorySecrets are a preview's: made at random for the process, since a
// preview's answers live in one instance's memory too.
type memorySecrets struct{ key []byte }

func newMemorySecrets() memorySecrets {
	k := make([]byte, 32)
	rand.Read(k)
	return memorySecrets{key: k}
}

func (m memorySecrets) Secret(context.Context, string) ([]byte, error) { return m.key, nil }
