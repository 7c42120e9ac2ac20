package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig is how to reach a mail server (IWT_SMTP_* settings).
type SMTPConfig struct {
	Host     string
	Port     int    // 0: 587 for starttls and none, 465 for tls
	Username string // no authentication when empty
	Password string
	From     string // the sender's address
	TLS      string // "starttls" (required, the default), "tls" (implicit, port 465) or "none"
	// CAFile is a PEM file of certificate authorities to trust for the
	// mail server besides the system's: a council's relay often has a
	// certificate from the council's own authority.
	CAFile  string
	Timeout time.Duration
}

// SMTP sends through a mail server with github.com/wneessen/go-mail, one
// connection per message: the queue sends a few at a time, and a
// connection held open would only go stale between batches.
type SMTP struct {
	cfg SMTPConfig
	tls *tls.Config // the server's name and the authorities to trust
}

// NewSMTP checks the settings and returns the transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: IWT_SMTP_HOST is not set")
	}
	if cfg.From == "" {
		return nil, errors.New("mail: IWT_SMTP_FROM is not set")
	}
	if err := gomail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("mail: IWT_SMTP_FROM: %w", err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = "starttls"
	case "starttls", "tls", "none":
	default:
		return nil, fmt.Errorf("mail: IWT_SMTP_TLS %q must be starttls, tls or none", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == "tls" {
			cfg.Port = 465
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Username != "" && cfg.TLS == "none" {
		return nil, errors.New("mail: IWT_SMTP_USERNAME is set with IWT_SMTP_TLS=none, which would send the password unencrypted: use starttls or tls")
	}
	s := &SMTP{cfg: cfg, tls: &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}}
	if cfg.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mail: IWT_SMTP_CA_FILE: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mail: IWT_SMTP_CA_FILE: %s has no PEM certificate in it", cfg.CAFile)
		}
		s.tls.RootCAs = pool
	}
	return s, nil
}

// Send delivers one message. A permanent refusal (a 5xx reply) wraps
// ErrRejected; the error never contains the address.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	from, err := netmail.ParseAddress(s.cfg.From)
	if err != nil {
		return rejected{fmt.Errorf("mail: from address: %w", err)}
	}
	if m.FromName != "" {
		from.Name = m.FromName // encoded as net/mail writes it, as the contact's name is
	}
	msg.FromMailAddress(from)
	// The name goes in as net/mail writes it: quoted, with its quotes and
	// backslashes escaped, or encoded when it is not ASCII (Siobhán
	// "Shiv" O'Neill), so that every name people have is sent.
	if _, err := netmail.ParseAddress(m.To); err != nil {
		return rejected{errors.New("mail: the contact's address is not valid")}
	}
	msg.ToMailAddress(&netmail.Address{Name: m.ToName, Address: m.To})
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithTLSConfig(s.tls)}
	switch s.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 && !se.IsTemp() {
			return rejected{fmt.Errorf("mail: smtp: refused with %d %s", se.ErrorCode(), se.EnhancedStatusCode())}
		}
		return fmt.Errorf("mail: smtp %s:%d: %s", s.cfg.Host, s.cfg.Port, scrub(err.Error(), m.To))
	}
	return nil
}

// scrub takes an address out of an error's text, so that it reaches
// neither the queue's reason nor the log.
func scrub(text, addr string) string {
	if addr == "" {
		return text
	}
	return strings.ReplaceAll(text, addr, "(the contact's address)")
}
