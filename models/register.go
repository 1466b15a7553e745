package models

import (
	"context"
	"fmt"
)

// Registration modes: who may create an account.
const (
	RegistrationClosed = "closed" // nobody: accounts come from invitations and createadmin
	RegistrationInvite = "invite" // those who hold an invitation
	RegistrationOpen   = "open"   // anyone, through the sign-up form, with a verified email address
)

// ValidRegistration reports whether mode is one of the registration modes.
func ValidRegistration(mode string) bool {
	return mode == RegistrationClosed || mode == RegistrationInvite || mode == RegistrationOpen
}

// SignUpRole is the role open registration gives: authors publish their
// own posts once their email address is verified.
const SignUpRole = RoleAuthor

const takenSQL = `SELECT EXISTS (SELECT 1 FROM users WHERE lower(username) = lower($1))
	OR EXISTS (SELECT 1 FROM username_holds WHERE username = lower($1) AND held_until > now()) AS username,
	EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($2)) AS email`

// Register creates an account from the sign-up form. A taken username or
// email (a username held after a rename or deletion counts as taken) is a
// *DuplicateError (users_username_key first), found before the
// password is hashed, so a probe for taken names costs one index lookup,
// not a hash; between two sign-ups at once the unique indexes still decide.
func (m *UserModel) Register(ctx context.Context, nu NewUser) (User, error) {
	nu.Role = SignUpRole // sign-up never makes staff
	nu.Unverified = true // until the mailed link is followed
	var taken struct{ Username, Email bool }
	if err := m.DB.GetContext(ctx, &taken, takenSQL, nu.Username, nu.Email); err != nil {
		return User{}, fmt.Errorf("models: check sign-up: %w", err)
	}
	switch {
	case taken.Username:
		return User{}, &DuplicateError{Constraint: "users_username_key"}
	case taken.Email:
		return User{}, &DuplicateError{Constraint: "users_email_key"}
	}
	return m.Insert(ctx, nu)
}

// NoticeTakenEmail answers a sign-up with an address that already has an
// account: the account's owner is to be told, at most once per
// RegisterNoticeLimit. When the account went since, or the owner was told
// lately, there is nothing to send.
func (m *UserModel) NoticeTakenEmail(ctx context.Context, throttle *ThrottleModel, email string) (AfterCommit, error) {
	u, ok, err := m.toMail(ctx, throttle, RegisterNoticeLimit, email)
	if err != nil || !ok {
		return AfterCommit{}, err
	}
	return AfterCommit{Mail: []Mail{{Kind: MailAccountExists, To: u.Email, Username: u.Username}}}, nil
}
