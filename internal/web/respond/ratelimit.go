package respond

import (
	"fmt"
	"net/http"
	"strconv"
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
func (s *Pages) limitSubmissions(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost || s.submitLimit <= 0 {
		return c.Next()
	}
	now := s.now()
	window := now.Truncate(submitWindow)
	n, err := s.countSubmission(c, now, window)
	if err != nil {
		// A count the store cannot keep does not turn anyone away: the
		// handler meets the same store and, if it has failed, shows the
		// page again with the answers (storeDown). Nothing is stored
		// while it is down, which is what the limit protects.
		s.log.Warn("submissions not counted", "request_id", c.Locals("requestid"), "error", err)
		return c.Next()
	}
	if n > int64(s.submitLimit) {
		wait := window.Add(submitWindow).Sub(now)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(wait.Seconds())+1))
		return fiber.NewError(http.StatusTooManyRequests,
			"Too many answers have been sent from your network in the last few minutes. Your answers on this page have not been saved. Wait 10 minutes, then go back and send them again.")
	}
	return c.Next()
}

// countSubmission counts a respondent's post in the window's shared
// counter for their address, and returns the count so far.
func (s *Pages) countSubmission(c *fiber.Ctx, now, window time.Time) (int64, error) {
	ctx := c.UserContext()
	ip, err := s.secrets.KeyedHash(ctx, "ip:"+c.IP())
	if err != nil {
		return 0, err
	}
	return s.st.Increment(ctx, fmt.Sprintf("submit-client:%s:%d", ip, window.Unix()), now, window.Add(submitWindow))
}
