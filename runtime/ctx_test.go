package runtime

import (
	"context"
	"testing"
	"time"
)

// testCtx bounds a test's run: a loop that fails to end makes the test fail, not hang.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
