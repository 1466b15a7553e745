package models

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/admintable"
)

var (
	roleChoices = []admintable.Choice{{Value: RoleContributor, Label: "Contributor"}, {Value: RoleAuthor, Label: "Author"},
		{Value: RoleEditor, Label: "Editor"}, {Value: RoleAdmin, Label: "Admin"}}
	stateChoices = []admintable.Choice{{Value: StateActive, Label: "Active"}, {Value: StateSuspended, Label: "Suspended"}}

	changeRole = admintable.Action{Key: "change_role", Label: "Change role", Done: "Changed the role of", Confirm: true,
		Help: "Contributors write drafts and submit them for review; authors publish their own posts; " +
			"editors edit, publish and review anyone's posts and invite writers; admins do everything.",
		Option: &admintable.Option{Label: "New role", Choices: roleChoices}}
	suspendUser = admintable.Action{Key: "suspend", Label: "Suspend", Done: "Suspended", Confirm: true, NeedsReason: true,
		Danger: true, Help: "They are signed out at once and cannot sign in until reactivated. Their published posts are hidden from readers until then; nothing is deleted."}
	reactivateUser = admintable.Action{Key: "reactivate", Label: "Reactivate", Done: "Reactivated",
		Help: "They can sign in again, and their published posts are public again."}
	sendReset = admintable.Action{Key: "send_reset", Label: "Send password reset", Done: "Sent a password reset link to",
		Confirm: true, Help: "Each gets an email with a link to choose a new password, valid for one hour. Suspended accounts are skipped."}
	deleteUser = admintable.Action{Key: "delete", Label: "Delete", Done: "Deleted", Confirm: true, Danger: true,
		Help: "The accounts are removed for good; their sessions end and their uploads stay, without an owner. Their usernames stay reserved for 90 days.",
		Option: &admintable.Option{Label: "Their posts", Choices: []admintable.Choice{
			{Value: "keep", Label: "Keep them, shown as by “a deleted user”"},
			{Value: "remove", Label: "Remove them too"},
		}}}
)

// UsersTable is /admin/users.
var UsersTable = admintable.Must(&admintable.Table{
	Name: "users", Title: "Users", Noun: "user", Plural: "users",
	From: "users u", ID: "u.id", Version: "u.version",
	Columns: []admintable.Column{
		{Key: "username", Label: "Username", Expr: "u.username", Link: &admintable.Ref{Page: AuthorPage, Args: []string{"u.username"}},
			Sortable: true, Searchable: true, Render: admintable.Link},
		{Key: "email", Label: "Email", Expr: "u.email", Sortable: true, Searchable: true, Render: admintable.Text},
		{Key: "role", Label: "Role", Expr: "u.role", Sortable: true, Render: admintable.Badge,
			Editable: &admintable.Editable{Type: "select", Choices: roleChoices}},
		{Key: "state", Label: "State", Expr: "u.state", Sortable: true, Render: admintable.Badge},
		{Key: "posts", Label: "Posts", Expr: "(SELECT count(*) FROM posts p WHERE p.author_id = u.id AND p.deleted_at IS NULL)",
			Sortable: true, Render: admintable.Number},
		{Key: "joined", Label: "Joined", Expr: "u.created_at", Sortable: true, Render: admintable.Date},
		{Key: "last_login", Label: "Last login", Expr: "u.last_login_at", Sortable: true, Render: admintable.Date},
	},
	Filters: []admintable.Filter{
		{Key: "role", Label: "Role", Expr: "u.role", Choices: roleChoices},
		{Key: "state", Label: "State", Expr: "u.state", Choices: stateChoices},
		{Key: "joined", Label: "Joined", Expr: "u.created_at", Date: true},
	},
	DefaultSort: "-joined",
	PageSizes:   []int{20, 50, 100},
	RowActions: []admintable.Action{
		changeRole,
		withIf(suspendUser, "state", StateActive),
		withIf(reactivateUser, "state", StateSuspended),
		withIf(sendReset, "state", StateActive),
		deleteUser,
	},
	BulkActions: []admintable.Action{changeRole, suspendUser, reactivateUser, sendReset, deleteUser},
	History:     true,
})

