// Package config reads the service's settings from environment variables,
// with defaults in code, so that the service starts with none set.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the service.
type Config struct {
	Listen     string // address to serve HTTP on
	MongoURI   string // when set, MongoDB is the store; otherwise the embedded store
	Database   string // MongoDB database name
	DataDir    string // the embedded store's folder
	SurveysDir string // the folder of survey files
	BaseURL    string // the address people use to reach the service
	// DraftLifetime is how long unfinished answers are kept after they were
	// last saved.
	DraftLifetime time.Duration
	// SubmitLimit is how many respondent form posts one client address may
	// make in ten minutes; 0 turns the limit off.
	SubmitLimit int
	// TrustedProxy lists, comma-separated, the load balancers whose
	// X-Forwarded-For header names the client's address (TrustedProxies).
	TrustedProxy string
	// RespondentTimeout and StaffTimeout bound the store calls of one
	// respondent's request and of any other.
	RespondentTimeout, StaffTimeout time.Duration
	// AfterSendTimeout bounds the work after a response is stored
	// (deleting its draft, counting it), which does not hold up or fail
	// the respondent's confirmation.
	AfterSendTimeout time.Duration
	// MongoMaxPool and MongoMinPool size each instance's pool of
	// connections to MongoDB.
	MongoMaxPool, MongoMinPool int
	// SMTP is the mail server invitations and reminders go through; none
	// when SMTPHost is empty (messages then wait in the queue).
	SMTPHost, SMTPUsername, SMTPPassword, SMTPFrom, SMTPTLS string
	SMTPCAFile                                              string // PEM authorities to trust besides the system's
	SMTPPort                                                int    // 0: the TLS mode's usual port
	// NotifyAPIKey and NotifyTemplateID send email through GOV.UK Notify
	// instead of SMTP.
	NotifyAPIKey, NotifyTemplateID string
	// MailInterval is how often each instance looks for email to send.
	MailInterval time.Duration
	// SurveyPoll is how often each instance asks the store whether a
	// survey version was published, on any instance.
	SurveyPoll time.Duration
	// PublishApproval: publishing a survey version needs a second
	// administrator, other than the one who made the draft.
	PublishApproval bool
	// Organisation runs the service, and Contact is its address for
	// accessibility and personal data: the accessibility statement and
	// privacy notice name them.
	Organisation, Contact string
	// Safeguarding is the address safeguarding alerts go to for a survey
	// that names no safeguarding_lead of its own.
	Safeguarding string
	// ServiceName is the service's name in every page's header and title.
	ServiceName string
}

// Var is one environment variable: its name, default and meaning. Vars is
// the one list that Load reads and --help prints.
type Var struct {
	Name, Default, Help string
	set                 func(*Config, string)
}

