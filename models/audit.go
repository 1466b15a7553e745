package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/admintable"
)

// Actor is who performs an admin action, as the audit log names them.
type Actor struct {
	ID   int64
	Name string // username, kept in the log after the account is gone
	Role string // what the actor may do (roles.go); not logged
	// Unverified: the actor's email address is not confirmed, so it may
	// not publish (verification.go).
	Unverified bool
}

// AuditEntry is one object's change by one action.
type AuditEntry struct {
	Model    string // the admin table's name: users, posts, media
	ObjectID int64
	Action   string
	// Before and After hold the changed fields; nil before a creation or
	// after a deletion.
	Before, After map[string]any
	Note          string
}

const insertAuditSQL = `INSERT INTO audit_log (actor_id, actor_name, model, object_id, action, before, after, note)
SELECT $1, $2, e.model, e.object_id, e.action, e.before::jsonb, e.after::jsonb, e.note
FROM unnest($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
	AS e(model, object_id, action, before, after, note)`

// Audit records entries inside tx, so they commit or roll back with the
// change they describe. All of them go in one statement: a bulk action over
// thousands of rows costs one round trip here.
func Audit(ctx context.Context, tx *sqlx.Tx, actor Actor, entries ...AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	n := len(entries)
	models, actions, notes := make([]string, n), make([]string, n), make([]string, n)
	ids := make([]int64, n)
	before, after := make([]sql.NullString, n), make([]sql.NullString, n)
	for i, e := range entries {
		models[i], ids[i], actions[i], notes[i] = e.Model, e.ObjectID, e.Action, e.Note
		var err error
		if before[i], err = jsonField(e.Before); err != nil {
			return err
		}
		if after[i], err = jsonField(e.After); err != nil {
			return err
		}
	}
	actorID := sql.NullInt64{Int64: actor.ID, Valid: actor.ID != 0}
	_, err := tx.ExecContext(ctx, insertAuditSQL, actorID, actor.Name, pq.Array(models), pq.Array(ids),
		pq.Array(actions), pq.Array(before), pq.Array(after), pq.Array(notes))
	if err != nil {
		return fmt.Errorf("models: audit: %w", err)
	}
	return nil
}

