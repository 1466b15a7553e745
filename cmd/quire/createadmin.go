package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"quire/models"
)

func createAdmin(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg Config
	var username, email string
	fs := newFlagSet("createadmin", "createadmin --username U --email E [flags]")
	fs.StringVar(&username, "username", "", "username of the new administrator (required)")
	fs.StringVar(&email, "email", "", "email address of the new administrator (required)")
	cfg.databaseFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	username = models.NormalizeUsername(username)
	if msg := models.CheckUsername(username); msg != "" {
		return fmt.Errorf("--username: %s", msg)
	}
	email, msg := models.NormalizeEmail(email)
	if msg != "" {
		return fmt.Errorf("--email: %s", msg)
	}
	password, err := readPassword(stdout)
	if err != nil {
		return err
	}
	if err := models.CheckPassword(password, username, email); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	db, err := openMigrated(ctx, &cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	users := &models.UserModel{DB: db.DB, Hasher: models.NewHasher(models.PasswordParams, 0)}
	u, err := users.Insert(ctx, models.NewUser{Username: username, Email: email, Password: password, Role: models.RoleAdmin})
	var dup *models.DuplicateError
	if errors.As(err, &dup) {
		return fmt.Errorf("an account with this %s already exists", strings.TrimSuffix(strings.TrimPrefix(dup.Constraint, "users_"), "_key"))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created administrator %s (%s). Sign in at /login.\n", u.Username, u.Email)
	return nil
}

// readPassword prompts twice on a terminal; otherwise it reads one line
// from standard input, so scripts can pipe the password in.
func readPassword(stdout io.Writer) (string, error) {
	fd := int(os.Stdin.Fd())
	if term.IsTerminal(fd) {
		fmt.Fprint(stdout, "Password: ")
		p1, err := term.ReadPassword(fd)
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stdout, "Password (again): ")
		p2, err := term.ReadPassword(fd)
		fmt.Fprintln(stdout)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords do not match")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("password: none on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
