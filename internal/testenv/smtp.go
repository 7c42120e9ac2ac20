package testenv

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTPServer is a real SMTP server on loopback (github.com/emersion/go-smtp)
// that keeps what it is sent, for tests of the service's email. It can be
// told to refuse for a while, as a busy or failing mail server does.
type SMTPServer struct {
	Host string
	Port int
	srv  *smtp.Server

	mu       sync.Mutex
	received []Email
	refuse   int // the next this many messages are refused with 451
	down     bool
	rejected map[string]bool // recipients refused for good (550)
	changed  chan struct{}
}

// Email is one message the server accepted.
type Email struct {
	From, To, Subject, Body string
}

// StartSMTP starts a server on a free loopback port for the test.
func StartSMTP(t testing.TB) *SMTPServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{changed: make(chan struct{})}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Refuse makes the server answer the next n messages with "451 try again
// later", as a busy server does.
func (s *SMTPServer) Refuse(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = n
}

// Reject makes the server refuse mail to an address for good (550).
func (s *SMTPServer) Reject(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == nil {
		s.rejected = map[string]bool{}
	}
	s.rejected[addr] = true
}

// Down makes the server refuse every message (421) until Down(false).
func (s *SMTPServer) Down(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Received returns the messages accepted so far.
func (s *SMTPServer) Received() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.received...)
}

// WaitFor waits until the server has accepted at least n messages, or
// fails the test after within.
func (s *SMTPServer) WaitFor(t testing.TB, n int, within time.Duration) []Email {
	t.Helper()
	deadline := time.After(within)
	for {
		s.mu.Lock()
		got, changed := len(s.received), s.changed
		s.mu.Unlock()
		if got >= n {
			return s.Received()
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the mail server received %d messages in %v, want %d", got, within, n)
		}
	}
}

type smtpSession struct {
	s        *SMTPServer
	from, to string
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", "" }
func (ss *smtpSession) Logout() error { return nil }
func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	refused := ss.s.rejected[to]
	ss.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	ss.to = to
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"}
	}
	if s.refuse > 0 {
		s.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	e, err := decodeEmail(b)
	if err != nil {
		return err
	}
	e.From, e.To = ss.from, ss.to
	s.received = append(s.received, e)
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

// decodeEmail reads a message's subject and its plain-text body.
func decodeEmail(b []byte) (Email, error) {
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return Email{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return Email{}, err
	}
	var body io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "", "7bit", "8bit":
	default:
		return Email{}, errors.New("testenv: unexpected transfer encoding")
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return Email{}, err
	}
	return Email{Subject: subject, Body: strings.ReplaceAll(string(text), "\r\n", "\n")}, nil
}