func jsonField(m map[string]any) (sql.NullString, error) {
	if m == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("models: audit: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// diff keeps only the fields whose values differ, so an entry shows what
// an action changed and nothing else.
func diff(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if !reflect.DeepEqual(before[k], v) {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}

// AuditRecord is one row of the audit log.
type AuditRecord struct {
	ID        int64          `db:"id"`
	ActorID   sql.NullInt64  `db:"actor_id"`
	ActorName string         `db:"actor_name"`
	At        time.Time      `db:"at"`
	Model     string         `db:"model"`
	ObjectID  int64          `db:"object_id"`
	Action    string         `db:"action"`
	Before    sql.NullString `db:"before"` // JSON
	After     sql.NullString `db:"after"`  // JSON
	Note      string         `db:"note"`
	// Object names what the entry is about, as people know it: a post's
	// title, a username, an invitation's address; "posts #503" only when
	// the object is gone and the entry kept no name.
	Object string `db:"object"`
}

// auditObjectSQL names an audit entry's object (l is audit_log) from its
// row today, else from the name the entry kept when it was deleted.
const auditObjectSQL = `COALESCE(CASE l.model
	WHEN 'posts' THEN (SELECT NULLIF(p.title, '') FROM posts p WHERE p.id = l.object_id)
	WHEN 'users' THEN (SELECT u.username FROM users u WHERE u.id = l.object_id)
	WHEN 'invitations' THEN (SELECT i.email FROM invitations i WHERE i.id = l.object_id)
	WHEN 'media' THEN (SELECT COALESCE(NULLIF(m.alt, ''), m.key) FROM media m WHERE m.id = l.object_id)
	WHEN 'settings' THEN 'Site settings'
	END, l.before->>'title', l.before->>'username', l.before->>'email', l.model || ' #' || l.object_id)`

const auditColumns = `l.id, l.actor_id, l.actor_name, l.at, l.model, l.object_id, l.action, l.before::text, l.after::text, l.note, ` +
	auditObjectSQL + ` AS object`

const recentAuditSQL = `SELECT ` + auditColumns + ` FROM audit_log l ORDER BY l.at DESC, l.id DESC LIMIT $1`

// RecentAudit returns the newest n entries of the log.
func (m *AdminModel) RecentAudit(ctx context.Context, n int) ([]AuditRecord, error) {
	out := []AuditRecord{}
	if err := m.DB.SelectContext(ctx, &out, recentAuditSQL, n); err != nil {
		return nil, fmt.Errorf("models: recent audit: %w", err)
	}
	return out, nil
}

// AuditTable is /admin/audit: the log as a table like the others, read-only.
var AuditTable = admintable.Must(&admintable.Table{
	Name: "audit", Title: "Audit log", Noun: "entry", Plural: "entries",
	From: "audit_log l",
	ID:   "l.id",
	Columns: []admintable.Column{
		{Key: "at", Label: "When", Expr: "l.at", Sortable: true, Render: admintable.Date},
		{Key: "actor", Label: "Admin", Expr: "l.actor_name", Sortable: true, Searchable: true, Render: admintable.Text},
		{Key: "model", Label: "Model", Expr: "l.model", Sortable: true, Render: admintable.Badge},
		{Key: "object", Label: "Object", Expr: auditObjectSQL, SortExpr: "l.object_id",
			Link: &admintable.Ref{Page: HistoryPage, Args: []string{"l.model", "l.object_id"}}, Sortable: true, Render: admintable.Link},
		{Key: "action", Label: "Action", Expr: "l.action", Sortable: true, Searchable: true, Render: admintable.Badge},
		{Key: "changes", Label: "Changes", Expr: "jsonb_build_object('before', l.before, 'after', l.after)",
			Render: admintable.Changes},
		{Key: "note", Label: "Note", Expr: "l.note", Searchable: true, Render: admintable.Text},
	},
	Filters: []admintable.Filter{
		{Key: "actor", Label: "Admin", Expr: "l.actor_id", Int: true,
			ChoicesSQL: `SELECT DISTINCT ON (actor_id) actor_id::text, actor_name FROM audit_log
				WHERE actor_id IS NOT NULL ORDER BY actor_id, at DESC`},
		{Key: "model", Label: "Model", Expr: "l.model", Choices: []admintable.Choice{
			{Value: "users", Label: "Users"}, {Value: "posts", Label: "Posts"}, {Value: "media", Label: "Media"},
			{Value: "settings", Label: "Settings"},
			{Value: "invitations", Label: "Invitations"}, {Value: rerenderAuditModel, Label: "Markdown"}}},

		{Key: "action", Label: "Action", Expr: "l.action", Choices: auditActions()},
		{Key: "at", Label: "Date", Expr: "l.at", Date: true},
		{Key: "object", Label: "Object id", Expr: "l.object_id", Int: true},
	},
	DefaultSort: "-at",
	PageSizes:   []int{50, 20, 100},
})

// auditActions lists every action the other tables declare, and inline
// edits, as the choices of the log's action filter.
func auditActions() []admintable.Choice {
	out := []admintable.Choice{{Value: "edit", Label: "Edit"}, {Value: "invite", Label: "Invite"}, {Value: "accept", Label: "Accept"},
		{Value: rerenderAuditAction, Label: "Render again"}}
	seen := map[string]bool{"edit": true, "invite": true, "accept": true, rerenderAuditAction: true}
	for _, t := range []*admintable.Table{UsersTable, PostsTable, MediaTable, InvitationsTable, ReviewTable} {
		for _, a := range append(t.RowActions, t.BulkActions...) {
			if !seen[a.Key] {
				seen[a.Key] = true
				out = append(out, admintable.Choice{Value: a.Key, Label: a.Label})
			}
		}
	}
	return out
}
