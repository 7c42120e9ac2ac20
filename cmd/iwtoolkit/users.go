package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"iwtoolkit/internal/auth"
	"iwtoolkit/internal/config"
	"iwtoolkit/internal/store"
)

const addUserHelp = `Usage: iwtoolkit add-user --email E --name N --role R [--organisation O]

Adds a staff account to the store (MongoDB when MONGODB_URI is set, otherwise
the embedded store in IWT_DATA_DIR). This is how the first administrator is
made; there is no default account and no default password.

The password is read from standard input: typed without being shown when it
is a terminal (twice, to catch typing mistakes), otherwise the first line, so
that it can come from a secrets file:

  iwtoolkit add-user --email ... --role admin --name ... < password-file

Passwords must be at least 12 characters long.

Roles: admin, analyst, board-viewer, coordinator (needs --organisation).
`

// addUser is the add-user command. It takes stdin from its caller, rather
// than run's, so that tests can give it a password.
func addUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := flagSet("add-user", addUserHelp, stdout)
	email := fs.String("email", "", "the person's email address, which they sign in with")
	name := fs.String("name", "", "the person's name, as pages show it")
	role := fs.String("role", "", "admin, analyst, board-viewer or coordinator")
	org := fs.String("organisation", "", "the co-ordinator's organisation")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("add-user: unexpected argument %q (flags are --email, --name, --role, --organisation)", fs.Arg(0))
	}
	a := store.Account{
		ID:           auth.NewToken(),
		Email:        store.NormaliseEmail(*email),
		Name:         strings.TrimSpace(*name),
		Role:         *role,
		Organisation: strings.TrimSpace(*org),
		Created:      time.Now().UTC(),
	}
	if err := checkAccount(a); err != nil {
		return fmt.Errorf("add-user: %w", err)
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return fmt.Errorf("add-user: %w", err)
	}
	if a.PasswordHash, err = auth.HashPassword(password); err != nil {
		return fmt.Errorf("add-user: %w", err)
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	st, _, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close(context.WithoutCancel(ctx))
	if err := st.CreateAccount(ctx, a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("add-user: there is already an account for %s", a.Email)
		}
		return fmt.Errorf("add-user: %w", err)
	}
	entry := store.AuditEntry{At: a.Created, Actor: "add-user command", Action: "created user", Target: a.Email + " (" + a.Role + ")"}
	if err := st.Audit(ctx, entry); err != nil {
		return fmt.Errorf("add-user: %w", err)
	}
	fmt.Fprintf(stdout, "Added %s %s (%s)\n", auth.Role(a.Role).Label(), a.Name, a.Email)
	return nil
}

// checkAccount checks the fields of a new account, saying what is wrong in
// words fit for both the command and the add-user page.
func checkAccount(a store.Account) error {
	switch {
	case !strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t\r\n") || len(a.Email) > 254:
		return errors.New("enter an email address in the correct format, like name@example.org")
	case a.Name == "":
		return errors.New("enter the person's name")
	case len(a.Name) > 200:
		return errors.New("the name must be 200 characters or fewer")
	case len(a.Organisation) > 200:
		return errors.New("the organisation must be 200 characters or fewer")
	}
	role, err := auth.ParseRole(a.Role)
	if err != nil {
		return errors.New("choose a role: admin, analyst, board-viewer or coordinator")
	}
	if err := (auth.User{Role: role, Organisation: a.Organisation}).Valid(); err != nil {
		if role == auth.Coordinator {
			return errors.New("enter the co-ordinator's organisation")
		}
		return errors.New("only a co-ordinator has an organisation")
	}
	return nil
}

// readPassword reads the new password: twice without echo from a terminal,
// otherwise the first line of stdin.
func readPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password (not shown): ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if err := auth.CheckPassword(string(first)); err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "Same password again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords are different")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, auth.CheckPassword(line)
}
