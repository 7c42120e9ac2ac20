package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"iwtoolkit/internal/store"
)

// errorf is fmt.Errorf for the store's errors. When the cause is MongoDB
// not answering (no server to select, a network error, a timeout, the
// request's deadline passing, a primary stepping down), the error also
// matches store.ErrUnavailable, so that the service says the store is
// down (503) rather than that it has a fault of its own (500).
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if unreachable(err) {
		return unavailable{err}
	}
	return err
}

// unavailable is an error that also matches store.ErrUnavailable.
type unavailable struct{ error }

func (u unavailable) Unwrap() []error { return []error{u.error, store.ErrUnavailable} }

// unavailableCodes are server error codes that say the server cannot do
// the work now, not that the request was wrong: HostUnreachable,
// HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown,
// ExceededTimeLimit, SocketException, NotWritablePrimary,
// InterruptedAtShutdown, InterruptedDueToReplStateChange,
// NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary.
var unavailableCodes = []int{6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}

func unreachable(err error) bool {
	switch {
	case errors.Is(err, store.ErrUnavailable),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, mongo.ErrClientDisconnected),
		mongo.IsTimeout(err), mongo.IsNetworkError(err):
		return true
	}
	var sse topology.ServerSelectionError
	var cleared driver.RetryablePoolError // the pool cleared after a connection failed: the server went away
	if errors.As(err, &sse) || errors.As(err, &cleared) {
		return true
	}
	var se mongo.ServerError
	if errors.As(err, &se) {
		for _, code := range unavailableCodes {
			if se.HasErrorCode(code) {
				return true
			}
		}
		return slices.ContainsFunc([]string{"NetworkError", "RetryableWriteError"}, se.HasErrorLabel)
	}
	return false
}
