package testenv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPServer is a real SMTP server on loopback (github.com/emersion/go-smtp)
// that keeps what it is sent, for tests of the service's email. It can be
// told to refuse for a while, as a busy or failing mail server does.
type SMTPServer struct {
	Host   string
	Port   int
	CAFile string // the PEM file of the authority that signed its certificate, with TLS
	srv    *smtp.Server

	mu       sync.Mutex
	received []Email
	refuse   int // the next this many messages are refused with 451
	down     bool
	rejected map[string]bool // recipients refused for good (550)
	changed  chan struct{}
	user     string // when set, mail is taken only after AUTH PLAIN as user and pass
	pass     string
	authed   int // sessions that signed in
}

// Email is one message the server accepted.
type Email struct {
	From, To, Subject, Body string
	// ToName is the To header's display name, decoded, as a mail program
	// shows it.
	ToName string
	// FromName is the From header's display name, decoded.
	FromName string
	TLS      bool // it came over TLS
}

// StartSMTP starts a server on a free loopback port for the test, with
// neither TLS nor sign-in.
func StartSMTP(t testing.TB) *SMTPServer { return StartSMTPWith(t, SMTPOptions{}) }

// SMTPOptions are how a test's mail server is reached.
type SMTPOptions struct {
	// TLS is "" (none), "starttls" (offered, and required before sign-in
	// or mail) or "tls" (from the first byte), with a certificate for
	// 127.0.0.1 and localhost signed by a new authority, whose PEM file
	// is SMTPServer.CAFile.
	TLS string
	// Username and Password, when set, are required (AUTH PLAIN) before
	// any mail is taken.
	Username, Password string
}

// StartSMTPWith starts a server on a free loopback port for the test.
func StartSMTPWith(t testing.TB, o SMTPOptions) *SMTPServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{changed: make(chan struct{}), user: o.Username, pass: o.Password}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s, conn: c}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = o.TLS == ""
	s.srv.ReadTimeout, s.srv.WriteTimeout = time.Minute, time.Minute
	if o.TLS != "" {
		cfg, caFile := testCertificate(t)
		s.srv.TLSConfig, s.CAFile = cfg, caFile
		if o.TLS == "tls" {
			l = tls.NewListener(l, cfg)
		}
	}
	host, port, _ := net.SplitHostPort(l.Addr().String())
	s.Host = host
	s.Port, _ = strconv.Atoi(port)
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// testCertificate makes an authority and a server certificate for
// 127.0.0.1 and localhost signed by it, and writes the authority's PEM
// file in the test's temporary folder.
func testCertificate(t testing.TB) (*tls.Config, string) {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	caKey, serverKey := key(), key()
	now := time.Now()
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "iwtoolkit test authority"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &serverKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "smtp-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: serverKey}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, caFile
}

// SignedIn says how many sessions signed in.
func (s *SMTPServer) SignedIn() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authed
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
	conn     *smtp.Conn
	from, to string
	authed   bool
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", "" }
func (ss *smtpSession) Logout() error { return nil }
func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

// AuthMechanisms offers PLAIN, which go-smtp offers only over TLS (or
// with AllowInsecureAuth, as without TLS).
func (ss *smtpSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.user || password != ss.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		ss.authed = true
		ss.s.mu.Lock()
		ss.s.authed++
		ss.s.mu.Unlock()
		return nil
	}), nil
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
	_, e.TLS = ss.conn.TLSConnectionState()
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
	names := [2]string{}
	for i, h := range []string{"To", "From"} {
		if a, err := (&mail.AddressParser{WordDecoder: new(mime.WordDecoder)}).Parse(m.Header.Get(h)); err == nil {
			names[i] = a.Name
		}
	}
	return Email{Subject: subject, ToName: names[0], FromName: names[1], Body: strings.ReplaceAll(string(text), "\r\n", "\n")}, nil
}
