package web

import (
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestRouteWithoutPermission checks that a route given no permission stops
// start-up rather than being served to anyone.
func TestRouteWithoutPermission(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "GET /staff/forgotten has no permission") {
			t.Errorf("recovered %v, want the route named", r)
		}
	}()
	NewRoutes(fiber.New(), nil).Add("/staff", nil, Route{Method: fiber.MethodGet, Path: "/forgotten", Handler: func(c *fiber.Ctx) error { return nil }})
}
