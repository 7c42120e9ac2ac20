package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// submitWindow is the window public submissions are counted in.
const submitWindow = 10 * time.Minute

// DefaultSubmitLimit is how many respondent form posts one client address
// may make in submitWindow. It is generous because a school or a council
// office sends everyone through one address: each respondent posts about
// one form a page, so 600 is some 40 people finishing a long survey in
// the same ten minutes.
const DefaultSubmitLimit = 600

// limitSubmissions counts the respondent flow's POSTs per client address
// in fixed ten-minute windows, in the store's shared counters, so that
// every instance counts together. The counter is keyed by a keyed hash of
// the address (keyedHash), never the address, and nothing about the client
// goes with the response. Past the limit it answers 429.
func (s *Server) limitSubmissions(c *fiber.Ctx) error {
	// Fiber matches middleware by plain prefix: "/s" also matches /staff.
	if c.Method() != fiber.MethodPost || s.submitLimit <= 0 || !strings.HasPrefix(c.Path(), "/s/") {
		return c.Next()
	}
	ctx := c.UserContext()
	ip, err := s.keyedHash(ctx, "ip:"+c.IP())
	if err != nil {
		return err
	}
	now := s.now()
	window := now.Truncate(submitWindow)
	n, err := s.store.Increment(ctx, fmt.Sprintf("submit-client:%s:%d", ip, window.Unix()), now, window.Add(submitWindow))
	if err != nil {
		return err
	}
	if n > int64(s.submitLimit) {
		wait := window.Add(submitWindow).Sub(now)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
		return fiber.NewError(http.StatusTooManyRequests,
			"Too many answers have been sent from your network in the last few minutes. Your answers on this page have not been saved. Wait 10 minutes, then go back and send them again.")
	}
	return c.Next()
}
