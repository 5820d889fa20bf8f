package testrunner

import (
	"testing"

	"go.uber.org/goleak"
)

// Every file's runtime, runner goroutine and timers must be gone after Run.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