// withIf offers a row action only on rows whose column holds one of values.
func withIf(a admintable.Action, column string, values ...string) admintable.Action {
	a.If = &admintable.Cond{Column: column, In: values}
	return a
}

// userSnap is what the user actions read, and lock, before changing.
type userSnap struct {
	ID              int64  `db:"id"`
	Username        string `db:"username"`
	Email           string `db:"email"`
	Role            string `db:"role"`
	State           string `db:"state"`
	SuspendedReason string `db:"suspended_reason"`
	Version         int    `db:"version"`
}

const lockUsersSQL = `SELECT id, username, email, role, state, suspended_reason, version
FROM users WHERE id = ANY($1) ORDER BY id FOR UPDATE`

func lockUsers(ctx context.Context, tx *sqlx.Tx, ids []int64) ([]userSnap, error) {
	var us []userSnap
	if err := tx.SelectContext(ctx, &us, lockUsersSQL, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("lock users: %w", err)
	}
	return us, nil
}

// userChange is one kind of change applied to many accounts.
type userChange struct {
	rowChange
	applies func(userSnap) bool
	// admins: the change can take away admins, so it runs with the active
	// admins locked, and is refused if it took away an active admin and
	// left none (a site that has none yet can still suspend a spammer).
	admins bool
	// apply, when set, makes a change that is not one UPDATE (deleting
	// accounts, issuing reset links) in place of after and update: it gets
	// the accounts the change applies to and returns their audit entries.
	apply func(ctx context.Context, tx *sqlx.Tx, users []userSnap) ([]AuditEntry, error)
}

// field is the snapshot's value of a field a change makes.
func (u userSnap) field(name string) any {
	switch name {
	case "role":
		return u.Role
	case "state":
		return u.State
	case "suspended_reason":
		return u.SuspendedReason
	}
	return nil
}

// changeUsers locks the accounts, changes those the change applies to, and
// audits each with the fields before and after, in one transaction.
func (m *AdminModel) changeUsers(ctx context.Context, actor Actor, ids []int64, ch userChange) (ActionResult, error) {
	changed := 0
	err := m.adminTx(ctx, strings.ReplaceAll(ch.action, "_", " "), func(tx *sqlx.Tx) error {
		if ch.admins {
			if err := lockAdmins(ctx, tx); err != nil {
				return err
			}
		}
		users, err := lockUsers(ctx, tx, ids)
		if err != nil {
			return err
		}
		if err := checkVersion(len(users), ch.version, func() int { return users[0].Version }); err != nil {
			return err
		}
		var targets []userSnap
		var entries []AuditEntry
		takesAdmin := false
		for _, u := range users {
			if !ch.applies(u) {
				continue
			}
			if ch.apply == nil {
				e, ok := ch.entry("users", u.ID, u.field)
				if !ok {
					continue
				}
				entries = append(entries, e)
			}
			takesAdmin = takesAdmin || (u.Role == RoleAdmin && u.State == StateActive)
			targets = append(targets, u)
		}
		if len(targets) == 0 {
			return nil
		}
		if ch.apply != nil {
			if entries, err = ch.apply(ctx, tx, targets); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, ch.update, append([]any{pq.Array(userIDs(targets))}, ch.args...)...); err != nil {
			return err
		}
		if ch.admins && takesAdmin {
			if err := ensureAdminLeft(ctx, tx); err != nil {
				return err
			}
		}
		changed = len(targets)
		return Audit(ctx, tx, actor, entries...)
	})
	return result(ids, changed), err
}

func userIDs(users []userSnap) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

func anyUser(userSnap) bool { return true }

func stateIs(state string) func(userSnap) bool {
	return func(u userSnap) bool { return u.State == state }
}