// Vars are the settings, in the order --help lists them.
var Vars = []Var{
	{"IWT_LISTEN", ":8080", "address to serve HTTP on", func(c *Config, v string) { c.Listen = v }},
	{"MONGODB_URI", "", "MongoDB connection string; when set MongoDB is the store, otherwise the embedded SQLite store in IWT_DATA_DIR (MONGODB_URI_FILE reads it from a file)", func(c *Config, v string) { c.MongoURI = v }},
	{"IWT_DATABASE", "iwtoolkit", "MongoDB database name", func(c *Config, v string) { c.Database = v }},
	{"IWT_DATA_DIR", "./data", "folder of the embedded store", func(c *Config, v string) { c.DataDir = v }},
	{"IWT_SURVEYS_DIR", "./surveys", "folder of survey definition files (*.yaml)", func(c *Config, v string) { c.SurveysDir = v }},
	{"IWT_BASE_URL", "http://localhost:8080", "the address people use to reach the service; https makes cookies Secure", func(c *Config, v string) { c.BaseURL = strings.TrimRight(v, "/") }},
	{"IWT_DRAFT_DAYS", "30", "days unfinished answers are kept after they were last saved, then deleted", func(c *Config, v string) {
		days, err := strconv.Atoi(v)
		if err != nil || days < 1 {
			days = -1 // Load refuses it
		}
		c.DraftLifetime = time.Duration(days) * 24 * time.Hour
	}},
	{"IWT_SUBMIT_LIMIT", "600", "respondent form posts allowed from one client address in 10 minutes, then 429; 0 turns the limit off. Schools and offices share one address: keep it generous", func(c *Config, v string) {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			n = -1 // Load refuses it
		}
		c.SubmitLimit = n
	}},
	{"IWT_TRUSTED_PROXY", "", "comma-separated addresses or CIDR ranges of load balancers whose X-Forwarded-For gives the client's address (for rate limits and sign-in throttling); not set when clients connect directly", func(c *Config, v string) { c.TrustedProxy = v }},
	{"IWT_RESPONDENT_TIMEOUT", "5s", "how long the store may take over one respondent's page before it answers 503 with what was entered (a Go duration: 5s, 1m)", func(c *Config, v string) { c.RespondentTimeout = duration(v) }},
	{"IWT_STAFF_TIMEOUT", "2m", "the same for any other page: reports, staff pages", func(c *Config, v string) { c.StaffTimeout = duration(v) }},
	{"IWT_AFTER_SEND_TIMEOUT", "30s", "MongoDB: how long the work after a response is stored (deleting its draft, counting it), or finding out whether a send cut off by a failure was stored, may take; it has its own deadline, so the respondent is told the answers were sent once they are stored, and what it leaves undone is caught up later", func(c *Config, v string) { c.AfterSendTimeout = duration(v) }},
	{"IWT_MONGODB_POOL", "100", "MongoDB: most connections one instance opens to each server (maxPoolSize in MONGODB_URI wins); a request waiting for one waits within its deadline", func(c *Config, v string) { c.MongoMaxPool = count(v, 1) }},
	{"IWT_MONGODB_MIN_POOL", "10", "MongoDB: connections kept open while idle, so that a burst does not wait for new ones (minPoolSize in MONGODB_URI wins)", func(c *Config, v string) { c.MongoMinPool = count(v, 0) }},
	{"IWT_SMTP_HOST", "", "mail server for invitations and reminders; not set: nothing is sent and messages wait in the queue", func(c *Config, v string) { c.SMTPHost = v }},
	{"IWT_SMTP_PORT", "", "mail server port; not set: 587 (starttls, none) or 465 (tls)", func(c *Config, v string) {
		if v == "" {
			return
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			n = -1 // Load refuses it
		}
		c.SMTPPort = n
	}},
	{"IWT_SMTP_USERNAME", "", "user name at the mail server; not set: no authentication", func(c *Config, v string) { c.SMTPUsername = v }},
	{"IWT_SMTP_PASSWORD", "", "password at the mail server (IWT_SMTP_PASSWORD_FILE reads it from a file)", func(c *Config, v string) { c.SMTPPassword = v }},
	{"IWT_SMTP_FROM", "", "the address emails come from, for example surveys@trust.example.gov.uk", func(c *Config, v string) { c.SMTPFrom = v }},
	{"IWT_SMTP_TLS", "starttls", "starttls (required), tls (from the first byte, usually port 465) or none (only to a relay on the same host or network)", func(c *Config, v string) { c.SMTPTLS = v }},
	{"IWT_SMTP_CA_FILE", "", "PEM file of certificate authorities to trust for the mail server besides the system's, for a relay with a certificate from the organisation's own authority", func(c *Config, v string) { c.SMTPCAFile = v }},
	{"IWT_NOTIFY_API_KEY", "", "GOV.UK Notify API key, to send email through Notify instead of SMTP (IWT_NOTIFY_API_KEY_FILE reads it from a file)", func(c *Config, v string) { c.NotifyAPIKey = v }},
	{"IWT_NOTIFY_TEMPLATE_ID", "", "the Notify email template, whose subject is ((subject)) and message ((body))", func(c *Config, v string) { c.NotifyTemplateID = v }},
	{"IWT_MAIL_INTERVAL", "30s", "how often each instance looks for email to send; a safeguarding alert does not wait: the send that stores it wakes the instance's mail worker (a Go duration)", func(c *Config, v string) { c.MailInterval = duration(v) }},
	{"IWT_SURVEY_POLL", "10s", "how often each instance asks the store whether a survey version was published on the staff pages of any instance: each serves it within this time, without a restart (a Go duration)", func(c *Config, v string) { c.SurveyPoll = duration(v) }},
	{"IWT_PUBLISH_APPROVAL", "", "set to second-admin so that a survey version is published only by an administrator other than the one who made it", func(c *Config, v string) { c.PublishApproval = v == "second-admin" }},
	{"IWT_SERVICE_NAME", "Integrated Working Toolkit", "the service's name, as the Trust calls it, in every page's header and title", func(c *Config, v string) { c.ServiceName = strings.TrimSpace(v) }},
	{"IWT_ORGANISATION", "The Children's Trust partnership", "who runs the service, as the accessibility statement and privacy notice name it, and who emails come from when a survey names no one (email.asking)", func(c *Config, v string) { c.Organisation = v }},
	{"IWT_SAFEGUARDING_EMAIL", "", "the address told at once (no answer in the email, a link to sign in) when a child's answer is flagged, for a survey whose file names no safeguarding_lead", func(c *Config, v string) { c.Safeguarding = v }},
	{"IWT_CONTACT_EMAIL", "", "the address for questions about accessibility and personal data, on /accessibility and /privacy, and whom invitations say to ask when a survey names no one (email.contact)", func(c *Config, v string) { c.Contact = v }},
}

// count parses a whole number of at least least, or gives -1 for Load to
// refuse.
func count(v string, least int) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		return -1
	}
	return n
}

// duration parses a positive duration, or gives -1 for Load to refuse.
func duration(v string) time.Duration {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return -1
	}
	return d
}

