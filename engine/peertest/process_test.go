package peertest

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestHardDeadlineKillsTheProcess(t *testing.T) {
	sleep := RequireBinary(t, "sleep", "coreutils")
	p := start(t, "sleeper", 0, 300*time.Millisecond, t.TempDir(), []string{sleep, "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.Wait(ctx)
	if err == nil || !strings.Contains(err.Error(), "hard deadline") {
		t.Fatalf("Wait after the deadline = %v; want an error saying the hard deadline killed it", err)
	}
}

func TestStopEndsTheProcessAndWaitCompleteSeesTheOutput(t *testing.T) {
	sh := RequireBinary(t, "sh", "dash")
	p := start(t, "shell", 0, time.Minute, t.TempDir(), []string{sh, "-c", "echo status 1; echo complete; exec sleep 30"})
	p.complete = outputHasLine("complete")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.WaitComplete(ctx); err != nil {
		t.Fatalf("WaitComplete: %v", err)
	}
	began := time.Now()
	p.Stop()
	select {
	case <-p.Done():
	default:
		t.Fatalf("process still running after Stop")
	}
	if took := time.Since(began); took >= stopGrace {
		t.Errorf("Stop took %v: sleep should have ended at SIGTERM, before the %v grace period", took, stopGrace)
	}
}