const setRoleSQL = `UPDATE users SET role = $2, version = version + 1, updated_at = now() WHERE id = ANY($1)`

// SetRole gives the accounts role. Taking away the last active admin is
// refused.
func (m *AdminModel) SetRole(ctx context.Context, actor Actor, ids []int64, role string) (ActionResult, error) {
	return m.setRole(ctx, actor, ids, role, "change_role", -1)
}

// setRole changes roles; version >= 0 (one id) refuses a newer row.
func (m *AdminModel) setRole(ctx context.Context, actor Actor, ids []int64, role, action string, version int) (ActionResult, error) {
	if !ValidRole(role) {
		return ActionResult{}, refused("Choose a role: contributor, author, editor or admin.")
	}
	return m.changeUsers(ctx, actor, ids, userChange{applies: anyUser, admins: true, rowChange: rowChange{action: action,
		after: map[string]any{"role": role}, update: setRoleSQL, args: []any{role}, version: version}})
}

// checkVersion is the optimistic lock of an inline edit: version < 0 means
// no check (bulk actions); otherwise the one row must exist at version.
func checkVersion(found, version int, current func() int) error {
	switch {
	case version < 0:
		return nil
	case found == 0:
		return ErrNotFound
	case current() != version:
		return ErrConflict
	}
	return nil
}