// Load reads the settings through getenv (os.Getenv in the service, a map in
// tests). NAME_FILE, where set, names a file holding the value of NAME, for
// secrets such as a MongoDB password.
func Load(getenv func(string) string) (Config, error) {
	var c Config
	for _, v := range Vars {
		value := getenv(v.Name)
		if file := getenv(v.Name + "_FILE"); value == "" && file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				return Config{}, fmt.Errorf("config: %s_FILE: %w", v.Name, err)
			}
			value = strings.TrimSpace(string(b))
		}
		if value == "" {
			value = v.Default
		}
		v.set(&c, value)
	}
	if c.DraftLifetime <= 0 {
		return Config{}, fmt.Errorf("config: IWT_DRAFT_DAYS must be a whole number of days, 1 or more")
	}
	if c.SubmitLimit < 0 {
		return Config{}, fmt.Errorf("config: IWT_SUBMIT_LIMIT must be a whole number, 0 or more")
	}
	if c.RespondentTimeout < 0 || c.StaffTimeout < 0 {
		return Config{}, fmt.Errorf("config: IWT_RESPONDENT_TIMEOUT and IWT_STAFF_TIMEOUT must be durations above zero, such as 5s or 2m")
	}
	if c.AfterSendTimeout < 0 {
		return Config{}, fmt.Errorf("config: IWT_AFTER_SEND_TIMEOUT must be a duration above zero, such as 30s")
	}
	if c.MongoMaxPool < 0 || c.MongoMinPool < 0 || c.MongoMinPool > c.MongoMaxPool {
		return Config{}, fmt.Errorf("config: IWT_MONGODB_POOL must be a whole number, 1 or more, and IWT_MONGODB_MIN_POOL one from 0 to IWT_MONGODB_POOL")
	}
	if c.SMTPPort < 0 {
		return Config{}, fmt.Errorf("config: IWT_SMTP_PORT must be a port number from 1 to 65535")
	}
	switch c.SMTPTLS {
	case "starttls", "tls", "none":
	default:
		return Config{}, fmt.Errorf("config: IWT_SMTP_TLS %q must be starttls, tls or none", c.SMTPTLS)
	}
	if c.SMTPUsername != "" && c.SMTPTLS == "none" {
		return Config{}, fmt.Errorf("config: IWT_SMTP_USERNAME is set with IWT_SMTP_TLS=none, which would send the password unencrypted: use starttls or tls")
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		return Config{}, fmt.Errorf("config: IWT_SMTP_HOST is set, so IWT_SMTP_FROM must be too")
	}
	if c.SMTPHost != "" && c.NotifyAPIKey != "" {
		return Config{}, fmt.Errorf("config: set IWT_SMTP_HOST or IWT_NOTIFY_API_KEY, not both")
	}
	if c.NotifyAPIKey != "" && c.NotifyTemplateID == "" {
		return Config{}, fmt.Errorf("config: IWT_NOTIFY_API_KEY is set, so IWT_NOTIFY_TEMPLATE_ID must be too")
	}
	if a, err := mail.ParseAddress(c.Safeguarding); c.Safeguarding != "" && (err != nil || a.Address != c.Safeguarding) {
		return Config{}, fmt.Errorf("config: IWT_SAFEGUARDING_EMAIL must be one email address, such as safeguarding@trust.example.gov.uk")
	}
	if c.SurveyPoll <= 0 {
		return Config{}, fmt.Errorf("config: IWT_SURVEY_POLL must be a duration above zero, such as 10s")
	}
	if v := getenv("IWT_PUBLISH_APPROVAL"); v != "" && v != "second-admin" {
		return Config{}, fmt.Errorf("config: IWT_PUBLISH_APPROVAL must be second-admin, or not set")
	}
	if c.MailInterval < 0 {
		return Config{}, fmt.Errorf("config: IWT_MAIL_INTERVAL must be a duration above zero, such as 30s")
	}
	for _, p := range c.TrustedProxies() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				return Config{}, fmt.Errorf("config: IWT_TRUSTED_PROXY: %q is not an IP address or CIDR range", p)
			}
		}
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Config{}, fmt.Errorf("config: IWT_BASE_URL %q must be an http or https address such as https://iwt.example.gov.uk", c.BaseURL)
	}
	c.BaseURL = u.String() // the scheme in lower case
	return c, nil
}

// TrustedProxies are the addresses and CIDR ranges in TrustedProxy.
func (c Config) TrustedProxies() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxy, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Secure reports whether people reach the service over https, so that
// cookies can be marked Secure.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Help lists the environment variables for --help.
func Help() string {
	var b strings.Builder
	for _, v := range Vars {
		def := v.Default
		if def == "" {
			def = "(not set)"
		}
		fmt.Fprintf(&b, "  %-16s %s\n  %-16s default: %s\n", v.Name, v.Help, "", def)
	}
	return b.String()
}
