package staff

import (
	"context"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
)

// healthz answers while the process serves requests: liveness. It does
// not touch the store, so a database outage does not get every instance
// restarted.
func (s *Pages) healthz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(http.StatusOK).SendString("ok\n")
}

// readyz answers 200 when the store answers a ping, and 503 otherwise:
// readiness, for a load balancer to stop sending requests. Once the store
// has reported its data damaged (web.Health) it answers 503 without
// asking: a damaged file answers pings.
func (s *Pages) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if s.health.Damaged() {
		return c.Status(http.StatusServiceUnavailable).SendString("not ready: the store's data is damaged\n")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		s.log.Error("not ready", "request_id", c.Locals("requestid"), "error", err)
		return c.Status(http.StatusServiceUnavailable).SendString("not ready: the store does not answer\n")
	}
	return c.Status(http.StatusOK).SendString("ready\n")
}
