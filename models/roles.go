package models

import (
	"errors"
	"slices"
)

// Roles, from the least trusted to the most.
const (
	RoleContributor = "contributor" // writes drafts and submits them for review
	RoleAuthor      = "author"      // publishes their own posts
	RoleEditor      = "editor"      // edits, publishes and unpublishes anyone's posts; reviews; invites writers
	RoleAdmin       = "admin"       // everything: accounts, settings, media, the audit log
)

// Roles lists every role, least trusted first; sql/00012's CHECK holds the same list.
var Roles = []string{RoleContributor, RoleAuthor, RoleEditor, RoleAdmin}

// Permission is something an account may be allowed to do.
type Permission string

// The permissions. Each write path asks for one, here, and nowhere else
// decides what a role may do.
const (
	// PermWrite: write drafts, edit and delete one's own posts, submit them.
	PermWrite Permission = "write"
	// PermPublish: publish and unpublish one's own posts.
	PermPublish Permission = "publish"
	// PermEditAny: edit, publish, unpublish, hide and delete anyone's
	// posts; the posts table and the review queue.
	PermEditAny Permission = "edit any post"
	// PermInvite: invite people by email (InvitableRoles says with which roles).
	PermInvite Permission = "invite"
	// PermAdmin: accounts, media, the audit log, the site's settings.
	PermAdmin Permission = "admin"
)

// rolePermissions is the permission table.
var rolePermissions = map[string][]Permission{
	RoleContributor: {PermWrite},
	RoleAuthor:      {PermWrite, PermPublish},
	RoleEditor:      {PermWrite, PermPublish, PermEditAny, PermInvite},
	RoleAdmin:       {PermWrite, PermPublish, PermEditAny, PermInvite, PermAdmin},
}

// RoleCan reports whether role grants p; an unknown role grants nothing.
func RoleCan(role string, p Permission) bool { return slices.Contains(rolePermissions[role], p) }

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { return slices.Contains(Roles, role) }

// InvitableRoles are the roles an account with role may give by invitation:
// admins any, editors contributors and authors, others none.
func InvitableRoles(role string) []string {
	switch {
	case RoleCan(role, PermAdmin):
		return Roles
	case RoleCan(role, PermInvite):
		return []string{RoleContributor, RoleAuthor}
	}
	return nil
}

// ContributorUploadBytes caps a contributor's image uploads (others get
// the site's limit for every image).
const ContributorUploadBytes = 2 << 20

// UploadLimit is the largest image file role may upload, or max when the
// role has no lower cap.
func UploadLimit(role string, max int64) int64 {
	if !RoleCan(role, PermPublish) {
		return min(max, ContributorUploadBytes)
	}
	return max
}

// ErrUnverified is a publication asked by an account whose email address
// is not confirmed yet; it is an ErrForbidden with its own message.
var ErrUnverified = &ForbiddenError{Msg: "Confirm your email address before you publish: follow the link we sent you, or have a new one sent."}

// ErrForbidden is a change the account's role does not allow.
var ErrForbidden = errors.New("not allowed")

// ForbiddenError says, in a sentence for the user, why a role may not do
// something.
type ForbiddenError struct{ Msg string }

func (e *ForbiddenError) Error() string        { return e.Msg }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// Can reports whether the account may do p: an active account whose role
// grants it.
func (u User) Can(p Permission) bool { return u.State == StateActive && RoleCan(u.Role, p) }

// Can reports whether the actor's role grants p.
func (a Actor) Can(p Permission) bool { return RoleCan(a.Role, p) }

// mayChange decides whether who may make a change on a post by authorID
// that asks for own on one's own posts and others on anyone else's.
func (a Actor) mayChange(authorID int64, own, others Permission) error {
	if own == PermPublish && a.Unverified {
		return ErrUnverified
	}
	if authorID == a.ID && own != "" && a.Can(own) {
		return nil
	}
	if others != "" && a.Can(others) {
		return nil
	}
	if own == PermPublish && authorID == a.ID {
		return &ForbiddenError{Msg: "Contributors cannot publish: submit the post for review, and an editor will publish it."}
	}
	return &ForbiddenError{Msg: "Your role does not allow this change to someone else's post."}
}

// ActorOf is the account u as it acts: for the audit log and the role checks.
func ActorOf(u User) Actor {
	return Actor{ID: u.ID, Name: u.Username, Role: u.Role, Unverified: !u.EmailVerified}
}
