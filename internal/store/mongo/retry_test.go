package mongo

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// The errors here are the driver's own types, filled in as the driver
// fills them from a server's reply (the stand-in's deadlock, seen in test
// runs: a write error with code 16908292 and message "deadlock detected").
func writeError(code int, msg string) error {
	return fmt.Errorf("mongo: insert response: %w", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: code, Message: msg}}})
}

func TestRetryable(t *testing.T) {
	for _, tt := range []struct {
		name       string
		err        error
		write, key bool // retried as asWrite, as asUpsertByKey
	}{
		{"stand-in deadlock", writeError(standInDeadlock, "deadlock detected"), true, true},
		{"write conflict", mongo.CommandError{Code: writeConflict, Name: "WriteConflict"}, true, true},
		{"duplicate key", writeError(11000, "duplicate key"), false, true},
		{"duplicate key worded as MongoDB does", writeError(11000, "E11000 duplicate key error collection: db.c index: _id_"), false, true},
		{"another write error", writeError(2, "BadValue"), false, false},
		{"the E11000 text without the code", writeError(16460, "error E11000 duplicate key"), false, false},
		{"retryable write label", mongo.CommandError{Code: 91, Name: "ShutdownInProgress", Labels: []string{"RetryableWriteError"}}, false, false},
		{"network", mongo.CommandError{Labels: []string{"NetworkError"}}, false, false},
		{"context", context.DeadlineExceeded, false, false},
		{"not found", mongo.ErrNoDocuments, false, false},
	} {
		if got := retryable(tt.err, asWrite); got != tt.write {
			t.Errorf("%s: retried as a write %v, want %v", tt.name, got, tt.write)
		}
		if got := retryable(tt.err, asUpsertByKey); got != tt.key {
			t.Errorf("%s: retried as an upsert by key %v, want %v", tt.name, got, tt.key)
		}
	}
}

func TestWrittenIsBounded(t *testing.T) {
	deadlock := writeError(standInDeadlock, "deadlock detected")
	tries := 0
	_, err := written(context.Background(), asWrite, func() (int, error) { tries++; return 0, deadlock })
	if !errors.Is(err, deadlock) || tries != maxAttempts {
		t.Errorf("a write that always deadlocks: %d tries, error %v; want %d and the deadlock", tries, err, maxAttempts)
	}
	tries = 0
	v, err := written(context.Background(), asWrite, func() (int, error) {
		if tries++; tries < 3 {
			return 0, deadlock
		}
		return 7, nil
	})
	if v != 7 || err != nil || tries != 3 {
		t.Errorf("a write that deadlocks twice: %d, %v after %d tries; want 7 after 3", v, err, tries)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tries = 0
	if _, err := written(ctx, asWrite, func() (int, error) { tries++; return 0, deadlock }); err == nil || tries != 1 {
		t.Errorf("with the request's context done: %d tries, error %v; want one try", tries, err)
	}
}