// Suspension and reactivation both end the account's sessions (a new
// session_epoch). Suspension must: that is how it signs the account out at
// once. Reactivation ends nothing its owner could expect to keep (sign-in
// refuses a suspended account), but a session stamped while the account
// was suspended (a password change racing the suspension stores the new
// epoch) would otherwise come alive again: after reactivation, only new
// sign-ins count.
const (
	suspendSQL = `UPDATE users SET state = 'suspended', suspended_reason = $2,
	session_epoch = session_epoch + 1, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
	reactivateSQL = `UPDATE users SET state = 'active', suspended_reason = '',
	session_epoch = session_epoch + 1, version = version + 1, updated_at = now()
WHERE id = ANY($1)`
)

// Suspend suspends active accounts with a reason and ends their sessions
// at once. An admin cannot suspend themselves, and the last active admin
// cannot be suspended.
func (m *AdminModel) Suspend(ctx context.Context, actor Actor, ids []int64, reason string) (ActionResult, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return ActionResult{}, refused("Give a reason for the suspension.")
	case slices.Contains(ids, actor.ID):
		return ActionResult{}, refused("You cannot suspend yourself.")
	}
	return m.changeUsers(ctx, actor, ids, userChange{applies: stateIs(StateActive), admins: true, rowChange: rowChange{action: "suspend",
		after:  map[string]any{"state": StateSuspended, "suspended_reason": reason},
		update: suspendSQL, args: []any{reason}, note: reason, version: -1}})
}

// Reactivate lets suspended accounts sign in again.
func (m *AdminModel) Reactivate(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	return m.changeUsers(ctx, actor, ids, userChange{applies: stateIs(StateSuspended), rowChange: rowChange{action: "reactivate",
		after:  map[string]any{"state": StateActive, "suspended_reason": ""},
		update: reactivateSQL, version: -1}})
}

// IssueResets makes a password reset token for each active account;
// suspended ones are left unchanged (they could not sign in anyway). The
// links are in the result's After, to mail once the tokens are committed.
func (m *AdminModel) IssueResets(ctx context.Context, actor Actor, ids []int64) (ActionResult, error) {
	var links []Mail
	res, err := m.changeUsers(ctx, actor, ids, userChange{applies: stateIs(StateActive), rowChange: rowChange{action: "send_reset", version: -1},
		apply: func(ctx context.Context, tx *sqlx.Tx, users []userSnap) ([]AuditEntry, error) {
			links = nil
			var entries []AuditEntry
			for _, u := range users {
				token, err := createReset(ctx, tx, u.ID)
				if err != nil {
					return nil, err
				}
				links = append(links, Mail{Kind: MailResetLink, To: u.Email, Username: u.Username, Token: token})
				entries = append(entries, AuditEntry{Model: "users", ObjectID: u.ID, Action: "send_reset",
					Note: "password reset link sent to " + u.Email})
			}
			return entries, nil
		}})
	if err != nil {
		return ActionResult{}, err
	}
	res.After.Mail = links
	return res, nil
}

const (
	userPostsSQL        = `SELECT id, title, status FROM posts WHERE author_id = ANY($1) ORDER BY id FOR UPDATE`
	deleteUserPostsSQL  = `DELETE FROM posts WHERE author_id = ANY($1)`
	countUserPostsSQL   = `SELECT author_id, count(*) FROM posts WHERE author_id = ANY($1) GROUP BY author_id`
	deleteUsersSQL      = `DELETE FROM users WHERE id = ANY($1)`
	deletedUserPostNote = "removed with its author's account"
)

// DeleteUsers removes accounts. Their posts are kept under "a deleted
// user" (posts.author_id becomes NULL) or, with removePosts, removed for
// good, each with its own audit entry. An admin cannot delete themselves,
// nor the last active admin.
func (m *AdminModel) DeleteUsers(ctx context.Context, actor Actor, ids []int64, removePosts bool) (ActionResult, error) {
	if slices.Contains(ids, actor.ID) {
		return ActionResult{}, refused("You cannot delete your own account here.")
	}
	return m.changeUsers(ctx, actor, ids, userChange{applies: anyUser, admins: true, rowChange: rowChange{action: "delete", version: -1},
		apply: func(ctx context.Context, tx *sqlx.Tx, users []userSnap) ([]AuditEntry, error) {
			return deleteUsers(ctx, tx, users, removePosts)
		}})
}

// deleteUsers deletes the locked accounts and, with removePosts, their
// posts, and returns the audit entries: one for each post, then one for
// each account with its post count.
func deleteUsers(ctx context.Context, tx *sqlx.Tx, users []userSnap, removePosts bool) ([]AuditEntry, error) {
	targets := userIDs(users)
	counts := map[int64]int{}
	rows, err := tx.QueryxContext(ctx, countUserPostsSQL, pq.Array(targets))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			_ = rows.Close() // the scan error is the one to report
			return nil, err
		}
		counts[id] = n
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var entries []AuditEntry
	if removePosts {
		var posts []struct {
			ID     int64  `db:"id"`
			Title  string `db:"title"`
			Status string `db:"status"`
		}
		if err := tx.SelectContext(ctx, &posts, userPostsSQL, pq.Array(targets)); err != nil {
			return nil, err
		}
		for _, p := range posts {
			entries = append(entries, AuditEntry{Model: "posts", ObjectID: p.ID, Action: "delete",
				Before: map[string]any{"title": p.Title, "status": p.Status}, Note: deletedUserPostNote})
		}
		if _, err := tx.ExecContext(ctx, deleteUserPostsSQL, pq.Array(targets)); err != nil {
			return nil, err
		}
	}
	note := "posts kept under a deleted user"
	if removePosts {
		note = "posts removed"
	}
	for _, u := range users {
		entries = append(entries, AuditEntry{Model: "users", ObjectID: u.ID, Action: "delete", Note: note,
			Before: map[string]any{"username": u.Username, "email": u.Email, "role": u.Role, "state": u.State,
				"posts": counts[u.ID]}})
	}
	if _, err := tx.ExecContext(ctx, deleteUsersSQL, pq.Array(targets)); err != nil {
		return nil, err
	}
	return entries, nil
}

// EditUser saves an inline edit of one of UsersTable's editable columns
// over version: a newer version is ErrConflict.
func (m *AdminModel) EditUser(ctx context.Context, actor Actor, id int64, version int, field, value string) error {
	switch field {
	case "role":
		_, err := m.setRole(ctx, actor, []int64{id}, value, "edit", version)
		return err
	}
	return fmt.Errorf("models: users: %q is not editable", field)
}
