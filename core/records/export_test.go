package records

import "context"

// Settle is settle, for the tests of a delayed write.
func Settle[T any, P Ptr[T]](ctx context.Context, s Store[T, P], id string) error {
	return s.settle(ctx, id)
}
