package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/octopuscaddy/octopus/ent"
)

// ErrNotFound is returned (wrapped, with the kind and key that were looked
// up) when a row does not exist. Test with errors.Is; the admin API maps it
// to 404.
var ErrNotFound = errors.New("not found")

// ErrBadCredentials is returned by Authenticate for an unknown user or a
// wrong password; the two are deliberately indistinguishable.
var ErrBadCredentials = errors.New("invalid username or password")

// ValidationError is bad input: a field that is missing, malformed or names
// something that does not exist. The admin API maps it to 400 (or 422).
type ValidationError struct {
	// Field is the input field, as a JSON-ish path ("members[2].channel").
	Field string
	// Reason says what is wrong, for a human.
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// ConflictError is a request that contradicts what is stored: a name that is
// already taken, or a row that others still use. The admin API maps it to
// 409.
type ConflictError struct {
	// Reason says what clashes, for a human.
	Reason string
	// UsedBy lists what still refers to the row when a delete is refused
	// (for a channel: the names of the groups using it), sorted.
	UsedBy []string
}

func (e *ConflictError) Error() string { return e.Reason }

// invalid builds a *ValidationError.
func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// conflict builds a *ConflictError.
func conflict(format string, args ...any) error {
	return &ConflictError{Reason: fmt.Sprintf(format, args...)}
}

// notFound wraps ErrNotFound with what was looked up.
func notFound(kind string, key any) error {
	if s, ok := key.(string); ok {
		return fmt.Errorf("%s %q: %w", kind, s, ErrNotFound)
	}
	return fmt.Errorf("%s %v: %w", kind, key, ErrNotFound)
}

// mapErr turns ent and driver errors into the store's typed errors. Our own
// checks catch the usual cases with precise messages first; this is the
// backstop for races (two writers creating the same name at once) and for
// the limits ent's generated validators enforce.
func mapErr(err error, kind string, key any) error {
	if err == nil {
		return nil
	}
	var (
		ve *ValidationError
		ce *ConflictError
	)
	if errors.As(err, &ve) || errors.As(err, &ce) || errors.Is(err, ErrNotFound) {
		return err
	}
	if ent.IsNotFound(err) {
		return notFound(kind, key)
	}
	var entVE *ent.ValidationError
	if errors.As(err, &entVE) {
		reason := entVE.Error()
		// ent's message is `ent: validator failed for field "X.y": reason`;
		// keep only the reason.
		if i := strings.LastIndex(reason, ": "); i >= 0 {
			reason = reason[i+2:]
		}
		return &ValidationError{Field: entVE.Name, Reason: reason}
	}
	if ent.IsConstraintError(err) {
		return &ConflictError{Reason: fmt.Sprintf("%s %v conflicts with stored data: %v", kind, quoteKey(key), err)}
	}
	return err
}

// quoteKey formats a lookup key for a message: names quoted, ids bare.
func quoteKey(key any) string {
	if s, ok := key.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(key)
}
