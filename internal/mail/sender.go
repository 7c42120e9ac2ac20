// Package mail sends invitations and reminders by email: contact lists
// read from CSV (contacts.go), the words of each email (compose.go), the
// links in them (links.go), reminders (remind.go) and the worker that
// takes messages from the store's queue and sends them (worker.go)
// through a Sender: SMTP (smtp.go) or GOV.UK Notify's API (notify.go),
// which many councils use.
package mail

import (
	"context"
	"errors"
)

// Message is one email, ready to send.
type Message struct {
	ID     string // the queue's id, for the transport's own idempotence where it has any
	To     string
	ToName string
	// FromName is the sender's name beside the service's address (who is
	// asking): SMTP sends it; GOV.UK Notify uses its service's own name.
	FromName string
	Subject  string
	Body     string // plain text
}

// Sender delivers messages. Send returns nil once the transport has
// accepted the message. An error that wraps ErrRejected says the message
// will never be accepted (an address refused for good): the worker gives
// it up. Any other error is taken as passing (the server down, busy, or
// refusing for now), and the message is tried again later.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrRejected marks a refusal that trying again will not change.
var ErrRejected = errors.New("mail: message refused for good")

// rejected wraps err so that it matches ErrRejected.
type rejected struct{ error }

func (r rejected) Unwrap() []error { return []error{r.error, ErrRejected} }
