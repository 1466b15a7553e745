package models

import (
	"errors"

	"github.com/lib/pq"
)

// Sentinel errors: callers test with errors.Is, the web layer maps them to
// status codes. A missing row is ErrNotFound, never a nil result.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("changed by someone else")
	ErrDuplicate = errors.New("already exists")
)

// DuplicateError names the unique constraint a write collided with, so the
// form can put the message beside the right field.
type DuplicateError struct{ Constraint string }

func (e *DuplicateError) Error() string        { return "duplicate: " + e.Constraint }
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// asDuplicate turns a unique_violation into a *DuplicateError.
func asDuplicate(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return &DuplicateError{Constraint: pqErr.Constraint}
	}
	return err
}
