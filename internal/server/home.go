package server

import (
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/survey"
)

type homePage struct {
	page
	Surveys []*survey.Definition
}

func (s *Server) home(c *fiber.Ctx) error {
	return s.render(c, http.StatusOK, "home.html", homePage{page: page{Title: "Surveys"}, Surveys: s.surveys.All()})
}
