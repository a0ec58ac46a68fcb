package piecehash

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// blocks_amd64.s is what gen_asm.go writes: nobody edited the output by
// hand, and nobody changed the generator without running it.
func TestAssemblyIsGenerated(t *testing.T) {
	out := filepath.Join(t.TempDir(), "blocks_amd64.s")
	cmd := exec.Command("go", "run", "gen_asm.go", "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_asm.go: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("blocks_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("blocks_amd64.s differs from what gen_asm.go writes: run go generate ./engine/piecehash")
	}
}
