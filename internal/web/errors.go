package web

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"iwtoolkit/internal/store"
)

// ErrInternal marks an error that is the service's own fault (a page that
// would not render, a panic): a 500, logged as one.
var ErrInternal = errors.New("internal error")

// Status is the one map from an error to the status a page answers with,
// and the words it says:
//
//   - a page's own refusal (*fiber.Error: a 404 for an unknown survey, a
//     403, a 422) is its status and message;
//   - the store saying it has no such record is a 404;
//   - the store saying it cannot be reached or cannot write just now
//     (store.ErrUnavailable: MongoDB down, a disk full, the request's
//     deadline passing) is a 503;
//   - anything else, known or not, is the service's own fault: a 500.
func Status(err error) (int, string) {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code, fe.Message
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "Page not found"
	case Unavailable(err):
		return http.StatusServiceUnavailable, "Sorry, there is a problem with the service"
	}
	return http.StatusInternalServerError, "Sorry, there is a problem with the service. Try again later."
}

// Unavailable says whether err is the store failing to do its work: down,
// slower than the request's deadline, full or read-only.
func Unavailable(err error) bool { return errors.Is(err, store.ErrUnavailable) }

// RetryAfter is the Retry-After of a 503, in seconds.
const RetryAfter = "30"
